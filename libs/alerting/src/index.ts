export * from './alertmanager.ts';
export * from './settings.ts';
