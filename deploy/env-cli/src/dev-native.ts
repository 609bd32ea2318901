/**
 * dev runs the apps from the host's workspace (mounted at /workspace) in Linux containers. Their one native
 * dependency at run time is esbuild's binary, which tsx transpiles with: a workspace installed on macOS, or
 * for another CPU, holds a build the containers cannot run. When the host's node_modules lacks the build for
 * the engine's platform, the matching @esbuild/linux-<cpu> package is fetched once from the npm registry
 * (`npm pack`, on the host) into node_modules/.cache/chorus-dev, and dev's app containers are pointed at it
 * with ESBUILD_BINARY_PATH, which esbuild reads for exactly this.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { docker } from './compose.ts';
import type { Context } from './context.ts';
import { say } from './output.ts';
import { capture } from './processes.ts';

/** The engine's CPU as npm names it (Docker reports the kernel's name). */
export function linuxCpu(architecture: string): string {
  const cpu = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' }[architecture];
  if (!cpu)
    throw new OperatorError(
      `dev's containers run on ${architecture}, a CPU this workspace has no esbuild build for; run dev on an x86_64 or arm64 engine`,
    );
  return cpu;
}

/** Where the esbuild that tsx loads lives, and its version. */
function tsxEsbuild(root: string): { dir: string; version: string } {
  const manifest = createRequire(join(root, 'node_modules/tsx/package.json')).resolve('esbuild/package.json');
  return {
    dir: dirname(manifest),
    version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version,
  };
}

/** Interpolation variables for dev: ESBUILD_BINARY_PATH when the workspace lacks the containers' build. */
export function devNativeVars({ root }: Pick<Context, 'root'>): Record<string, string> {
  const cpu = linuxCpu(docker(['info', '--format', '{{.Architecture}}']).out);
  const pkg = `@esbuild/linux-${cpu}`;
  const esbuild = tsxEsbuild(root);
  try {
    createRequire(join(esbuild.dir, 'package.json')).resolve(`${pkg}/package.json`);
    return { ESBUILD_BINARY_PATH: '' }; // installed for Linux on this CPU: the containers find it themselves
  } catch {
    // installed for another platform: fetched below
  }
  const dir = join(root, 'node_modules/.cache/chorus-dev', `esbuild-linux-${cpu}-${esbuild.version}`);
  const binary = join(dir, 'bin/esbuild');
  if (!existsSync(binary)) {
    say(
      `this workspace was installed for another platform; fetching ${pkg}@${esbuild.version} for dev's Linux containers`,
    );
    const work = mkdtempSync(join(tmpdir(), 'chorus-esbuild-'));
    try {
      const pack = capture('npm', ['pack', '--silent', `${pkg}@${esbuild.version}`, '--pack-destination', work]);
      const tarball = pack.ok ? join(work, pack.out.split('\n').pop()!) : undefined;
      if (!tarball || !capture('tar', ['-xzf', tarball, '-C', work]).ok) {
        throw new OperatorError(
          [
            `dev's Linux containers need ${pkg}@${esbuild.version}, which this workspace lacks`,
            `(it was installed for another platform), and npm could not fetch it:`,
            `${(pack.err || 'tar failed').split('\n').pop()}.`,
            `Reach the npm registry once, or install the workspace with \`npm ci --os=linux --cpu=${cpu}\``,
          ].join(' '),
        );
      }
      mkdirSync(dirname(dir), { recursive: true });
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(work, 'package'), dir);
      chmodSync(binary, 0o755);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { ESBUILD_BINARY_PATH: `/workspace/${relative(root, binary)}` };
}

/**
 * Who dev's app containers run as: the host user, so that the mounted source stays editable, but never
 * root (a root host user maps to the Node image's own user, 1000).
 */
export function hostUser(
  uid = process.getuid?.(),
  gid = process.getgid?.(),
): { CHORUS_UID: string; CHORUS_GID: string } {
  return uid ? { CHORUS_UID: String(uid), CHORUS_GID: String(gid ?? uid) } : { CHORUS_UID: '1000', CHORUS_GID: '1000' };
}
