export { MIGRATIONS, migrate, type Migration } from './migrations.ts';
export { TaskStore, type CancelResult } from './task-store.ts';
