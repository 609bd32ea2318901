// Writes the chart's connector (chorus/files/connector.yaml) from setup-connector --print-config, its one
// home: setup-connector is run with a stand-in for each value the release decides, and each stand-in becomes
// the Helm expression that decides it (the chart renders the file with `tpl`).
// Usage: tsx connector-config.ts [--check]   (--check: exit 1 if the committed file is not current)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BUNDLE = join(here, '../../apps/setup-connector/dist/main.cjs');
export const TARGET = join(here, 'chorus/files/connector.yaml');
const REGENERATE = 'npx nx run chart:connector-config';

/** Each stand-in: the variable setup-connector reads it from, and the expression the chart puts in its place. */
const STAND_INS: { variable: string; value: string; expression: string; whole?: boolean }[] = [
  { variable: 'CHORUS_ENV', value: 'helm_environment', expression: '{{ .Values.environment }}' },
  { variable: 'POSTGRES_HOST', value: 'helm-postgres-host', expression: '{{ include "chorus.postgresHost" . }}' },
  // Strimzi's KubernetesSecretConfigProvider reads it from the release's Secret: the config holds no password.
  {
    variable: 'CONNECTOR_DATABASE_PASSWORD',
    value: 'helm-cdc-password',
    expression: '${secrets:{{ .Release.Namespace }}/{{ include "chorus.secret" . }}:CHORUS_CDC_PASSWORD}',
  },
  { variable: 'CHANGE_TOPIC_PARTITIONS', value: '997', expression: '{{ .Values.stream.partitions }}', whole: true },
  {
    variable: 'KAFKA_REPLICATION_FACTOR',
    value: '7',
    expression: '{{ include "chorus.replicationFactor" . }}',
    whole: true,
  },
];

export class ConnectorConfigError extends Error {}

/** The file's text, from the setup-connector bundle given. */
export function render(bundle = BUNDLE): string {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    POSTGRES_USER: 'chorus_cdc',
    POSTGRES_PASSWORD: 'unused',
  };
  for (const s of STAND_INS) env[s.variable] = s.value;
  const printed = spawnSync(process.execPath, [bundle, '--print-config'], { env, encoding: 'utf8' });
  if (printed.error || printed.status !== 0) {
    throw new ConnectorConfigError(
      `setup-connector --print-config failed (${printed.error?.message ?? `exit ${printed.status}`}): ${printed.stderr}` +
        'build it first: npx nx run setup-connector:build',
    );
  }
  const { name, config } = JSON.parse(printed.stdout) as { name: string; config: Record<string, string> };
  const substitute = (value: string) => {
    let out = value;
    for (const s of STAND_INS)
      out = s.whole ? (out === s.value ? s.expression : out) : out.replaceAll(s.value, s.expression);
    return out;
  };
  for (const s of STAND_INS) {
    const uses = Object.values(config).filter((v) => (s.whole ? v === s.value : v.includes(s.value))).length;
    if (uses === 0) {
      throw new ConnectorConfigError(
        `${s.variable} no longer reaches the connector's config: remove its stand-in here`,
      );
    }
  }
  // Single quotes: YAML keeps backslashes and double quotes in them as they are; none of the values has one.
  const quote = (value: string) => {
    if (value.includes("'"))
      throw new ConnectorConfigError(`a value with a single quote cannot be templated: ${value}`);
    return `'${value}'`;
  };
  const lines = [
    '# Written by `' + REGENERATE + '` from setup-connector --print-config (apps/setup-connector is its',
    '# home: change it there). The chart renders it with `tpl`; make test fails while it is not current.',
    `name: ${quote(substitute(name))}`,
    'config:',
    ...Object.entries(config).map(([key, value]) => `  ${key}: ${quote(substitute(value))}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Whether the committed file is what setup-connector prints now; the reason if not. */
export function stale(bundle = BUNDLE): string | undefined {
  const current = readFileSync(TARGET, 'utf8');
  return current === render(bundle)
    ? undefined
    : `deploy/helm/chorus/files/connector.yaml is not setup-connector's current config: run ${REGENERATE} and commit it`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--check')) {
      const why = stale();
      if (why) throw new ConnectorConfigError(why);
      console.log('chart: files/connector.yaml is current');
    } else {
      writeFileSync(TARGET, render());
      console.log('chart: wrote files/connector.yaml from setup-connector --print-config');
    }
  } catch (error) {
    if (!(error instanceof ConnectorConfigError)) throw error;
    console.error(`chart: ${error.message}`);
    process.exit(1);
  }
}
