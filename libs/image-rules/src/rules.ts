/**
 * Upstream's documented rules for turning a container's environment into its configuration, written out
 * here independently of the look-alikes, so that the two can be compared:
 * - apache/kafka: the image's configure step and Kafka's kafka.docker.KafkaDockerWrapper (docker/ in Kafka's
 *   source): server.properties is built from the KAFKA_* variables alone once any is set;
 * - quay.io/debezium/connect: the image's docker-entrypoint.sh (debezium/container-images, connect-base):
 *   Kafka's default worker file, with each CONNECT_* variable replacing or adding one line.
 */
import type { Properties } from './properties.ts';

export type Env = Record<string, string>;

/** KAFKA_* variables that are JVM or logging options, never server properties. */
const KAFKA_NOT_PROPERTIES = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
]);

/** KAFKA_LOG_DIRS -> log.dirs; "___" stands for "-" and "__" for "_". */
export const kafkaKey = (name: string) =>
  name.replaceAll('KAFKA_', '').toLowerCase().replaceAll('_', '.').replaceAll('...', '-').replaceAll('..', '_');

/** Where Kafka keeps its logs when log.dirs (and log.dir) is unset: inside the container, not on a volume. */
export const KAFKA_DEFAULT_LOG_DIR = '/tmp/kafka-logs';

/** Where the upstream image's configure step looks for an SSL listener's stores and credentials files. */
export const KAFKA_SECRETS_DIR = '/etc/kafka/secrets';

/** Reads a file in KAFKA_SECRETS_DIR by name (a credentials file holds one password). */
export type SecretReader = (name: string) => string;

const noSecrets: SecretReader = (name) => {
  throw new Error(`an SSL listener needs ${KAFKA_SECRETS_DIR}/${name}, and no secrets were given`);
};

/**
 * configure: an SSL listener takes its keystore by file name, and the key's and keystore's passwords from
 * credentials files; with client auth requested or required, its truststore likewise.
 */
function sslVars(env: Env, readSecret: SecretReader): Env {
  if (!env.KAFKA_ADVERTISED_LISTENERS?.includes('SSL://')) return {};
  const secret = (variable: string) => {
    if (!env[variable]) throw new Error(`${variable} environment variable not set`);
    return readSecret(env[variable]);
  };
  const stores = ['KAFKA_SSL_KEYSTORE'];
  if (/required|requested/.test(env.KAFKA_SSL_CLIENT_AUTH ?? '')) stores.push('KAFKA_SSL_TRUSTSTORE');
  const vars: Env = { KAFKA_SSL_KEY_PASSWORD: secret('KAFKA_SSL_KEY_CREDENTIALS').trim() };
  for (const store of stores) {
    if (!env[`${store}_FILENAME`]) throw new Error(`${store}_FILENAME environment variable not set`);
    vars[`${store}_LOCATION`] = `${KAFKA_SECRETS_DIR}/${env[`${store}_FILENAME`]}`;
    vars[`${store}_PASSWORD`] = secret(`${store}_CREDENTIALS`).trim();
  }
  return vars;
}

/** The server.properties the upstream Kafka image writes, with nothing mounted at /mnt/shared/config. */
export function kafkaServerProperties(env: Env, imageDefault: Properties, readSecret = noSecrets): Properties {
  const vars = { ...env, ...sslVars(env, readSecret) };
  // configure: listeners follow the advertised ones when unset (not on a controller-only node).
  if (!vars.KAFKA_LISTENERS && vars.KAFKA_PROCESS_ROLES !== 'controller' && vars.KAFKA_ADVERTISED_LISTENERS) {
    vars.KAFKA_LISTENERS = vars.KAFKA_ADVERTISED_LISTENERS.replace(/:\/\/[^:]*:/g, '://0.0.0.0:');
  }
  const fromEnv = Object.entries(vars).filter(
    ([k, v]) => k.startsWith('KAFKA_') && !KAFKA_NOT_PROPERTIES.has(k) && v.trim() !== '',
  );
  return fromEnv.length === 0 ? { ...imageDefault } : Object.fromEntries(fromEnv.map(([k, v]) => [kafkaKey(k), v]));
}

/**
 * The JMX system properties the upstream image's launch script gives the broker's JVM: with KAFKA_JMX_PORT,
 * remote JMX on that port (RMI too), announced as KAFKA_JMX_HOSTNAME (else the container's address).
 */
export function kafkaJmxFlags(env: Env): Properties {
  if (!env.KAFKA_JMX_PORT) return {};
  return {
    'com.sun.management.jmxremote.port': env.KAFKA_JMX_PORT,
    'com.sun.management.jmxremote.rmi.port': env.KAFKA_JMX_PORT,
    'com.sun.management.jmxremote.local.only': 'false',
    'java.rmi.server.hostname': env.KAFKA_JMX_HOSTNAME || CONTAINER_ADDRESS,
  };
}

