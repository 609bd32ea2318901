/**
 * The backups folder: one folder per backup, written under a temporary name and renamed once complete,
 * so a listing never shows half a backup.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, type Manifest, manifest } from '@chorus/backup-manifest';
import { OperatorError } from '@chorus/errors';

const PARTIAL = '.partial';

export class BackupStore {
  constructor(readonly dir: string) {}

  /** Complete backups, newest first. A folder whose manifest does not parse is skipped. */
  list(): Manifest[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => !name.endsWith(PARTIAL) && existsSync(join(this.dir, name, MANIFEST_FILE)))
      .flatMap((name) => {
        const parsed = manifest.safeParse(this.readJson(name));
        return parsed.success ? [parsed.data] : [];
      })
      .sort((a, b) => b.takenAt.localeCompare(a.takenAt));
  }

  private readJson(name: string): unknown {
    try {
      return JSON.parse(readFileSync(join(this.dir, name, MANIFEST_FILE), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** The folder of backup `name`, and its manifest; a clear error when there is no such backup. */
  open(name: string): { path: string; manifest: Manifest } {
    const path = join(this.dir, name);
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || !existsSync(join(path, MANIFEST_FILE))) {
      const names = this.list().map((m) => m.name);
      throw new OperatorError(
        `there is no backup named "${name}" in ${this.dir}: ${names.length ? `the backups are ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}` : 'there are none yet'}`,
        { exitCode: 2 },
      );
    }
    const parsed = manifest.safeParse(this.readJson(name));
    if (!parsed.success)
      throw new OperatorError(
        `backup ${name}'s ${MANIFEST_FILE} is not a CHORUS manifest (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}): it was damaged or not written by make backup-<env>`,
        { exitCode: 2 },
      );
    return { path, manifest: parsed.data };
  }

  /** Writes a backup through `fill` (given its temporary folder); renames it into place once its manifest is written. */
  async write(name: string, fill: (folder: string) => Promise<Manifest>): Promise<Manifest> {
    const partial = join(this.dir, `${name}${PARTIAL}`);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    try {
      const written = await fill(partial);
      writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(written, null, 2)}\n`);
      renameSync(partial, join(this.dir, name));
      return written;
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /** Removes all but the newest `keep` backups, and any left half-written; resolves to the names removed. */
  prune(keep: number): string[] {
    const removed = this.list()
      .slice(keep)
      .map((m) => m.name);
    for (const name of removed) rmSync(join(this.dir, name), { recursive: true, force: true });
    for (const name of existsSync(this.dir) ? readdirSync(this.dir).filter((n) => n.endsWith(PARTIAL)) : [])
      rmSync(join(this.dir, name), { recursive: true, force: true });
    return removed;
  }
}
