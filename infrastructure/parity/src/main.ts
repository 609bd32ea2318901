/**
 * `make parity`: for every Compose file, the Kafka and Kafka Connect configuration the look-alikes really
 * write from the service's environment must equal what upstream's documented rules give for the same
 * environment, and must meet what the platform needs (both in @chorus/image-rules).
 *   --drop SERVICE.VARIABLE   plant a missing variable (repeatable), to see the check fail
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { readVersions } from '@chorus/versions';
import { SOURCES, resolveServices } from './compose.ts';
import { capture } from './lookalike.ts';
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

const root = fileURLToPath(new URL('../../../', import.meta.url));
const say = (m: string) => void process.stdout.write(`parity: ${m}\n`);

const options = new Command()
  .name('parity')
  .option(
    '--drop <service.variable>',
    'remove a variable from that service in every Compose file first',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .parse()
  .opts<{ drop: string[] }>();

async function main(): Promise<number> {
  const versions = readVersions(root);
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

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    say(`error: ${error.message}`);
    process.exit(1);
  },
);
