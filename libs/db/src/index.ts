export { MIGRATIONS, migrate, pendingMigrations, type Migration } from './migrations.ts';
export { TaskStore, type CancelResult } from './task-store.ts';
export { CAPTURED_TABLES, ROLES, type RoleName, grantAccess, provisionRoles } from './roles.ts';
export {
  AccountStore,
  ACCOUNT_TABLES,
  NAME_PATTERN,
  USER_ROLES,
  type Account,
  type ApiToken,
  type UserRole,
} from './account-store.ts';
export { slotRetention, type SlotRetention } from './replication-slots.ts';
export { walArchiver, type WalArchiver } from './wal-archiver.ts';
