/**
 * `make parity`: for every Compose file, the Kafka and Kafka Connect configuration the look-alikes really
 * write from the service's environment must equal what upstream's documented rules give for the same
 * environment, and must meet what the platform needs (both in @chorus/image-rules).
 *   --drop SERVICE.VARIABLE   plant a missing variable (repeatable), to see the check fail
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTAINER_ADDRESS,
  type Properties,
  connectNeeds,
  connectWorkerProperties,
  differences,
  kafkaNeeds,
  kafkaServerProperties,
  parseProperties,
} from '@chorus/image-rules';
import type { Context } from 'env-cli/context.ts';
import { print } from 'env-cli/output.ts';
import { SOURCES, resolveServices } from '../compose-rules.ts';
import { capture } from '../lookalike.ts';

const say = (m: string) => print(`parity: ${m}`);

export interface ParityOptions {
  /** SERVICE.VARIABLE removed from every Compose file first: a planted fault, to see the check fail. */
  drop: string[];
}

export async function parity(ctx: Context, options: ParityOptions): Promise<number> {
  const { root } = ctx;
  const versions = ctx.versions();
  const kafkaDefault = parseProperties(
    readFileSync(join(root, 'infrastructure/kafka/docker/server.properties'), 'utf8'),
  );
  let failed = 0;
  for (const source of SOURCES) {
    const services = resolveServices(root, source);
    for (const drop of options.drop) {
      const [service, variable] = drop.split('.', 2) as [string, string];
      if (services[service]) delete services[service].environment[variable];
      say(`${source.name}: ${variable} removed from ${service} (planted)`);
    }
    const checks: [string, () => Promise<[Properties, Properties, string[]]>][] = [
      [
        'kafka',
        async () => {
          const s = services.kafka!;
          const got = await capture(
            versions.KAFKA_LOCAL,
            s.environment,
            'kafka.Kafka',
            '/opt/kafka/config/server.properties',
          );
          const actual = parseProperties(got.text);
          return [kafkaServerProperties(s.environment, kafkaDefault), actual, kafkaNeeds(actual, s.mounts)];
        },
      ],
      [
        'kafka-connect',
        async () => {
          const s = services['kafka-connect']!;
          const got = await capture(
            versions.CONNECT_LOCAL,
            s.environment,
            'ConnectDistributed',
            '/kafka/config/connect-distributed.properties',
          );
          const actual = Object.fromEntries(
            Object.entries(parseProperties(got.text)).map(([k, v]) => [k, v === got.address ? CONTAINER_ADDRESS : v]),
          );
          return [
            connectWorkerProperties(s.environment),
            actual,
            connectNeeds(actual, { passwordFromEnv: 'CHORUS_CDC_PASSWORD' in s.environment }),
          ];
        },
      ],
    ];
    for (const [service, check] of checks) {
      const [expected, actual, needs] = await check();
      const diff = differences(expected, actual);
      const problems = [...diff.map((d) => `look-alike differs from upstream: ${d}`), ...needs];
      if (problems.length === 0)
        say(`${source.name} ${service}: ${Object.keys(actual).length} settings, exactly upstream's; every need met`);
      else {
        failed++;
        say(`${source.name} ${service}: FAIL`);
        for (const p of problems) say(`  ${p}`);
      }
    }
  }
  say(failed === 0 ? 'passed' : `${failed} service configuration(s) failed; the lines above name the fix`);
  return failed === 0 ? 0 : 1;
}
