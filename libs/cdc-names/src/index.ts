/**
 * The one naming rule for an environment's change-data-capture objects. setup-connector creates them,
 * the stream processor consumes them, the env CLI reports on them, and the tests check that no two
 * environments share one: all of them ask this function.
 */
export interface CdcNames {
  /** Kafka Connect connector name. */
  connector: string;
  /** Postgres logical replication slot. */
  slot: string;
  /** Postgres publication. */
  publication: string;
  /** Debezium `topic.prefix`: topics are `<prefix>.<schema>.<table>`. */
  topicPrefix: string;
  /** The change topic of `public.task_queue`. */
  taskTopic: string;
  /** The stream processor's consumer group. */
  consumerGroup: string;
  /** Where the stream processor puts change events it cannot project, with the reason. */
  deadLetterTopic: string;
}

/** `env` is an environment name such as prod, dev or test: lower-case letters, digits, underscores. */
export function cdcNames(env: string, overrides: { topicPrefix?: string } = {}): CdcNames {
  const base = `chorus_${env}`;
  const topicPrefix = overrides.topicPrefix ?? base;
  return {
    connector: `chorus-${env}-postgres`,
    slot: base,
    publication: base,
    topicPrefix,
    taskTopic: `${topicPrefix}.public.task_queue`,
    consumerGroup: `chorus-${env}-stream-processor`,
    deadLetterTopic: `${topicPrefix}.dead-letter`,
  };
}
