import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Environment } from '../src/environments.ts';
import { hostPorts, readComposeFile } from '../src/compose-file.ts';
import { PreflightError, checkPorts } from '../src/preflight.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function environmentPublishing(port: number): { root: string; e: Environment } {
  const root = mkdtempSync(join(tmpdir(), 'chorus-ports-'));
  mkdirSync(join(root, 'deploy'));
  writeFileSync(
    join(root, 'deploy/c.yml'),
    `name: chorus-probe\nservices:\n  web:\n    image: x\n    ports:\n      - "${port}:3000"\n      - "127.0.0.1::9"\n`,
  );
  return { root, e: { name: 'dev', project: 'chorus-probe', file: 'deploy/c.yml', envFile: 'deploy/.env' } };
}

describe('port preflight', () => {
  it('reads the host ports a Compose file publishes', () => {
    const { root, e } = environmentPublishing(15999);
    expect(hostPorts(readComposeFile(root, e))).toEqual([15999]);
  });

  it('passes when the ports are free', async () => {
    const { root, e } = environmentPublishing(0 + 15998);
    await expect(checkPorts({ root }, e)).resolves.toBeUndefined();
  });

  it('fails naming the port and the process that holds it', async () => {
    server = createServer();
    const port = await new Promise<number>((resolve) =>
      server!.listen(0, '0.0.0.0', () => resolve((server!.address() as { port: number }).port)),
    );
    const { root, e } = environmentPublishing(port);
    const error = await checkPorts({ root }, e).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toContain(`port ${port} is taken by process `);
    expect((error as Error).message).toContain(`(pid ${process.pid})`);
  });
});
