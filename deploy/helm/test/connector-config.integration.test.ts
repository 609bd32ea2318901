/**
 * The chart's connector (chorus/files/connector.yaml) is what setup-connector prints, with the values the
 * release decides as Helm expressions: current in the repository, and stale as soon as setup-connector's
 * config changes, naming the command that writes it again.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLE, ConnectorConfigError, render, stale } from '../connector-config.ts';

describe("the chart's connector", () => {
  it("is setup-connector's current config, with the release's values as Helm expressions", () => {
    expect(stale()).toBeUndefined();
    const { name, config } = parse(render()) as { name: string; config: Record<string, string> };
    expect(name).toBe('chorus-{{ .Values.environment }}-postgres');
    expect(config).toMatchObject({
      'slot.name': 'chorus_{{ .Values.environment }}',
      'topic.creation.changes.include': 'chorus_{{ .Values.environment }}\\.public\\.task_queue',
      'database.hostname': '{{ include "chorus.postgresHost" . }}',
      'database.password': '${secrets:{{ .Release.Namespace }}/{{ include "chorus.secret" . }}:CHORUS_CDC_PASSWORD}',
      'topic.creation.changes.partitions': '{{ .Values.stream.partitions }}',
      'topic.creation.default.replication.factor': '{{ include "chorus.replicationFactor" . }}',
    });
    // Nothing of the stand-ins is left: every value the release decides is an expression.
    expect(render()).not.toMatch(/helm_environment|helm-postgres-host|helm-cdc-password|'997'/);
  });

  it('is stale when setup-connector prints another config, and says how to write it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-connector-'));
    const changed = join(dir, 'main.cjs');
    // setup-connector as it is, with one Debezium setting changed.
    writeFileSync(
      changed,
      `process.argv.push('--print-config');
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (text, ...rest) => write(text.replace('"poll.interval.ms": "20"', '"poll.interval.ms": "50"'), ...rest);
require(${JSON.stringify(BUNDLE)});`,
    );
    expect(render(changed)).toContain("poll.interval.ms: '50'");
    expect(stale(changed)).toBe(
      "deploy/helm/chorus/files/connector.yaml is not setup-connector's current config: run npx nx run chart:connector-config and commit it",
    );
  });

  it('refuses a bundle that does not print a config, naming the build', () => {
    expect(() => render(join(tmpdir(), 'no-such-bundle.cjs'))).toThrow(ConnectorConfigError);
    expect(() => render(join(tmpdir(), 'no-such-bundle.cjs'))).toThrow(/npx nx run setup-connector:build/);
  });
});
