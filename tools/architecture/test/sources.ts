import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '../../..');

/** Programs a deploy tool runs inside containers, beside its src/: the web driver, the smoke follower, the upgrade writer. */
const CONTAINER_PROGRAMS = ['web-driver', 'smoke', 'writer'];

/** The TypeScript source folders of every app, lib and deploy tool. */
export function sourceDirs(): string[] {
  return ['apps', 'libs', 'deploy']
    .flatMap((group) =>
      readdirSync(join(ROOT, group)).flatMap((name) =>
        ['src', ...(group === 'deploy' ? CONTAINER_PROGRAMS : [])].map((dir) => join(ROOT, group, name, dir)),
      ),
    )
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
}

/** Every .ts file under a folder, node_modules and build output left out. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', 'reports'].includes(entry.name) ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export const fromRoot = (path: string) => relative(ROOT, path);
