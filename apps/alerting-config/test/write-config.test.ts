import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeConfig } from '../src/write-config.ts';

let dir = '';
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'alerting-config-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('alerting-config', () => {
  it("writes Alertmanager's file from the ALERT_* settings, readable by its owner alone, ignoring empty ones", () => {
    const reach = writeConfig(dir, {
      ALERT_WEBHOOK_URL: 'http://receiver.internal:8080/alerts',
      ALERT_EMAIL_TO: '',
      PATH: '/usr/bin',
    });
    expect(reach).toBe('webhook receiver.internal:8080');
    const file = join(dir, 'alertmanager.yml');
    expect(parse(readFileSync(file, 'utf8')).receivers[0].webhook_configs[0].url).toBe(
      'http://receiver.internal:8080/alerts',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses bad settings with exit 2, naming each, and leaves the file it wrote before', () => {
    writeFileSync(join(dir, 'alertmanager.yml'), 'the previous configuration\n');
    let error: unknown;
    try {
      writeConfig(dir, { ALERT_WEBHOOK_URL: 'not a url', ALERT_SMTP_HOST: 'smtp.example.com:25' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toContain('ALERT_WEBHOOK_URL: expected an http:// or https:// URL');
    expect((error as Error).message).toContain('ALERT_SMTP_HOST: set ALERT_EMAIL_TO too');
    expect(readFileSync(join(dir, 'alertmanager.yml'), 'utf8')).toBe('the previous configuration\n');
  });
});
