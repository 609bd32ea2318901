/**
 * What this platform needs of each service's effective configuration, whichever image runs it. A setting
 * the Compose file forgot shows here even when the look-alike and upstream agree on its absence.
 */
import type { Properties } from './properties.ts';
import { KAFKA_DEFAULT_LOG_DIR, KAFKA_DEFAULT_WORKER } from './rules.ts';

const under = (path: string, mounts: string[]) =>
  mounts.some((m) => path === m || path.startsWith(`${m.replace(/\/$/, '')}/`));

/** The broker's needs: its logs on the service's volume, and internal topics a one-broker cluster can hold. */
export function kafkaNeeds(p: Properties, mounts: string[]): string[] {
  const problems: string[] = [];
  const dirs = (p['log.dirs'] ?? p['log.dir'] ?? KAFKA_DEFAULT_LOG_DIR).split(',');
  for (const dir of dirs) {
    if (!under(dir, mounts))
      problems.push(
        `log.dirs is ${dir}, which is on no volume of the service (${mounts.join(', ') || 'none'}): set KAFKA_LOG_DIRS to a path on its volume, or every topic is lost with the container`,
      );
  }
  const brokers = (p['controller.quorum.voters'] ?? '').split(',').filter(Boolean).length || 1;
  // Kafka's defaults for these are 3 and 2: a smaller cluster cannot create the topics.
  for (const [key, variable] of [
    ['offsets.topic.replication.factor', 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR'],
    ['transaction.state.log.replication.factor', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR'],
    ['transaction.state.log.min.isr', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR'],
  ] as const) {
    const value = Number(p[key] ?? (key.endsWith('min.isr') ? 2 : 3));
    if (value > brokers)
      problems.push(`${key} is ${value} on a ${brokers}-broker cluster: set ${variable} to at most ${brokers}`);
  }
  return problems;
}

/**
 * The worker's needs: the environment's own internal topics and group, and, where the connector's password
 * comes from the worker's environment (`${env:…}`), the env config provider.
 */
export function connectNeeds(p: Properties, { passwordFromEnv }: { passwordFromEnv: boolean }): string[] {
  const problems: string[] = [];
  for (const [key, variable] of [
    ['config.storage.topic', 'CONFIG_STORAGE_TOPIC'],
    ['offset.storage.topic', 'OFFSET_STORAGE_TOPIC'],
    ['status.storage.topic', 'STATUS_STORAGE_TOPIC'],
  ] as const) {
    if (!p[key] || p[key] === KAFKA_DEFAULT_WORKER[key])
      problems.push(`${key} is ${p[key] || 'unset'}, not the environment's own: set ${variable}`);
  }
  if (!p['group.id'] || p['group.id'] === '1' || p['group.id'] === KAFKA_DEFAULT_WORKER['group.id'])
    problems.push(`group.id is ${p['group.id'] || 'unset'}, not the environment's own: set GROUP_ID`);
  const envProvider =
    (p['config.providers'] ?? '').split(',').includes('env') &&
    p['config.providers.env.class'] === 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';
  if (passwordFromEnv && !envProvider) {
    problems.push(
      'the env config provider is not configured: set CONNECT_CONFIG_PROVIDERS=env and CONNECT_CONFIG_PROVIDERS_ENV_CLASS, or the connector cannot read ${env:CHORUS_CDC_PASSWORD}',
    );
  }
  return problems;
}
