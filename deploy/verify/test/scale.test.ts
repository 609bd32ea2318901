import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readComposeFile } from 'env-cli/compose-file.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { SCALE, runsWith, scaleVars } from '../src/scale.ts';

const root = resolve(import.meta.dirname, '../../..');
const file = readComposeFile(root, ENVIRONMENTS.test);
const scaled = (name: string) =>
  Object.entries(file.services)
    .filter(([, s]) => runsWith(s, ['scale']))
    .map(([n]) => n)
    .includes(name);

describe('the scale profile', () => {
  it('has a service for every broker and Connect worker it names, and only those run without it', () => {
    for (const name of [...SCALE.brokers, ...SCALE.connectWorkers]) expect(scaled(name), name).toBe(true);
    const single = Object.entries(file.services)
      .filter(([, s]) => runsWith(s, []))
      .map(([n]) => n);
    expect(single).toContain('kafka');
    expect(single).toContain('kafka-connect');
    expect(single).not.toContain('kafka-2');
    expect(single).not.toContain('kafka-connect-2');
  });

  it('gives each broker its own node id and advertised address, matching the quorum it sets', () => {
    const voters = scaleVars().KAFKA_QUORUM_VOTERS!.split(',');
    SCALE.brokers.forEach((broker, i) => {
      const environment = file.services[broker]!.environment!;
      expect(Number(environment.KAFKA_NODE_ID)).toBe(i + 1);
      expect(environment.KAFKA_ADVERTISED_LISTENERS).toBe(`INTERNAL://${broker}:9092`);
      expect(voters[i]).toBe(`${i + 1}@${broker}:9093`);
      expect(environment.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('${KAFKA_QUORUM_VOTERS:-1@kafka:9093}');
    });
  });

  it('names each Connect worker by its service, so that the worker running the task can be found and killed', () => {
    for (const worker of SCALE.connectWorkers)
      expect(file.services[worker]!.environment!.ADVERTISED_HOST_NAME).toBe(worker);
    // Connect creates its topics with the profile's copies: it waits for every broker, each only when it runs.
    const after = file.services['kafka-connect']!.depends_on as Record<
      string,
      { condition?: string; required?: boolean }
    >;
    for (const broker of SCALE.brokers.slice(1))
      expect(after[broker]).toEqual({ condition: 'service_healthy', required: false });
  });

  it('sets every variable the file reads for it, and more copies than min.insync.replicas', () => {
    const text = JSON.stringify(file);
    for (const name of Object.keys(scaleVars()).filter((n) => n !== 'COMPOSE_PROFILES'))
      expect(text, name).toContain(`\${${name}:-`);
    expect(SCALE.replicationFactor).toBeGreaterThan(SCALE.minInsyncReplicas);
    expect(SCALE.replicationFactor).toBeLessThanOrEqual(SCALE.brokers.length);
    expect(SCALE.partitions % SCALE.processorReplicas).toBe(0);
  });
});
