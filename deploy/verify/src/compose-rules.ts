/** A Compose file's services as Compose itself resolves them (`docker compose config`), read-only. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import type { Env } from '@chorus/image-rules';
import { docker } from 'env-cli/compose.ts';

export interface ResolvedService {
  environment: Env;
  /** Where volumes and tmpfs mounts land in the container. */
  mounts: string[];
}

interface ConfigJson {
  services: Record<
    string,
    { environment?: Record<string, string | null>; volumes?: { target: string }[]; tmpfs?: string[] | string }
  >;
}

export interface ComposeSource {
  name: string;
  file: string;
  /** The env file Compose interpolates with; prod's is written per machine, so its services are read with test's values. */
  envFile?: string;
  overrides?: Env;
}

/** The container substrate's smoke test, which the parity check reads beside the environments. */
export const SMOKE_FILE = 'deploy/verify/smoke/compose.yml';

export const SOURCES: ComposeSource[] = [
  {
    name: 'prod',
    file: 'deploy/compose/docker-compose.prod.yml',
    envFile: 'deploy/compose/.env.test',
    // What make run-prod generates into .env.prod and .env.test lacks.
    overrides: { CHORUS_ENV: 'prod', BACKUP_ENCRYPTION_KEY: 'parity-check-key-not-a-secret-anywhere' },
  },
  { name: 'dev', file: 'deploy/compose/docker-compose.dev.yml', envFile: 'deploy/compose/.env.dev' },
  { name: 'test', file: 'deploy/compose/docker-compose.test.yml', envFile: 'deploy/compose/.env.test' },
  { name: 'smoke', file: SMOKE_FILE },
];

export function resolveServices(root: string, source: ComposeSource): Record<string, ResolvedService> {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-parity-'));
  try {
    const args = ['compose', '-f', join(root, source.file)];
    if (source.envFile) {
      const envFile = join(dir, 'env');
      const extra = Object.entries(source.overrides ?? {}).map(([k, v]) => `${k}=${v}`);
      writeFileSync(envFile, [readFileSync(join(root, source.envFile), 'utf8'), ...extra].join('\n'));
      args.push('--env-file', envFile);
    }
    // Only the env file interpolates: docker() passes the engine's variables alone, so the caller's shell
    // cannot change what is compared.
    const r = docker([...args, 'config', '--format', 'json']);
    if (!r.ok) throw new OperatorError(`docker compose config of ${source.file} failed: ${r.err}`);
    const config = JSON.parse(r.out) as ConfigJson;
    return Object.fromEntries(
      Object.entries(config.services).map(([name, s]) => {
        const tmpfs = typeof s.tmpfs === 'string' ? [s.tmpfs] : (s.tmpfs ?? []);
        const environment = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? '']));
        return [
          name,
          { environment, mounts: [...(s.volumes ?? []).map((v) => v.target), ...tmpfs.map((t) => t.split(':')[0]!)] },
        ];
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
