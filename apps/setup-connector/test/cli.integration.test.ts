/** The built CLI (dist/main.cjs), as an operator runs it: exit codes and messages. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeKafkaConnect } from '@chorus/fake-kafka-connect';
import { desiredConfig } from '../src/connector-config.ts';
import { freePort } from '@chorus/testing';
import { testSettings } from './support/settings.ts';

const bin = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [bin, ...args],
      { env: { PATH: process.env.PATH, LOG_FORMAT: 'pretty', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('setup-connector CLI', () => {
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (nx run setup-connector:build)`);
  });

  let fake: FakeKafkaConnect;
  let url: string;
  beforeEach(async () => {
    fake = new FakeKafkaConnect();
    url = await fake.start();
  });
  afterEach(() => fake.stop());

  it('exits 2 and names each bad variable, without a stack trace', async () => {
    const { code, stderr } = await run([], { CHORUS_ENV: 'dev', POSTGRES_PORT: 'abc' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/setup-connector: invalid configuration:/);
    expect(stderr).toMatch(/POSTGRES_PORT: /);
    expect(stderr).toMatch(/POSTGRES_PASSWORD: required/);
    noStackTrace(stderr);
  });

  it('exits 2 on an unknown option and 0 on --help', async () => {
    expect((await run(['--frobnicate'], {})).code).toBe(2);
    const help = await run(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--check/);
  });

  it('exits 1 with the reason when Postgres never answers', async () => {
    const port = await freePort();
    const { code, stdout } = await run([], {
      CHORUS_ENV: 'dev',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: String(port),
      POSTGRES_PASSWORD: 'x',
      SETUP_TIMEOUT_SECONDS: '1',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(`timed out after 1\\.\\ds waiting for Postgres at 127\\.0\\.0\\.1:${port}/chorus`),
    );
    noStackTrace(stdout);
  });

  it('--check exits 3 on drift or a missing connector, 0 when in sync, and never writes', async () => {
    const env = {
      CHORUS_ENV: 'unit',
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'postgres',
      KAFKA_CONNECT_URL: url,
      PUBLICATION_AUTOCREATE_MODE: 'filtered',
    };
    const missing = await run(['--check'], env);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/connector chorus-unit-postgres does not exist/);

    const desired = desiredConfig(testSettings());
    fake.connectors.set('chorus-unit-postgres', {
      config: { ...desired, 'slot.name': 'debezium' },
      taskState: 'RUNNING',
    });
    const drifted = await run(['--check'], env);
    expect(drifted.code).toBe(3);
    expect(drifted.stdout).toMatch(/drift: slot\.name: live "debezium", desired "chorus_unit"/);

    fake.connectors.set('chorus-unit-postgres', { config: desired, taskState: 'RUNNING' });
    const clean = await run(['--check'], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/no drift/);
    expect(fake.requests.some((r) => !r.startsWith('GET'))).toBe(false);
  });
});
