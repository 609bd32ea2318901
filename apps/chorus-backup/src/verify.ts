/**
 * Whether a backup may be restored here. Each refusal says what was expected, what was found and the fix;
 * a refused restore has changed nothing.
 */
import type { Manifest } from '@chorus/backup-manifest';

export interface Found {
  /** The environment restoring it. */
  environment: string;
  /** The migrations this release knows, in order. */
  knownMigrations: readonly string[];
  /** What the backup's files hash to now; null when the file is missing. */
  files: Record<string, { bytes: number; sha256: string } | null>;
}

export function refusals(m: Manifest, found: Found): string[] {
  const problems: string[] = [];
  if (m.environment !== found.environment) {
    problems.push(
      `backup ${m.name} was taken from ${m.environment}, and this is ${found.environment}: a restore takes only ${found.environment}'s own backups; pick one of them (make backups-${found.environment})`,
    );
  }
  for (const [name, expected] of Object.entries(m.files)) {
    if (expected === null) continue;
    const actual = found.files[name];
    if (!actual) problems.push(`backup ${m.name} lacks ${name}: it is incomplete; pick another backup`);
    else if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
      problems.push(
        `backup ${m.name}'s ${name} does not match its manifest (sha256 ${actual.sha256.slice(0, 12)}…, ${actual.bytes} bytes; the manifest says ${expected.sha256.slice(0, 12)}…, ${expected.bytes} bytes): it is corrupted; pick another backup`,
      );
    }
  }
  const unknown = m.migrations.filter((id) => !found.knownMigrations.includes(id));
  if (unknown.length > 0) {
    problems.push(
      `backup ${m.name} has a newer schema than this release (${unknown.join(', ')} unknown here; it was taken on release ${m.release}): deploy that release or a later one first (make run-${found.environment} from its checkout), then restore`,
    );
  }
  return problems;
}
