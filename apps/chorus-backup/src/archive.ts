/**
 * Continuous archiving with pgBackRest (deploy/postgres/chorus-pgbackrest sets its repositories): the stanza,
 * base backups into every repository, and the time range each can restore to. Postgres pushes the WAL
 * itself (archive_command); this side only reads what arrived.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { ArchiveRepository, ArchiveState } from '@chorus/backup-manifest';
import { OperatorError } from '@chorus/errors';

const TOOL = 'chorus-pgbackrest';
/** How many of the newest WAL segments are read back for their last commit before giving up on a repository. */
const SEGMENTS_SEARCHED = 8;

export interface ToolResult {
  code: number;
  out: string;
  err: string;
}

/** Runs pgBackRest (or pg_waldump) and collects its output; `spawn` failing (no such program) is exit 127. */
export async function run(program: string, args: string[]): Promise<ToolResult> {
  const r = await runRaw(program, args);
  return { ...r, out: r.out.toString() };
}

/** As run, with stdout kept as bytes (a file from the repository). */
function runRaw(program: string, args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-8000)));
    child.on('error', (error) => resolve({ code: 127, out: Buffer.alloc(0), err: error.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, out: Buffer.concat(chunks), err }));
  });
}

/** pgBackRest's own words for a failure: its ERROR lines, without the process prefix. */
export const toolMessage = (r: ToolResult) =>
  (r.err + r.out)
    .split('\n')
    .filter((l) => /ERROR|WARN/.test(l))
    .map((l) => l.replace(/^.*?(ERROR|WARN): /, '').trim())
    .join('; ') ||
  r.err.trim().split('\n').at(-1) ||
  `exit ${r.code}`;

async function pgbackrest(args: string[]): Promise<string> {
  const r = await run(TOOL, args);
  if (r.code !== 0) throw new OperatorError(`pgbackrest ${args[0]} failed: ${toolMessage(r)}`, { retriable: true });
  return r.out;
}

/** Whether this container archives: pgBackRest's stanza is configured (prod's Compose file sets it). */
export const archiving = (env: Record<string, string | undefined> = process.env) => Boolean(env.PGBACKREST_STANZA);

/** The repositories configured: repo1 always, repo2 when a bucket is named. */
export const repositories = (env: Record<string, string | undefined> = process.env) =>
  env.BACKUP_S3_BUCKET ? [1, 2] : [1];

/**
 * Makes the stanza in each repository, or checks it is this database's: pgBackRest refuses a repository
 * that holds another database's backups (another host's prod, or one cleaned and started again).
 */
export async function ensureStanza(): Promise<void> {
  const r = await run(TOOL, ['stanza-create']);
  if (r.code === 0) return;
  const message = toolMessage(r);
  if (/do not match|system-id/.test(message))
    throw new OperatorError(
      `a backup repository holds another database's archive (${message}). If this is a new host, restore from it with \`make restore-prod AT=<time>\`; to start a new archive, point BACKUP_S3_PATH elsewhere`,
    );
  throw new OperatorError(`pgBackRest could not set up its stanza: ${message}`, { retriable: true });
}

/** A full base backup into each repository, one after the other; resolves to their labels. */
export async function baseBackup(): Promise<string[]> {
  const labels: string[] = [];
  for (const repo of repositories()) {
    await pgbackrest(['backup', '--type=full', `--repo=${repo}`]);
    const newest = (await repositoryBackups(repo)).at(-1);
    if (newest) labels.push(newest.label);
  }
  return labels;
}

const infoSchema = z.array(
  z.object({
    name: z.string(),
    status: z.object({ code: z.number(), message: z.string() }),
    repo: z.array(z.object({ key: z.number(), status: z.object({ code: z.number(), message: z.string() }) })),
    archive: z.array(z.object({ id: z.string(), database: z.object({ 'repo-key': z.number() }) })).default([]),
    backup: z
      .array(
        z.object({
          label: z.string(),
          type: z.string(),
          database: z.object({ 'repo-key': z.number() }),
          timestamp: z.object({ start: z.number(), stop: z.number() }),
          info: z.object({ repository: z.object({ delta: z.number() }) }),
          error: z.boolean().optional(),
        }),
      )
      .default([]),
  }),
);
type Info = z.infer<typeof infoSchema>[number];

