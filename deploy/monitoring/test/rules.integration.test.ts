/**
 * The alert rules and the scrape configuration, checked by the Prometheus release the environments run
 * (promtool in the resolved Prometheus image): every rule's own test passes, and a broken rule fails.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testImage } from '@chorus/testing';

const RULES = join(import.meta.dirname, '../prometheus/rules');
const image = testImage('PROMETHEUS_IMAGE');
const scratch = mkdtempSync(join(tmpdir(), 'chorus-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** promtool with `dir` as its working directory (read-only). */
function promtool(dir: string, ...args: string[]) {
  const r = spawnSync(
    'docker',
    [
      'run',
      '--rm',
      '--user',
      `${process.getuid?.() ?? 0}`,
      '-v',
      `${dir}:/rules:ro`,
      '-w',
      '/rules',
      '--entrypoint',
      'promtool',
      image,
      ...args,
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A copy of the rules directory with `edit` applied to the rules file. */
function rulesWith(edit: (rules: string) => string): string {
  const dir = mkdtempSync(join(scratch, 'r-'));
  cpSync(RULES, dir, { recursive: true });
  const file = join(dir, 'chorus.rules.yml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

describe('alert rules (promtool)', () => {
  it('every alert fires on its test series and stays quiet on healthy ones', () => {
    const r = promtool(RULES, 'test', 'rules', 'chorus.rules.test.yml');
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('every alert in the rules file has a test', () => {
    const alerts = [...readFileSync(join(RULES, 'chorus.rules.yml'), 'utf8').matchAll(/- alert: (\w+)/g)].map(
      (m) => m[1],
    );
    const tests = readFileSync(join(RULES, 'chorus.rules.test.yml'), 'utf8');
    expect(alerts.length).toBeGreaterThanOrEqual(7);
    for (const alert of alerts) expect(tests, alert).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:`));
  });

  it('a rule whose expression does not parse fails, naming it', () => {
    const r = promtool(
      rulesWith((rules) => rules.replace('expr: up{job="web"} == 0', 'expr: up{job="web" == 0')),
      'test',
      'rules',
      'chorus.rules.test.yml',
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/WebDown|parse error|unexpected/);
  });

  it('a rule that no longer fires when it should fails its test', () => {
    const r = promtool(
      rulesWith((rules) => rules.replace('> 512 * 1024 * 1024', '> 1024 * 1024 * 1024')),
      'test',
      'rules',
      'chorus.rules.test.yml',
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('ReplicationSlotRetainingWal');
  });

  it('the scrape configuration is valid and loads the rules', () => {
    const dir = mkdtempSync(join(scratch, 'c-'));
    cpSync(join(import.meta.dirname, '../prometheus'), dir, { recursive: true });
    // The image reads the rules from /etc/prometheus/rules; here they are beside the configuration.
    const config = readFileSync(join(dir, 'prometheus.yml'), 'utf8').replace('/etc/prometheus/rules/', 'rules/');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const r = promtool(dir, 'check', 'config', 'prometheus.yml');
    // Every rule the file holds, loaded.
    const rules = readFileSync(join(RULES, 'chorus.rules.yml'), 'utf8').match(/^\s+- alert: /gm)!.length;
    expect(rules).toBeGreaterThan(15);
    expect(r.out).toContain(`SUCCESS: ${rules} rules found`);
    expect(r.code).toBe(0);
  });
});
