/**
 * The scale profile: the same environment with three Kafka brokers (KRaft, each broker and controller),
 * every topic in three copies with min.insync.replicas 2, two Kafka Connect workers in one group, and the
 * stream processor as replicas of one consumer group over a partitioned change topic. The Compose files
 * hold the services (profile `scale`); these are the values that turn it on.
 */
export const SCALE = {
  brokers: ['kafka', 'kafka-2', 'kafka-3'],
  connectWorkers: ['kafka-connect', 'kafka-connect-2'],
  processorReplicas: 2,
  partitions: 6,
  replicationFactor: 3,
  minInsyncReplicas: 2,
} as const;

/** The Compose interpolation variables of the scale profile. */
export function scaleVars(): Record<string, string> {
  return {
    COMPOSE_PROFILES: 'scale',
    KAFKA_QUORUM_VOTERS: SCALE.brokers.map((b, i) => `${i + 1}@${b}:9093`).join(','),
    KAFKA_BOOTSTRAP: SCALE.brokers.map((b) => `${b}:9092`).join(','),
    KAFKA_REPLICATION_FACTOR: String(SCALE.replicationFactor),
    KAFKA_MIN_INSYNC_REPLICAS: String(SCALE.minInsyncReplicas),
    CHANGE_TOPIC_PARTITIONS: String(SCALE.partitions),
    PROCESSOR_REPLICAS: String(SCALE.processorReplicas),
  };
}

/** Whether a service of a Compose file runs with these profiles active: one without profiles always does. */
export function runsWith(service: { profiles?: string[] }, active: readonly string[]): boolean {
  return !service.profiles || service.profiles.some((p) => active.includes(p));
}
