import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseEnv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { type ComposeFile, bindings, hostPorts, namedVolumes, readComposeFile } from '../src/compose-file.ts';
import { ENVIRONMENTS, ENV_NAMES, type EnvName, repoRoot } from '../src/environments.ts';
import { isolationProblems } from '../src/isolation.ts';
import { ROLES } from '@chorus/db';

const root = repoRoot();
const files = () =>
  Object.fromEntries(ENV_NAMES.map((e) => [e, readComposeFile(root, ENVIRONMENTS[e])])) as Record<EnvName, ComposeFile>;

describe('the three Compose files', () => {
  it('share no host port, volume, network, slot, publication or topic prefix, and keep their own rules', () => {
    const f = files();
    const envFiles = {
      dev: parseEnv(readFileSync(join(root, ENVIRONMENTS.dev.envFile))),
      test: parseEnv(readFileSync(join(root, ENVIRONMENTS.test.envFile))),
    };
    expect(isolationProblems(f, envFiles)).toEqual([]);
  });

  it('publish only the UI in prod (5001), Prometheus and Alertmanager on loopback (9091, 9093), the UI and dev-only ports in dev (5002, …), nothing in test', () => {
    const f = files();
    expect(hostPorts(f.prod).sort()).toEqual([5001, 9091, 9093]);
    expect(hostPorts(f.dev)).toContain(5002);
    expect(hostPorts(f.test)).toEqual([]);
  });

  it("bind every host port to 127.0.0.1, except prod's UI (its HTTPS proxy), whose address .env.prod chooses", () => {
    const f = files();
    expect(bindings(f.prod).sort()).toEqual([
      'alertmanager 127.0.0.1:9093',
      'prometheus 127.0.0.1:9091',
      'proxy ${UI_BIND_ADDRESS:-0.0.0.0}:5001',
    ]);
    expect(bindings(f.dev).sort()).toEqual([
      'alertmanager 127.0.0.1:19093',
      'chorus-web 127.0.0.1:5002',
      'kafka 127.0.0.1:19092',
      'kafka-connect 127.0.0.1:18083',
      'postgres 127.0.0.1:15432',
      'prometheus 127.0.0.1:19090',
      'redis 127.0.0.1:16379',
    ]);
    expect(bindings(f.test)).toEqual([]);
  });

  it("bound every service's log: rotated at 10 MB, 3 files kept, so `docker logs` cannot fill the disk", () => {
    for (const [env, f] of Object.entries(files())) {
      const unbounded = Object.entries(f.services)
        .filter(([, s]) => {
          const logging = s.logging as { driver?: string; options?: Record<string, string> } | undefined;
          return (
            logging?.driver !== 'json-file' ||
            logging.options?.['max-size'] !== '10m' ||
            logging.options['max-file'] !== '3'
          );
        })
        .map(([name]) => name);
      expect(unbounded, env).toEqual([]);
    }
  });

  it('log each client in as its own role, and the superuser only to provision the roles', () => {
    for (const [env, f] of Object.entries(files())) {
      const user = (service: string) => f.services[service]?.environment?.POSTGRES_USER;
      expect([user('migrate'), user('chorus-web'), user('setup-connector')], env).toEqual([
        ROLES.owner,
        ROLES.app,
        ROLES.cdc,
      ]);
      const superuserClients = Object.entries(f.services).filter(
        ([, s]) =>
          s.environment?.POSTGRES_USER === '${POSTGRES_USER}' ||
          String(s.environment?.POSTGRES_USER).startsWith('${POSTGRES_USER:'),
      );
      expect(superuserClients.map(([name]) => name).sort(), env).toEqual(['postgres', 'roles']);
    }
  });

  it('keep Postgres data in the mandated named volumes', () => {
    const f = files();
    expect(namedVolumes(f.prod)).toContain('chorus-prod_postgres_data_prod');
    expect(namedVolumes(f.dev)).toContain('chorus-dev_postgres_data_dev');
    expect(namedVolumes(f.test)).toEqual([]);
  });

  it('read each environment with its own file, which names that environment', () => {
    for (const e of ['dev', 'test'] as const) {
      expect(parseEnv(readFileSync(join(root, ENVIRONMENTS[e].envFile))).CHORUS_ENV).toBe(e);
    }
  });

  it('leave no root docker-compose.yml behind', () => {
    for (const name of ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'])
      expect(existsSync(join(root, name))).toBe(false);
  });
});

describe('the check itself', () => {
  const mutated = (change: (f: Record<EnvName, ComposeFile>) => void) => {
    const f = files();
    change(f);
    return isolationProblems(f);
  };

  it('catches a port two environments share', () => {
    expect(mutated((f) => f.dev.services['chorus-web']!.ports!.push('5001:3000'))).toContain(
      'prod and dev share the host port 5001',
    );
  });

  it('catches a shared named volume and a shared network', () => {
    const problems = mutated((f) => {
      f.dev.volumes!.postgres_data_dev = { name: 'chorus-prod_postgres_data_prod' };
      f.test.networks = { ...f.test.networks, cache: { name: 'chorus-prod_cache' } };
    });
    expect(problems).toContain('prod and dev share the named volume chorus-prod_postgres_data_prod');
    expect(problems).toContain('prod and test share the network chorus-prod_cache');
  });

  it("catches a slot, publication or topic prefix two environments share, by their env files' overrides", () => {
    const overrides = { SLOT_NAME: 'chorus_prod', PUBLICATION_NAME: 'chorus_prod', TOPIC_PREFIX: 'chorus_prod' };
    const problems = isolationProblems(files(), { dev: overrides });
    expect(problems).toEqual(
      expect.arrayContaining([
        'prod and dev share the replication slot chorus_prod',
        'prod and dev share the publication chorus_prod',
        'prod and dev share the topic prefix chorus_prod',
      ]),
    );
  });

  it('catches a service that reads the CDC names but does not pass an override on', () => {
    const problems = mutated((f) => {
      delete f.prod.services.backup!.environment!.SLOT_NAME;
      delete f.test.services['chorus-stream-processor']!.environment!.TOPIC_PREFIX;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'prod: backup: SLOT_NAME is not passed on from the env file (add <<: *cdc-names to its environment)',
        'test: chorus-stream-processor: TOPIC_PREFIX is not passed on from the env file (add <<: *cdc-names to its environment)',
      ]),
    );
  });

  it('catches source mounted into prod, a port or named volume in test, and a missing healthcheck', () => {
    const problems = mutated((f) => {
      f.prod.services['chorus-web']!.volumes = ['../..:/workspace'];
      f.test.services.redis!.ports = ['6379:6379'];
      f.test.services.postgres!.volumes = ['pgdata:/var/lib/postgresql/data'];
      delete f.dev.services.redis!.healthcheck;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'prod: chorus-web mounts source from the host',
        'test: redis publishes a port',
        'test: postgres uses a named volume',
        'dev: long-running service redis has no healthcheck',
      ]),
    );
  });
});

describe('volumes a stop would leave behind', () => {
  const files = () =>
    Object.fromEntries(ENV_NAMES.map((e) => [e, readComposeFile(root, ENVIRONMENTS[e])])) as Record<
      EnvName,
      ComposeFile
    >;

  it("catch an anonymous volume in prod or dev, and a monitoring container without a mount at its image's VOLUME", () => {
    const f = files();
    f.prod.services['jmx-agent']!.volumes = ['/jmx'];
    delete f.dev.services['jmx-agent']!.tmpfs;
    expect(isolationProblems(f)).toEqual(
      expect.arrayContaining([
        'prod: jmx-agent has an anonymous volume, which make stop-prod leaves behind: name it',
        "dev: jmx-agent's image declares VOLUME /prometheus: mount a named volume or a tmpfs there",
      ]),
    );
  });
});
