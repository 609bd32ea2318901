/**
 * The chart's values.schema.json, which helm applies to every install, upgrade, template and lint: the
 * chart's own values pass it, and each mistake a user makes in a values file is refused by name. (The
 * chart's lint, deploy/helm/lint.sh, shows helm itself refusing a broken file.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CHART = join(import.meta.dirname, '..', 'chorus');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
const defaults = (): Record<string, any> => parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));

/** The schema's complaints about `values`, as `path: message`; none when it is accepted. */
function problems(values: unknown): string[] {
  return validate(values)
    ? []
    : (validate.errors ?? []).map(
        (e) =>
          `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
      );
}

describe("the chart's values schema", () => {
  it("accepts the chart's own values", () => {
    expect(problems(defaults())).toEqual([]);
  });

  it('accepts three brokers, two Connect workers and four processor replicas', () => {
    const v = defaults();
    Object.assign(v.bundled.kafka, { replicas: 3 });
    Object.assign(v.bundled.connect, { replicas: 2 });
    Object.assign(v.processor, { replicas: 4 });
    v.stream.partitions = 4;
    expect(problems(v)).toEqual([]);
  });

  it("accepts the operators mode with Connect's image", () => {
    const v = defaults();
    v.mode = 'operators';
    v.operators.connect.image = 'registry.example/chorus/connect:1';
    expect(problems(v)).toEqual([]);
  });

  it.each([
    [
      'a misspelt key',
      (v: any) => (v.processor.replica = 2),
      '/processor: must NOT have additional properties (replica)',
    ],
    ['a replica count as text', (v: any) => (v.processor.replicas = '2'), '/processor/replicas: must be integer'],
    ['no processor at all', (v: any) => (v.processor.replicas = 0), '/processor/replicas: must be >= 1'],
    [
      'two brokers (no quorum with min.insync.replicas 2)',
      (v: any) => (v.bundled.kafka.replicas = 2),
      '/bundled/kafka/replicas: must be equal to one of the allowed values',
    ],
    [
      'a mode that does not exist',
      (v: any) => (v.mode = 'external'),
      '/mode: must be equal to one of the allowed values',
    ],
    [
      "the operators mode without Connect's image",
      (v: any) => (v.mode = 'operators'),
      '/operators/connect/image: must NOT have fewer than 1 characters',
    ],
    [
      'two Kafka nodes under the operators',
      (v: any) => {
        Object.assign(v, { mode: 'operators' });
        Object.assign(v.operators.connect, { image: 'registry.example/chorus/connect:1' });
        Object.assign(v.operators.kafka, { replicas: 2 });
      },
      '/operators/kafka/replicas: must be equal to one of the allowed values',
    ],
    [
      'an environment name with a hyphen',
      (v: any) => (v.environment = 'my-prod'),
      '/environment: must match pattern "^[a-z_][a-z0-9_]{0,62}$"',
    ],
    [
      'a password in values',
      (v: any) => (v.postgresPassword = 'secret'),
      '/: must NOT have additional properties (postgresPassword)',
    ],
    [
      'a container without limits',
      (v: any) => delete v.web.resources.limits,
      "/web/resources: must have required property 'limits'",
    ],
    [
      'a memory size without a unit that Kubernetes knows',
      (v: any) => (v.web.resources.limits.memory = '512MB'),
      '/web/resources/limits/memory: must match pattern',
    ],
    [
      'sign-in left to a typo',
      (v: any) => (v.web.signIn = 'requried'),
      '/web/signIn: must be equal to one of the allowed values',
    ],
  ])('refuses %s, naming where', (_what, breakIt, expected) => {
    const v = defaults();
    breakIt(v);
    const found = problems(v);
    expect(found.length, found.join('\n')).toBeGreaterThan(0);
    expect(found.join('\n')).toContain(expected);
  });
});
