/**
 * Where prod's backups go (.env.prod): the local volume always, and S3-compatible object storage off the
 * host when a bucket is named. deploy/postgres/chorus-pgbackrest turns these into pgBackRest's repo2.
 */
import { z } from 'zod';

/** The settings, as .env.prod spells them. BACKUP_ENCRYPTION_KEY is generated (env-file.ts). */
export const backupStorageEnv = {
  BACKUP_ENCRYPTION_KEY: z.string().min(32, 'use at least 32 characters').optional(),
  BACKUP_S3_ENDPOINT: z
    .string()
    .regex(
      /^[A-Za-z0-9.-]+(:\d{1,5})?$/,
      'expected the object store host, with a port if not 443, such as s3.eu-west-1.amazonaws.com or minio.internal:9000 (no https://)',
    )
    .optional(),
  BACKUP_S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected an S3 bucket name: 3 to 63 lowercase letters, digits, . and -',
    )
    .optional(),
  BACKUP_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'expected a region such as eu-west-1')
    .optional(),
  BACKUP_S3_KEY: z.string().min(1).optional(),
  BACKUP_S3_KEY_SECRET: z.string().min(1).optional(),
  BACKUP_S3_PATH: z
    .string()
    .regex(/^\/\S*$/, 'expected a path in the bucket, starting with /')
    .optional(),
  BACKUP_S3_URI_STYLE: z
    .enum(['host', 'path'], { error: 'expected host (AWS) or path (most self-hosted stores)' })
    .optional(),
  BACKUP_S3_CA_FILE: z.string().min(1).optional(),
};

export type BackupStorageSettings = { [K in keyof typeof backupStorageEnv]?: string };

/** A bucket needs its endpoint and credentials; the other settings mean nothing without a bucket. */
export function backupStorageProblems(v: BackupStorageSettings): { path: string[]; message: string }[] {
  const others = (Object.keys(backupStorageEnv) as (keyof BackupStorageSettings)[]).filter(
    (k) => k.startsWith('BACKUP_S3_') && k !== 'BACKUP_S3_BUCKET' && v[k] !== undefined && v[k] !== '',
  );
  if (!v.BACKUP_S3_BUCKET)
    return others.map((k) => ({
      path: [k],
      message: 'set BACKUP_S3_BUCKET too, or remove this line: without a bucket, backups stay on this host',
    }));
  return (['BACKUP_S3_ENDPOINT', 'BACKUP_S3_KEY', 'BACKUP_S3_KEY_SECRET'] as const)
    .filter((k) => !v[k])
    .map((k) => ({ path: [k], message: 'required with BACKUP_S3_BUCKET' }));
}

/** Whether backups leave the host. */
export const offHost = (v: BackupStorageSettings) => Boolean(v.BACKUP_S3_BUCKET);
