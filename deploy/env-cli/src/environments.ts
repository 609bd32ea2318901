import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OperatorError } from '@chorus/errors';

export type EnvName = 'prod' | 'dev' | 'test';
export const ENV_NAMES: EnvName[] = ['prod', 'dev', 'test'];

export interface Environment {
  name: EnvName;
  /** The Compose project name, set by `name:` in the file. */
  project: string;
  file: string;
  envFile: string;
  /** Where the UI is published on the host, if it is. */
  url?: string;
}

export const ENVIRONMENTS: Record<EnvName, Environment> = {
  prod: {
    name: 'prod',
    project: 'chorus-prod',
    file: 'deploy/compose/docker-compose.prod.yml',
    envFile: 'deploy/compose/.env.prod',
    url: 'https://localhost:5001',
  },
  dev: {
    name: 'dev',
    project: 'chorus-dev',
    file: 'deploy/compose/docker-compose.dev.yml',
    envFile: 'deploy/compose/.env.dev',
    url: 'http://localhost:5002',
  },
  test: {
    name: 'test',
    project: 'chorus-test',
    file: 'deploy/compose/docker-compose.test.yml',
    envFile: 'deploy/compose/.env.test',
  },
};

/** The repository root: the nearest folder upwards that holds nx.json. */
export function repoRoot(from = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir)
      throw new OperatorError(`run this from inside the CHORUS repository (no nx.json in ${from} or above it)`);
  }
}
