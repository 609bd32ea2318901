/**
 * What every command stands on, made once per CLI run: the repository, its pinned versions, the
 * caller's environment, and a Compose for the repository. Commands receive it; nothing below them
 * finds the repository again.
 */
import { type Versions, readVersions } from '@chorus/versions';
import { Compose } from './compose.ts';
import { repoRoot } from './environments.ts';

export interface Context {
  /** The repository: the files the environments are made of are under it. */
  readonly root: string;
  /** The caller's environment (CHORUS_IMAGES, POSTGRES_PASSWORD, *_IMAGE overrides, …); never Compose's. */
  readonly env: NodeJS.ProcessEnv;
  readonly compose: Compose;
  /** infrastructure/versions.env, read on first use. */
  versions(): Versions;
}

export function createContext({
  root = repoRoot(),
  env = process.env,
}: { root?: string; env?: NodeJS.ProcessEnv } = {}): Context {
  let versions: Versions | undefined;
  return { root, env, compose: new Compose(root), versions: () => (versions ??= readVersions(root)) };
}
