/**
 * The change-data-capture path's latency settings, in one place. `low-latency` is what every
 * environment runs; `baseline` is the upstream defaults, kept so that `make bench` can measure what
 * the tuning buys in the same run. Neither weakens durability: the producer keeps acks=all and
 * idempotence, Postgres keeps its commit settings.
 */
import { z } from 'zod';

export const CDC_PROFILES = ['low-latency', 'baseline'] as const;
export type CdcProfile = (typeof CDC_PROFILES)[number];

/** CDC_PROFILE, read by setup-connector (the connector config) and the stream processor (its consumer). */
export const cdcProfileEnv = {
  CDC_PROFILE: z
    .enum(CDC_PROFILES, { error: `CDC_PROFILE must be one of ${CDC_PROFILES.join(', ')}` })
    .default('low-latency'),
};

export interface ConsumerTuning {
  /** kafkajs: how long the broker may hold a fetch that has less than minBytes. */
  maxWaitTimeInMs: number;
  /** kafkajs: the bytes a fetch waits for (up to maxWaitTimeInMs) before the broker answers; 1 by default. */
  minBytes?: number;
  /** Whether Kafka's committed offset (only a hint: the position lives in Redis) is awaited per batch. */
  awaitCommit: boolean;
}

export interface CdcTuning {
  /** Debezium and Connect producer properties, added to the connector config. */
  connector: Record<string, string>;
  consumer: ConsumerTuning;
}

const PROFILES: Record<CdcProfile, CdcTuning> = {
  baseline: {
    connector: {},
    consumer: { maxWaitTimeInMs: 5000, awaitCommit: true },
  },
  'low-latency': {
    // Each wait below is short against the 500 ms and 5 s it replaces, and long enough to batch. With 5 ms,
    // linger 0 and fetches answered at the first byte, single-row commits kept Connect and Kafka busy (62 %
    // and 41 % of a core at 200 tx/s, docker stats) and starved Postgres and the web app of the cores they
    // commit with: make bench's single-row 1,000 tx/s committed 682 a second, p50 1.3 s, nearly all of it
    // before the commit; with these, in the same setup, 888 and 107 ms.
    connector: {
      // Debezium sleeps this long whenever it finds no change (500 ms by default): the latency floor.
      'poll.interval.ms': '20',
      // Room for bursts: the queue between the replication stream and Connect, and each poll's batch.
      'max.queue.size': '32768',
      'max.batch.size': '8192',
      // The connector's own producer (Connect's default client override policy allows these): send within
      // 10 ms, in big batches when there is a backlog; acks=all and idempotence stay as Connect sets them.
      'producer.override.linger.ms': '10',
      'producer.override.batch.size': '262144',
    },
    // The broker answers a fetch once 64 KB are there or 20 ms have passed, whichever is first.
    consumer: { maxWaitTimeInMs: 20, minBytes: 65536, awaitCommit: false },
  },
};

export const cdcTuning = (profile: CdcProfile): CdcTuning => PROFILES[profile];
