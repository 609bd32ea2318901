/**
 * `make parity`: for every Compose file, the Kafka and Kafka Connect configuration the look-alikes really
 * write from the service's environment must equal what upstream's documented rules give for the same
 * environment, and must meet what the platform needs (both in @chorus/image-rules).
 * prod's broker is also started with an SSL listener and a JMX port, as a user may add them: the stores and
 * passwords must come from upstream's file variables, and the JVM must get upstream's JMX flags.
 *   --drop SERVICE.VARIABLE   plant a missing variable (repeatable), to see the check fail
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import {
  CONTAINER_ADDRESS,
  type Env,
  KAFKA_SECRETS_DIR,
  type Properties,
  connectNeeds,
  connectWorkerProperties,
  differences,
  jmxFlagsOf,
  kafkaJmxFlags,
  kafkaNeeds,
  kafkaServerProperties,
  parseProperties,
} from '@chorus/image-rules';
import { docker } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { print } from 'env-cli/output.ts';
import { SOURCES, resolveServices } from '../compose-rules.ts';
import { capture } from '../lookalike.ts';

const say = (m: string) => print(`parity: ${m}`);

export interface ParityOptions {
  /** SERVICE.VARIABLE removed from every Compose file first: a planted fault, to see the check fail. */
  drop: string[];
}

/** What a user adds to the broker for an SSL listener (client auth required) and remote JMX. */
const SSL_AND_JMX: Env = {
  KAFKA_LISTENERS: 'INTERNAL://:9092,CONTROLLER://:9093,SSL://:9094',
  KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka:9092,SSL://kafka:9094',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SSL:SSL',
  KAFKA_SSL_KEYSTORE_FILENAME: 'broker.keystore.jks',
  KAFKA_SSL_KEY_CREDENTIALS: 'key_creds',
  KAFKA_SSL_KEYSTORE_CREDENTIALS: 'keystore_creds',
  KAFKA_SSL_CLIENT_AUTH: 'required',
  KAFKA_SSL_TRUSTSTORE_FILENAME: 'broker.truststore.jks',
  KAFKA_SSL_TRUSTSTORE_CREDENTIALS: 'truststore_creds',
  KAFKA_JMX_PORT: '9101',
  KAFKA_JMX_HOSTNAME: 'kafka',
};

/** A real keystore and truststore (made with the image's own keytool) and their credentials files. */
function sslSecrets(image: string, dir: string): void {
  const password = 'parity-check';
  for (const file of ['key_creds', 'keystore_creds', 'truststore_creds'])
    writeFileSync(join(dir, file), `${password}\n`);
  chmodSync(dir, 0o777);
  const keytool = (args: string[]) => {
    const r = docker([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${dir}:/s`,
      '--entrypoint',
      'keytool',
      image,
      ...args,
    ]);
    if (!r.ok) throw new OperatorError(`keytool in ${image} failed: ${r.err}`);
  };
  const store = ['-storepass', password, '-storetype', 'JKS', '-alias', 'kafka'];
  const keystore = ['-keystore', '/s/broker.keystore.jks', ...store];
  keytool(['-genkeypair', ...keystore, '-keypass', password, '-keyalg', 'RSA', '-dname', 'CN=kafka', '-validity', '2']);
  keytool(['-exportcert', ...keystore, '-rfc', '-file', '/s/kafka.crt']);
  keytool(['-importcert', '-noprompt', '-keystore', '/s/broker.truststore.jks', ...store, '-file', '/s/kafka.crt']);
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
  failed += await sslAndJmx(versions.KAFKA_LOCAL, resolveServices(root, SOURCES[0]!).kafka!.environment, options.drop);
  say(failed === 0 ? 'passed' : `${failed} service configuration(s) failed; the lines above name the fix`);
  return failed === 0 ? 0 : 1;
}

/** prod's broker with an SSL listener and remote JMX: 0 when the look-alike does what upstream's rules say. */
async function sslAndJmx(image: string, prodKafka: Env, drop: string[]): Promise<number> {
  const env: Env = { ...prodKafka, ...SSL_AND_JMX };
  for (const d of drop.filter((x) => x.startsWith('kafka.'))) delete env[d.slice('kafka.'.length)];
  const dir = mkdtempSync(join(tmpdir(), 'chorus-parity-ssl-'));
  try {
    sslSecrets(image, dir);
    const readSecret = (name: string) => readFileSync(join(dir, name), 'utf8');
    const problems: string[] = [];
    let expected: Properties = {};
    try {
      expected = kafkaServerProperties(env, {}, readSecret);
    } catch (error) {
      problems.push(`upstream would refuse this environment: ${(error as Error).message}`);
    }
    const got = await capture(image, env, 'kafka.Kafka', '/opt/kafka/config/server.properties', {
      [dir]: KAFKA_SECRETS_DIR,
    }).catch((error: unknown) => {
      problems.push(`the look-alike did not start the broker: ${(error as Error).message}`);
      return undefined;
    });
    if (got) {
      const actual = parseProperties(got.text);
      const ssl = (p: Properties) => Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith('ssl.')));
      problems.push(...differences(expected, actual).map((d) => `look-alike differs from upstream: ${d}`));
      if (!actual['ssl.keystore.location'])
        problems.push('ssl.keystore.location is unset: the SSL listener would start without a keystore');
      problems.push(
        ...differences(kafkaJmxFlags(env), jmxFlagsOf(got.args)).map((d) => `the JVM's JMX flags differ: ${d}`),
      );
      if (problems.length === 0)
        say(
          `prod kafka with SSL and JMX: ${Object.keys(ssl(actual)).length} ssl.* settings and ${Object.keys(jmxFlagsOf(got.args)).length} JMX flags, exactly upstream's`,
        );
    }
    if (problems.length === 0) return 0;
    say('prod kafka with SSL and JMX: FAIL');
    for (const p of problems) say(`  ${p}`);
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