async function info(): Promise<Info> {
  const r = await run(TOOL, ['info', '--output=json']);
  // A repository read with the wrong key puts its garbled bytes, control characters among them, into a status
  // message: not valid JSON until they are blanked.
  const parsed = infoSchema.safeParse(safeJson(r.out.replace(/[\u0000-\u001f]/g, ' ')));
  if (!parsed.success || !parsed.data[0])
    throw new OperatorError(`pgbackrest info did not answer: ${toolMessage(r)}`, { retriable: true });
  return parsed.data[0];
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** `repo`'s complete base backups, oldest first. */
const backupsIn = (i: Info, repo: number): ArchiveRepository['backups'] =>
  i.backup
    .filter((b) => b.database['repo-key'] === repo && !b.error)
    .map((b) => ({
      label: b.label,
      type: b.type,
      start: iso(b.timestamp.start),
      stop: iso(b.timestamp.stop),
      bytes: b.info.repository.delta,
    }));

const repositoryBackups = async (repo: number) => backupsIn(await info(), repo);

/** When each repository's newest base backup ended (ISO), undefined for one without: cheap (pgbackrest info only). */
export async function newestBaseBackups(): Promise<(string | undefined)[]> {
  const i = await info();
  return repositories().map((repo) => backupsIn(i, repo).at(-1)?.stop);
}

/** Whether pgBackRest reaches each repository and finds this environment's stanza there (the metrics). */
export async function repositoryHealth(): Promise<{ repo: number; kind: string; ok: boolean }[]> {
  const i = await info();
  return repositories().map((repo) => ({
    repo,
    kind: repo === 1 ? 'local' : 's3',
    ok: i.repo.find((r) => r.key === repo)?.status.code === 0,
  }));
}

const lsSchema = z.record(z.string(), z.object({ type: z.string(), time: z.number().optional() }));

/** The WAL segments archived in `repo`, newest last, with when each arrived (epoch seconds). */
export async function archivedSegments(
  repo: number,
  archiveId: string,
): Promise<{ name: string; path: string; time: number }[]> {
  const stanza = process.env.PGBACKREST_STANZA!;
  const r = await run(TOOL, [
    'repo-ls',
    `--repo=${repo}`,
    '--recurse',
    '--output=json',
    `archive/${stanza}/${archiveId}`,
  ]);
  const parsed = lsSchema.safeParse(safeJson(r.out));
  if (r.code !== 0 || !parsed.success) throw new OperatorError(`pgbackrest repo-ls failed: ${toolMessage(r)}`);
  return Object.entries(parsed.data)
    .flatMap(([path, entry]) => {
      const name = path.split('/').at(-1)!.slice(0, 24);
      return entry.type === 'file' && /^[0-9A-F]{24}$/.test(name)
        ? [{ name, path: `archive/${stanza}/${archiveId}/${path}`, time: entry.time ?? 0 }]
        : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The newest commit in `repo`'s archive: read back from its newest segments (pgBackRest decrypts them,
 * pg_waldump reads their records). The change a restore can reach last, whatever the upload times say.
 */
export async function newestArchivedCommit(repo: number, archiveId: string): Promise<Date | undefined> {
  const segments = (await archivedSegments(repo, archiveId)).slice(-SEGMENTS_SEARCHED).reverse();
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  try {
    for (const { name, path } of segments) {
      // repo-get, not archive-get: it needs no data directory (a new host has none). It decrypts; gzip is undone here.
      const got = await runRaw(TOOL, ['repo-get', `--repo=${repo}`, path]);
      if (got.code !== 0)
        throw new OperatorError(`pgbackrest repo-get ${name} failed: ${got.err.trim() || `exit ${got.code}`}`);
      const file = join(dir, name);
      writeFileSync(file, path.endsWith('.gz') ? gunzipSync(got.out) : got.out);
      const dump = await run('pg_waldump', ['--rmgr=Transaction', file]);
      rmSync(file, { force: true });
      const commits = [...dump.out.matchAll(/COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+)/g)];
      const last = commits.at(-1)?.[1];
      if (last) return new Date(last.replace(' ', 'T').replace(/ UTC$/, 'Z'));
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** When the newest WAL segment arrived in `repo` (ISO), or undefined when none has: the archive's freshness. */
export async function newestSegmentArrival(repo: number): Promise<string | undefined> {
  const archiveId = (await info()).archive.filter((a) => a.database['repo-key'] === repo).at(-1)?.id;
  if (!archiveId) return undefined;
  const newest = Math.max(0, ...(await archivedSegments(repo, archiveId)).map((s) => s.time));
  return newest > 0 ? iso(newest) : undefined;
}

/** pgBackRest's repository status code for a stanza it does not find there. */
const MISSING_STANZA = 1;

/** What a repository without this stanza holds: another environment's archive, or none. */
async function othersArchive(repo: number, stanza: string): Promise<string> {
  const r = await run(TOOL, ['repo-ls', `--repo=${repo}`, '--output=json', 'archive']);
  const parsed = lsSchema.safeParse(safeJson(r.out));
  const others = parsed.success
    ? Object.entries(parsed.data).flatMap(([name, e]) => (e.type === 'path' && name !== '.' ? [name] : []))
    : [];
  return others.length
    ? `holds the archive of ${others.join(', ')}, not of ${stanza}: another environment's repository`
    : `no archive of ${stanza} yet`;
}

/**
 * A repository whose files decrypt to garbage: its info files were sealed with another key (pgBackRest finds
 * no section in them), or are damaged.
 */
const unreadable = (message: string) => /FormatError|CryptoError|cipher|decrypt/i.test(message);
const unreadableMessage =
  'cannot be decrypted with this BACKUP_ENCRYPTION_KEY: its archive was sealed with another key (or is damaged); use the key from the secrets export of this prod';

/** Each repository's state, backups and restorable window. */
export async function archiveState(): Promise<ArchiveState> {
  const i = await info();
  const repos: ArchiveRepository[] = [];
  for (const repo of repositories()) {
    const status = i.repo.find((r) => r.key === repo)?.status;
    const backups = backupsIn(i, repo);
    const archiveId = i.archive.filter((a) => a.database['repo-key'] === repo).at(-1)?.id;
    let window: ArchiveRepository['window'];
    let problem: string | undefined;
    if (backups[0] && archiveId) {
      try {
        const newest = await newestArchivedCommit(repo, archiveId);
        const earliest = backups[0].stop;
        window = { earliest, latest: newest && newest.toISOString() > earliest ? newest.toISOString() : earliest };
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    // No stanza of this environment here: whose archive is it, if anyone's?
    if (status?.code === MISSING_STANZA) problem ??= await othersArchive(repo, i.name);
    if (status && status.code !== 0 && unreadable(status.message)) problem ??= unreadableMessage;
    repos.push({
      repo,
      kind: repo === 1 ? 'local' : 's3',
      status: problem ?? (status && status.code !== 0 ? status.message : 'ok'),
      backups,
      ...(window ? { window } : {}),
    });
  }
  return { stanza: i.name, repos };
}
