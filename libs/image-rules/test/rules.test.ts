import { describe, expect, it } from 'vitest';
import {
  CONTAINER_ADDRESS,
  connectKey,
  connectNeeds,
  connectWorkerProperties,
  differences,
  jmxFlagsOf,
  kafkaJmxFlags,
  kafkaKey,
  kafkaNeeds,
  kafkaServerProperties,
  parseProperties,
} from '../src/index.ts';

const prodKafka = {
  KAFKA_NODE_ID: '1',
  KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_LISTENERS: 'INTERNAL://:9092,CONTROLLER://:9093',
  KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka:9092',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_LOG_DIRS: '/var/lib/kafka/data',
  KAFKA_HEAP_OPTS: '-Xmx384m -Xms384m',
  CLUSTER_ID: '5L6g3nShT-eMCtK--X86sw',
};

describe("upstream Kafka image's rules", () => {
  it('names properties as the Docker wrapper does', () => {
    expect(kafkaKey('KAFKA_LOG_DIRS')).toBe('log.dirs');
    expect(kafkaKey('KAFKA_CONFLUENT__SUPPORT___METRICS')).toBe('confluent_support-metrics');
  });

  it('builds server.properties from the KAFKA_* variables alone, leaving out JVM options and the cluster id', () => {
    const p = kafkaServerProperties(prodKafka, { 'log.dirs': '/tmp/kraft-combined-logs', 'num.partitions': '1' });
    expect(p['log.dirs']).toBe('/var/lib/kafka/data');
    expect(p['num.partitions']).toBeUndefined();
    expect(p['heap.opts']).toBeUndefined();
    expect(Object.keys(p)).toHaveLength(9);
  });

  it('falls back to the image default only when no KAFKA_* variable is set, and derives listeners from the advertised ones', () => {
    expect(kafkaServerProperties({ CLUSTER_ID: 'x' }, { 'log.dirs': '/tmp/kraft-combined-logs' })).toEqual({
      'log.dirs': '/tmp/kraft-combined-logs',
    });
    expect(kafkaServerProperties({ KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092' }, {}).listeners).toBe(
      'PLAINTEXT://0.0.0.0:9092',
    );
  });
});

describe("upstream Kafka image's SSL files and JMX port", () => {
  const ssl = {
    ...prodKafka,
    KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka:9092,SSL://kafka:9094',
    KAFKA_SSL_KEYSTORE_FILENAME: 'broker.keystore.jks',
    KAFKA_SSL_KEY_CREDENTIALS: 'key_creds',
    KAFKA_SSL_KEYSTORE_CREDENTIALS: 'keystore_creds',
    KAFKA_SSL_CLIENT_AUTH: 'required',
    KAFKA_SSL_TRUSTSTORE_FILENAME: 'broker.truststore.jks',
    KAFKA_SSL_TRUSTSTORE_CREDENTIALS: 'truststore_creds',
  };
  const secrets: Record<string, string> = { key_creds: 'k\n', keystore_creds: 'ks\n', truststore_creds: 'ts\n' };

  it('turns the file names into store locations and reads each password from its credentials file', () => {
    const p = kafkaServerProperties(ssl, {}, (name) => secrets[name]!);
    expect(p['ssl.keystore.location']).toBe('/etc/kafka/secrets/broker.keystore.jks');
    expect(p['ssl.truststore.location']).toBe('/etc/kafka/secrets/broker.truststore.jks');
    expect([p['ssl.key.password'], p['ssl.keystore.password'], p['ssl.truststore.password']]).toEqual([
      'k',
      'ks',
      'ts',
    ]);
    // The file variables are KAFKA_* variables too: the wrapper writes them as properties as well.
    expect(p['ssl.keystore.filename']).toBe('broker.keystore.jks');
  });

  it('needs no truststore without client auth, and no secret at all without an SSL listener', () => {
    const { KAFKA_SSL_CLIENT_AUTH: _, ...noClientAuth } = ssl;
    expect(kafkaServerProperties(noClientAuth, {}, (name) => secrets[name]!)['ssl.truststore.location']).toBe(
      undefined,
    );
    expect(() => kafkaServerProperties(prodKafka, {})).not.toThrow();
    expect(() => kafkaServerProperties(ssl, {})).toThrow('/etc/kafka/secrets/key_creds');
  });

  it('opens remote JMX on KAFKA_JMX_PORT, announced as KAFKA_JMX_HOSTNAME', () => {
    const want = kafkaJmxFlags({ KAFKA_JMX_PORT: '9101', KAFKA_JMX_HOSTNAME: 'kafka' });
    const args = ['java', '-Xmx1G', '-Dcom.sun.management.jmxremote=true', '-Djava.rmi.server.hostname=kafka'];
    args.push('-Dcom.sun.management.jmxremote.local.only=false', '-Dcom.sun.management.jmxremote.rmi.port=9101');
    expect(jmxFlagsOf([...args, '-Dcom.sun.management.jmxremote.port=9101', 'kafka.Kafka'])).toEqual(want);
    expect(differences(want, jmxFlagsOf(args))).toHaveLength(1);
    expect(kafkaJmxFlags(prodKafka)).toEqual({});
  });
});

describe('what a broker of this platform needs', () => {
  it('is met by the Compose settings', () => {
    expect(kafkaNeeds(kafkaServerProperties(prodKafka, {}), ['/var/lib/kafka/data'])).toEqual([]);
  });

  it('fails when KAFKA_LOG_DIRS is missing: Kafka would write to /tmp inside the container', () => {
    const { KAFKA_LOG_DIRS: _, ...planted } = prodKafka;
    expect(kafkaNeeds(kafkaServerProperties(planted, {}), ['/var/lib/kafka/data'])).toEqual([
      'log.dirs is /tmp/kafka-logs, which is on no volume of the service (/var/lib/kafka/data): set KAFKA_LOG_DIRS to a path on its volume, or every topic is lost with the container',
    ]);
  });

  it('fails when the transaction log keeps its replication factor of 3 on one broker', () => {
    const { KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: _, ...planted } = prodKafka;
    expect(kafkaNeeds(kafkaServerProperties(planted, {}), ['/var/lib/kafka/data'])).toEqual([
      'transaction.state.log.replication.factor is 3 on a 1-broker cluster: set KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR to at most 1',
    ]);
  });
});

const prodConnect = {
  BOOTSTRAP_SERVERS: 'kafka:9092',
  GROUP_ID: 'chorus-prod-connect',
  CONFIG_STORAGE_TOPIC: 'chorus_prod_connect_configs',
  OFFSET_STORAGE_TOPIC: 'chorus_prod_connect_offsets',
  STATUS_STORAGE_TOPIC: 'chorus_prod_connect_statuses',
  OFFSET_FLUSH_INTERVAL_MS: '1000',
  HEAP_OPTS: '-Xms256m -Xmx512m',
  CONNECT_CONFIG_PROVIDERS: 'env',
  CONNECT_CONFIG_PROVIDERS_ENV_CLASS: 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
  CONNECT_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: '^CHORUS_CDC_PASSWORD$',
  CHORUS_CDC_PASSWORD: 'secret',
};

describe("upstream Debezium Connect image's rules", () => {
  it('turns every "_" into "." and nothing else', () => {
    expect(connectKey('CONNECT_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN')).toBe(
      'config.providers.env.param.allowlist.pattern',
    );
  });

  it("starts from Kafka's default worker file, applies the short variables' defaults and each CONNECT_* line", () => {
    const p = connectWorkerProperties(prodConnect);
    expect(p).toMatchObject({
      'bootstrap.servers': 'kafka:9092',
      'group.id': 'chorus-prod-connect',
      'offset.flush.interval.ms': '1000',
      'offset.flush.timeout.ms': '5000',
      'task.shutdown.graceful.timeout.ms': '10000',
      'rest.advertised.host.name': CONTAINER_ADDRESS,
      'plugin.path': '/kafka/connect',
      'config.storage.replication.factor': '1',
      'key.converter.schemas.enable': 'true',
    });
    expect(p['heap.opts']).toBeUndefined();
    expect(connectNeeds(p, { passwordFromEnv: true })).toEqual([]);
  });

  it('fails what the platform needs when a variable is missing', () => {
    const { STATUS_STORAGE_TOPIC: _, CONNECT_CONFIG_PROVIDERS: __, ...planted } = prodConnect;
    expect(connectNeeds(connectWorkerProperties(planted), { passwordFromEnv: true })).toEqual([
      "status.storage.topic is connect-status, not the environment's own: set STATUS_STORAGE_TOPIC",
      'the env config provider is not configured: set CONNECT_CONFIG_PROVIDERS=env and CONNECT_CONFIG_PROVIDERS_ENV_CLASS, or the connector cannot read ${env:CHORUS_CDC_PASSWORD}',
    ]);
  });
});

describe('comparing files', () => {
  it('names what a look-alike adds, leaves out or sets otherwise', () => {
    const upstream = parseProperties('# comment\na=1\nb=2\n');
    expect(differences(upstream, parseProperties('a=1\nb=2'))).toEqual([]);
    expect(differences(upstream, parseProperties('a=1\nc=3\nb=9'))).toEqual([
      'b: upstream 2, the look-alike 9',
      'c: the look-alike sets 3, upstream leaves it unset',
    ]);
    expect(differences(upstream, parseProperties('a=1'))).toEqual([
      'b: upstream sets 2, the look-alike leaves it unset',
    ]);
  });
});
