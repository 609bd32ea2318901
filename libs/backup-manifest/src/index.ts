/**
 * A backup of one environment, as chorus-backup writes it and the env CLI reads it. A backup is a folder
 * named `<env>-<UTC time>` holding the files below and `manifest.json`, which describes them.
 */
import { z } from 'zod';

/** The files a backup holds besides its manifest. */
export const BACKUP_FILES = {
  /** The database, in pg_dump's custom format. */
  database: 'database.dump',
  /** The Debezium connector's configuration as Kafka Connect held it (its password is a reference). */
  connector: 'connector.json',
} as const;
export const MANIFEST_FILE = 'manifest.json';

const file = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const manifest = z.object({
  format: z.literal(1),
  name: z.string().regex(/^[a-z0-9_]+-\d{8}T\d{6}Z$/),
  /** The environment it was taken from: a restore elsewhere is refused. */
  environment: z.string(),
  /** The release prod ran (its app image tag). */
  release: z.string(),
  takenAt: z.iso.datetime(),
  /** The migrations applied in the database, in order: a restore by a release that lacks one is refused. */
  migrations: z.array(z.string()),
  /** Rows per table, counted in the snapshot the dump was taken from. */
  rows: z.record(z.string(), z.number().int().nonnegative()),
  files: z.object({ [BACKUP_FILES.database]: file, [BACKUP_FILES.connector]: file.nullable() }),
  durationMs: z.number().nonnegative(),
});
export type Manifest = z.infer<typeof manifest>;

/**
 * Continuous archiving (pgBackRest): each repository's base backups and the time range a restore can reach,
 * from the oldest base backup's end to the newest WAL archived there.
 */
export const archiveRepository = z.object({
  repo: z.number().int().positive(),
  kind: z.enum(['local', 's3']),
  /** ok, or what pgBackRest said is wrong with it (unreachable, wrong key, another database's). */
  status: z.string(),
  backups: z.array(
    z.object({
      label: z.string(),
      type: z.string(),
      start: z.iso.datetime(),
      stop: z.iso.datetime(),
      bytes: z.number(),
    }),
  ),
  /** The earliest and latest moments a restore from this repository reaches; absent without a base backup. */
  window: z.object({ earliest: z.iso.datetime(), latest: z.iso.datetime() }).optional(),
});
export type ArchiveRepository = z.infer<typeof archiveRepository>;

export const archiveState = z.object({
  stanza: z.string(),
  repos: z.array(archiveRepository),
});
export type ArchiveState = z.infer<typeof archiveState>;

/**
 * `list --json`: the exports (pg_dump) present, newest first, the schedule both kinds are taken on, and the
 * archive (absent where the backup service has no pgBackRest: an older release).
 */
export const backupListing = z.object({
  schedule: z.object({ everyMs: z.number().int().positive(), keep: z.number().int().positive() }),
  backups: z.array(manifest),
  archive: archiveState.optional(),
});
export type BackupListing = z.infer<typeof backupListing>;

/** A backup's name: the environment and when it was taken, to the second (UTC). */
export function backupName(environment: string, at: Date): string {
  return `${environment}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** How old the newest backup is, and whether that is older than the schedule allows (one period and a grace of a tenth). */
export function backupAge(
  listing: BackupListing,
  now: Date,
): { newest: Manifest | undefined; ageMs: number | undefined; overdue: boolean } {
  const newest = listing.backups[0];
  const ageMs = newest ? now.getTime() - Date.parse(newest.takenAt) : undefined;
  return { newest, ageMs, overdue: ageMs === undefined || ageMs > listing.schedule.everyMs * 1.1 };
}
