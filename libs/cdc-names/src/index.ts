/**
 * The one naming rule for an environment's change-data-capture objects, and the one way to override a
 * name. setup-connector creates them, the stream processor consumes them, the backup and the env CLI
 * read and report on them, and the tests check that no two environments share one: all of them ask
 * this module.
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

/** The variable that overrides each name; the topics follow the prefix. */
export const CDC_NAME_VARIABLES = {
  connector: 'CONNECTOR_NAME',
  slot: 'SLOT_NAME',
  publication: 'PUBLICATION_NAME',
  topicPrefix: 'TOPIC_PREFIX',
  consumerGroup: 'CONSUMER_GROUP',
} as const satisfies Partial<Record<keyof CdcNames, string>>;

export type CdcNameOverrides = Partial<Record<keyof typeof CDC_NAME_VARIABLES, string>>;

/** `env` is an environment name such as prod, dev or test: lower-case letters, digits, underscores. */
export function cdcNames(env: string, overrides: CdcNameOverrides = {}): CdcNames {
  const base = `chorus_${env}`;
  const topicPrefix = overrides.topicPrefix ?? base;
  return {
    connector: overrides.connector ?? `chorus-${env}-postgres`,
    slot: overrides.slot ?? base,
    publication: overrides.publication ?? base,
    topicPrefix,
    taskTopic: `${topicPrefix}.public.task_queue`,
    consumerGroup: overrides.consumerGroup ?? `chorus-${env}-stream-processor`,
    deadLetterTopic: `${topicPrefix}.dead-letter`,
  };
}

/** The overrides that a set of variables holds (a process's, an env file's, a container's); empty is unset. */
export function cdcNameOverrides(vars: Readonly<Record<string, unknown>>): CdcNameOverrides {
  const overrides: CdcNameOverrides = {};
  for (const [name, variable] of Object.entries(CDC_NAME_VARIABLES) as [keyof CdcNameOverrides, string][]) {
    const value = vars[variable];
    if (typeof value === 'string' && value !== '') overrides[name] = value;
  }
  return overrides;
}
