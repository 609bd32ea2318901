import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chorus/errors';
import { ENVIRONMENTS } from '../src/environments.ts';
import { ensureProdEnvFile, readEnvFile, setEnvFileValue } from '../src/env-file.ts';

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'chorus-env-'));
  mkdirSync(join(root, 'deploy/compose'), { recursive: true });
  return root;
}

describe('prod env file', () => {
  it("sets one line (the admin's new password) and keeps every other, mode 600; a missing file names its fix", () => {
    const root = tempRoot();
    expect(() => setEnvFileValue(root, ENVIRONMENTS.prod, 'CHORUS_ADMIN_PASSWORD', 'x'.repeat(20))).toThrow(
      /make run-prod/,
    );
    ensureProdEnvFile(root, ENVIRONMENTS.prod, '');
    const path = join(root, ENVIRONMENTS.prod.envFile);
    const before = readFileSync(path, 'utf8');
    setEnvFileValue(root, ENVIRONMENTS.prod, 'CHORUS_ADMIN_PASSWORD', 'a-new-admin-password-1');
    const after = readFileSync(path, 'utf8');
    expect(readEnvFile(root, ENVIRONMENTS.prod).CHORUS_ADMIN_PASSWORD).toBe('a-new-admin-password-1');
    expect(after.split('\n').filter((l) => !l.startsWith('CHORUS_ADMIN_PASSWORD='))).toEqual(
      before.split('\n').filter((l) => !l.startsWith('CHORUS_ADMIN_PASSWORD=')),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('is generated once with a random password, mode 600, and never overwritten', () => {
    const root = tempRoot();
    expect(ensureProdEnvFile(root, ENVIRONMENTS.prod, '')).toBe('created');
    const path = join(root, ENVIRONMENTS.prod.envFile);
    const first = readFileSync(path, 'utf8');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readEnvFile(root, ENVIRONMENTS.prod).POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ensureProdEnvFile(root, ENVIRONMENTS.prod, 'other-password-1234')).toBe('kept');
    expect(readFileSync(path, 'utf8')).toBe(first);
  });

  it('gives an older file the secrets it lacks (a Redis password), without changing a line it has', () => {
    const root = tempRoot();
    const path = join(root, ENVIRONMENTS.prod.envFile);
    const old = 'CHORUS_ENV=prod\nPOSTGRES_USER=chorus\nPOSTGRES_DB=chorus\nPOSTGRES_PASSWORD=the-old-password-123\n';
    writeFileSync(path, old, { mode: 0o600 });
    expect(ensureProdEnvFile(root, ENVIRONMENTS.prod, '')).toEqual({
      added: [
        'REDIS_PASSWORD',
        'CHORUS_OWNER_PASSWORD',
        'CHORUS_APP_PASSWORD',
        'CHORUS_CDC_PASSWORD',
        'CHORUS_ADMIN_PASSWORD',
        'CHORUS_SESSION_SECRET',
        'BACKUP_ENCRYPTION_KEY',
      ],
    });
    const now = readFileSync(path, 'utf8');
    expect(now.startsWith(old)).toBe(true);
    expect(readEnvFile(root, ENVIRONMENTS.prod).REDIS_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ensureProdEnvFile(root, ENVIRONMENTS.prod, '')).toBe('kept');
    expect(readFileSync(path, 'utf8')).toBe(now);
  });

  it("accepts prod's UI address, and only an IPv4 address", () => {
    const root = tempRoot();
    ensureProdEnvFile(root, ENVIRONMENTS.prod, '');
    const path = join(root, ENVIRONMENTS.prod.envFile);
    writeFileSync(path, `${readFileSync(path, 'utf8')}UI_BIND_ADDRESS=127.0.0.1\n`);
    expect(readEnvFile(root, ENVIRONMENTS.prod).UI_BIND_ADDRESS).toBe('127.0.0.1');
    writeFileSync(path, readFileSync(path, 'utf8').replace('UI_BIND_ADDRESS=127.0.0.1', 'UI_BIND_ADDRESS=localhost'));
    expect(() => readEnvFile(root, ENVIRONMENTS.prod)).toThrow(
      'UI_BIND_ADDRESS: expected an IPv4 address such as 127.0.0.1 or 0.0.0.0',
    );
  });

  it('takes the password from the environment when one is supplied', () => {
    const root = tempRoot();
    ensureProdEnvFile(root, ENVIRONMENTS.prod, 'supplied-password-123');
    expect(readEnvFile(root, ENVIRONMENTS.prod).POSTGRES_PASSWORD).toBe('supplied-password-123');
  });

  it('refuses to generate a new password for a database volume that already exists', () => {
    const root = tempRoot();
    expect(() => ensureProdEnvFile(root, ENVIRONMENTS.prod, '', 'chorus-prod_postgres_data_prod')).toThrow(
      /\.env\.prod is missing, but prod's database volume chorus-prod_postgres_data_prod exists/,
    );
    expect(() => readEnvFile(root, ENVIRONMENTS.prod)).toThrow(/missing/);
    expect(ensureProdEnvFile(root, ENVIRONMENTS.prod, 'the-old-password-123', 'chorus-prod_postgres_data_prod')).toBe(
      'created',
    );
  });
});

describe('readEnvFile', () => {
  const write = (content: string, env: 'dev' | 'test' = 'dev') => {
    const root = tempRoot();
    writeFileSync(join(root, ENVIRONMENTS[env].envFile), content);
    return root;
  };

  it('accepts the committed dev and test files', () => {
    const repo = join(import.meta.dirname, '../../..');
    expect(readEnvFile(repo, ENVIRONMENTS.dev).CHORUS_ENV).toBe('dev');
    expect(readEnvFile(repo, ENVIRONMENTS.test).CHORUS_ENV).toBe('test');
  });

  it('names every problem: wrong environment, short password, unknown key', () => {
    const root = write(
      'CHORUS_ENV=prod\nPOSTGRES_USER=chorus\nPOSTGRES_DB=chorus\nPOSTGRES_PASSWORD=short\nPOSTGRES_PASWORD=typo\n',
    );
    const error = (() => {
      try {
        readEnvFile(root, ENVIRONMENTS.dev);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        'deploy/compose/.env.dev: CHORUS_ENV: must be "dev" in this environment\'s file',
        'deploy/compose/.env.dev: POSTGRES_PASSWORD: use at least 8 characters',
        'deploy/compose/.env.dev: unknown POSTGRES_PASWORD',
      ]),
    );
  });

  it("takes the change topic's partitions and the processor replicas, and refuses replicas that would idle", () => {
    const base = readFileSync(join(import.meta.dirname, '../../..', ENVIRONMENTS.dev.envFile), 'utf8');
    expect(
      readEnvFile(write(`${base}CHANGE_TOPIC_PARTITIONS=6\nPROCESSOR_REPLICAS=3\n`), ENVIRONMENTS.dev)
        .PROCESSOR_REPLICAS,
    ).toBe('3');
    expect(() => readEnvFile(write(`${base}PROCESSOR_REPLICAS=2\n`), ENVIRONMENTS.dev)).toThrow(
      'deploy/compose/.env.dev: PROCESSOR_REPLICAS: 2 replicas share 1 partition, so 1 would idle; set CHANGE_TOPIC_PARTITIONS to at least 2',
    );
    expect(() => readEnvFile(write(`${base}CHANGE_TOPIC_PARTITIONS=0\n`), ENVIRONMENTS.dev)).toThrow(
      /CHANGE_TOPIC_PARTITIONS: /,
    );
    expect(() =>
      readEnvFile(write(`${base}CHANGE_TOPIC_PARTITIONS=6\nPROCESSOR_REPLICAS=two\n`), ENVIRONMENTS.dev),
    ).toThrow(/PROCESSOR_REPLICAS: /);
  });

  it("takes dev's alert receivers, refuses mail settings that cannot send, and gives test none", () => {
    const base = readFileSync(join(import.meta.dirname, '../../..', ENVIRONMENTS.dev.envFile), 'utf8');
    const mail =
      'ALERT_EMAIL_TO=ops@example.com\nALERT_EMAIL_FROM=chorus@example.com\nALERT_SMTP_HOST=smtp.example.com:587\n';
    expect(readEnvFile(write(`${base}${mail}`), ENVIRONMENTS.dev).ALERT_EMAIL_TO).toBe('ops@example.com');
    expect(() => readEnvFile(write(`${base}ALERT_SMTP_HOST=smtp.example.com:587\n`), ENVIRONMENTS.dev)).toThrow(
      'deploy/compose/.env.dev: ALERT_SMTP_HOST: set ALERT_EMAIL_TO too, or remove this line: without recipients no mail is sent',
    );
    expect(() => readEnvFile(write(`${base}ALERT_WEBHOOK_URL=hooks.example.com\n`), ENVIRONMENTS.dev)).toThrow(
      'deploy/compose/.env.dev: ALERT_WEBHOOK_URL: expected an http:// or https:// URL',
    );
    const test = readFileSync(join(import.meta.dirname, '../../..', ENVIRONMENTS.test.envFile), 'utf8');
    expect(() => readEnvFile(write(`${test}ALERT_WEBHOOK_URL=http://x.example/\n`, 'test'), ENVIRONMENTS.test)).toThrow(
      /unknown ALERT_WEBHOOK_URL/,
    );
  });

  it('says a missing file is missing', () => {
    expect(() => readEnvFile(tempRoot(), ENVIRONMENTS.dev)).toThrow(/\.env\.dev: missing/);
  });
});

describe('what an env file may not do', () => {
  it('refuses a key that would point the command at another Compose project', () => {
    const root = tempRoot();
    writeFileSync(
      join(root, ENVIRONMENTS.dev.envFile),
      'CHORUS_ENV=dev\nPOSTGRES_USER=chorus\nPOSTGRES_DB=chorus\nPOSTGRES_PASSWORD=chorus-dev\nCOMPOSE_PROJECT_NAME=chorus-prod\n',
    );
    expect(() => readEnvFile(root, ENVIRONMENTS.dev)).toThrow(
      /COMPOSE_PROJECT_NAME is not allowed: it would point dev's commands at another Compose project/,
    );
  });

  it('checks a supplied prod password before writing anything', () => {
    const root = tempRoot();
    expect(() => ensureProdEnvFile(root, ENVIRONMENTS.prod, 'short pass')).toThrow(
      /POSTGRES_PASSWORD from the environment: use at least 16 characters in prod; nothing was written/,
    );
    expect(() => readEnvFile(root, ENVIRONMENTS.prod)).toThrow(/missing/);
  });
});
