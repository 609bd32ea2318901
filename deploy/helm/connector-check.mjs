// The chart's KafkaConnector (`operators` mode) against the config setup-connector registers (`bundled`):
// setup-connector is run with --print-config and the environment its container gets in the bundled render,
// and every key must agree but the two that the mode decides: where Postgres is, and how the password is read.
// Usage: node connector-check.mjs BUNDLED.yaml OPERATORS.yaml SETUP-CONNECTOR-BUNDLE
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const [bundledFile, operatorsFile, bundle] = process.argv.slice(2);
const docs = (file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const fail = (why) => {
  console.error(`chart: FAIL: ${why}`);
  process.exit(1);
};

const job = docs(bundledFile).find((d) => d.kind === 'Job');
const container = job?.spec.template.spec.containers.find((c) => c.name === 'setup-connector');
if (!container) fail('the bundled render has no setup-connector container');
// Secrets are not rendered: a stand-in for each, which --print-config only echoes.
const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? `from-secret-${e.name}`]));
const printed = spawnSync(process.execPath, [bundle, '--print-config'], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8' });
if (printed.status !== 0) fail(`setup-connector --print-config exited ${printed.status}: ${printed.stderr}`);
const registered = JSON.parse(printed.stdout);

const connector = docs(operatorsFile).find((d) => d.kind === 'KafkaConnector');
if (!connector) fail('the operators render has no KafkaConnector');
const chart = connector.spec.config;
const byMode = new Set(['database.hostname', 'database.password']);
const problems = [...new Set([...Object.keys(registered.config), ...Object.keys(chart)])]
  .filter((key) => !byMode.has(key) && registered.config[key] !== chart[key])
  .map((key) => `${key}: setup-connector ${JSON.stringify(registered.config[key])}, chart ${JSON.stringify(chart[key])}`);
if (connector.metadata.name !== registered.name) problems.push(`name: setup-connector ${registered.name}, chart ${connector.metadata.name}`);
if (connector.spec.class !== registered.config['connector.class']) problems.push(`class: chart ${connector.spec.class}`);
if (!/^\$\{secrets:[^/]+\/[^:]+:CHORUS_CDC_PASSWORD\}$/.test(chart['database.password'])) problems.push(`database.password: not read from the Secret: ${chart['database.password']}`);
if (problems.length > 0) fail(`the KafkaConnector's config differs from setup-connector's (apps/setup-connector/src/connector-config.ts is its home):\n  ${problems.join('\n  ')}`);
console.log(`chart: the KafkaConnector's config is setup-connector's (${Object.keys(chart).length} keys; the host and the password's source by mode)`);
