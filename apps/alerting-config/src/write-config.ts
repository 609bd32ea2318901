/** Alertmanager's configuration file, written whole from the environment's ALERT_* settings, or not at all. */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertingProblems, alertingSchema, alertmanagerConfig, receiversLine } from '@chorus/alerting';
import { ConfigError } from '@chorus/errors';

export const CONFIG_NAME = 'alertmanager.yml';

/** Writes `dir`/alertmanager.yml; resolves to who the alerts reach. Refuses (exit 2, the old file kept) bad settings. */
export function writeConfig(dir: string, source: Record<string, string | undefined>): string {
  // Compose passes an unset setting as an empty string.
  const given = Object.fromEntries(Object.entries(source).filter(([k, v]) => k.startsWith('ALERT_') && v));
  const parsed = alertingSchema.safeParse(given);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`)),
    ...alertingProblems(given).map((p) => `${p.path[0]}: ${p.message}`),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const file = join(dir, CONFIG_NAME);
  // It may hold the SMTP password: readable by its owner (Alertmanager's user) alone.
  writeFileSync(`${file}.new`, alertmanagerConfig(parsed.data), { mode: 0o600 });
  renameSync(`${file}.new`, file);
  return receiversLine(parsed.data);
}
