/**
 * How the change topic is laid out, read by setup-connector (Debezium creates the topic with it) and the
 * stream processor (which creates it first when it starts first, and adds partitions an older topic lacks).
 * Debezium keys each event by the task's primary key, so a task's changes stay in one partition, in order.
 */
import { env } from './fields.ts';
import { defaults } from './defaults.ts';

export const changeTopicEnv = {
  CHANGE_TOPIC_PARTITIONS: env.positiveInt().max(1000).default(defaults.changeTopic.partitions),
  KAFKA_REPLICATION_FACTOR: env.positiveInt().max(7).default(defaults.changeTopic.replicationFactor),
};

export interface ChangeTopicLayout {
  partitions: number;
  /** Copies of each partition (and of Connect's own topics): one per broker, up to three. */
  replicationFactor: number;
}

export function changeTopicLayout(c: {
  CHANGE_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
}): ChangeTopicLayout {
  return { partitions: c.CHANGE_TOPIC_PARTITIONS, replicationFactor: c.KAFKA_REPLICATION_FACTOR };
}