/** The JMX system properties (-Dcom.sun.management.jmxremote.*, -Djava.rmi.server.hostname) of a JVM's arguments. */
export function jmxFlagsOf(args: string[]): Properties {
  const flags = args.filter((a) =>
    /^-D(com\.sun\.management\.jmxremote\.(port|rmi\.port|local\.only)|java\.rmi\.server\.hostname)=/.test(a),
  );
  return Object.fromEntries(flags.map((a) => a.slice(2).split(/=(.*)/s, 2) as [string, string]));
}

/** Kafka's own config/connect-distributed.properties, the file Debezium's image starts its worker from. */
export const KAFKA_DEFAULT_WORKER: Properties = {
  'bootstrap.servers': 'localhost:9092',
  'group.id': 'connect-cluster',
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter.schemas.enable': 'true',
  'offset.storage.topic': 'connect-offsets',
  'offset.storage.replication.factor': '1',
  'config.storage.topic': 'connect-configs',
  'config.storage.replication.factor': '1',
  'status.storage.topic': 'connect-status',
  'status.storage.replication.factor': '1',
  'offset.flush.interval.ms': '10000',
};

/** Variables the upstream Connect image itself sets (its Dockerfile's ENV). */
export const CONNECT_IMAGE_ENV: Env = {
  KAFKA_HOME: '/kafka',
  KAFKA_CONNECT_PLUGINS_DIR: '/kafka/connect',
  CONNECT_PLUGIN_PATH: '/kafka/connect',
};

/** Stands for the container's own address, which the entrypoint looks up at start. */
export const CONTAINER_ADDRESS = '<container address>';

/** CONNECT_OFFSET_FLUSH_INTERVAL_MS -> offset.flush.interval.ms: lower-cased, every "_" a "." and nothing else. */
export const connectKey = (name: string) =>
  name
    .replace(/^CONNECT_/, '')
    .toLowerCase()
    .replaceAll('_', '.');

/** The worker properties the upstream Debezium Connect image writes for `start`. */
export function connectWorkerProperties(env: Env): Properties {
  const e = { ...CONNECT_IMAGE_ENV, ...env };
  const host = e.HOST_NAME || CONTAINER_ADDRESS;
  const derived: Env = {
    CONNECT_REST_ADVERTISED_PORT: e.ADVERTISED_PORT || '8083',
    CONNECT_REST_ADVERTISED_HOST_NAME: e.ADVERTISED_HOST_NAME || host,
    CONNECT_REST_PORT: e.REST_PORT || '8083',
    CONNECT_REST_HOST_NAME: e.REST_HOST_NAME || host,
    CONNECT_BOOTSTRAP_SERVERS: e.BOOTSTRAP_SERVERS || '0.0.0.0:9092',
    CONNECT_GROUP_ID: e.GROUP_ID || '1',
    CONNECT_CONFIG_STORAGE_TOPIC: e.CONFIG_STORAGE_TOPIC ?? '',
    CONNECT_OFFSET_STORAGE_TOPIC: e.OFFSET_STORAGE_TOPIC ?? '',
    ...(e.STATUS_STORAGE_TOPIC ? { CONNECT_STATUS_STORAGE_TOPIC: e.STATUS_STORAGE_TOPIC } : {}),
    CONNECT_KEY_CONVERTER: e.KEY_CONVERTER || 'org.apache.kafka.connect.json.JsonConverter',
    CONNECT_VALUE_CONVERTER: e.VALUE_CONVERTER || 'org.apache.kafka.connect.json.JsonConverter',
    CONNECT_TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS: e.SHUTDOWN_TIMEOUT || '10000',
    CONNECT_OFFSET_FLUSH_INTERVAL_MS: e.OFFSET_FLUSH_INTERVAL_MS || '60000',
    CONNECT_OFFSET_FLUSH_TIMEOUT_MS: e.OFFSET_FLUSH_TIMEOUT_MS || '5000',
    CONNECT_PLUGIN_PATH: e.CONNECT_PLUGIN_PATH || e.KAFKA_CONNECT_PLUGINS_DIR || '',
  };
  const vars = { ...e, ...derived };
  const lines = Object.entries(vars).filter(([k]) => k.startsWith('CONNECT_') && !k.startsWith('CONNECT_LOG4J'));
  return { ...KAFKA_DEFAULT_WORKER, ...Object.fromEntries(lines.map(([k, v]) => [connectKey(k), v])) };
}

/**
 * Every Kafka script passes KAFKA_OPTS to its JVM. In the broker's container that variable loads the JMX
 * exporter agent on the broker's metrics port, so a tool started there (kafka-topics.sh, a console
 * producer) must run without it, or its JVM stops at once: the port is taken.
 */
export const KAFKA_TOOL_ENV = ['env', '-u', 'KAFKA_OPTS'] as const;
