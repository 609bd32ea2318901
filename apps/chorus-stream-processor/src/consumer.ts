import kafkajs, { type Admin, type Consumer, Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { ReadModel } from '@chorus/read-model';
import { Deadline, done, notYet, poll } from '@chorus/wait';
import type { Logger } from '@chorus/logger';
import type { Projector } from '@chorus/cdc-events';
import type { ChangeTopicLayout, ConsumerTuning } from '@chorus/config';

export type ConsumerState = 'starting' | 'running' | 'crashed' | 'stopped';

/** How often the processor checks that the read model still has its data (a flush, a lost volume). */
const EMPTY_CHECK_MS = 2000;

/**
 * A member that died (a crash, a broker restart) holds its partitions until its session times out, and
 * projection waits that long: 10 s rather than kafkajs's 30 s. Rebalances are cheap here, since the
 * position lives in Redis. Reconnecting backs off to 2 s at most, so a restarted broker is found soon.
 */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 2000;
const RETRY = { initialRetryTime: 250, maxRetryTime: 2000, retries: 10 };
/** A broker that died answers nothing: a request to it is given up after 10 s (kafkajs waits 30) and retried on the new leader. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Messages after the stored positions (the next offset to read, per partition), up to each partition's
 * high watermark; a partition with no stored position counts from its low watermark.
 */
export function unprojected(
  latest: { partition: number; high: string; low: string }[],
  stored: Map<number, string>,
): number {
  let lag = 0n;
  for (const p of latest) lag += BigInt(p.high) - BigInt(stored.get(p.partition) ?? p.low);
  return Number(lag);
}

/**
 * Consumes the task_queue change topic in a consumer group. Its position lives in Redis, written in the
 * same transaction as the changes: on joining the group it seeks each partition there. A read model
 * that is empty (never written, or lost) is rebuilt from the start of the topic, which keeps every
 * change (retention.ms=-1). Kafka's committed offsets follow, as a hint for outside tools (kafka-consumer-groups.sh).
 */
export class ChangeConsumer {
  state: ConsumerState = 'starting';
  /** When a batch was last projected. */
  lastProgressAt = Date.now();
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;

  private assigned: number[] = [];
  private emptyCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      brokers: string[];
      topic: string;
      groupId: string;
      model: ReadModel;
      tuning: ConsumerTuning;
      layout: ChangeTopicLayout;
    },
    private readonly projector: Projector,
    private readonly log: Logger,
    /** Called when the consumer crashed for good (kafkajs will not restart it): the process should exit. */
    private readonly onFatal: (error: Error) => void = () => undefined,
  ) {
    this.kafka = new Kafka({
      clientId: options.groupId,
      brokers: options.brokers,
      retry: RETRY,
      requestTimeout: REQUEST_TIMEOUT_MS,
      logLevel: kafkaLogLevel.WARN,
      logCreator:
        () =>
        ({ namespace, label, log: entry }) => {
          const { message, ...extra } = entry;
          this.log.warn({ namespace, level: label, ...extra }, `kafkajs: ${message}`);
        },
    });
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: options.tuning.maxWaitTimeInMs,
      minBytes: options.tuning.minBytes ?? 1,
    });
    this.admin = this.kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.state = 'running';
      this.assigned = event.payload.memberAssignment[options.topic] ?? [];
      this.log.info(
        { topic: options.topic, group: options.groupId, partitions: this.assigned },
        'joined consumer group',
      );
      void this.retrying('seek to the stored position', () => this.resume()).catch((error: Error) =>
        this.onFatal(error),
      );
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.state = restart ? 'starting' : 'crashed';
      this.log.error({ err: error.message, restart }, 'consumer crashed');
      if (!restart) this.onFatal(error);
    });
  }

  /** Seeks each assigned partition to the position stored with the read model, or to the start to rebuild it. */
  private async resume({ rebuild = false } = {}): Promise<void> {
    const { topic, model } = this.options;
    const empty = rebuild || (await model.isEmpty());
    const stored = rebuild ? new Map<number, string>() : await model.positions(topic);
    const low = empty
      ? new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.low]))
      : new Map<number, string>();
    if (empty) this.log.warn({ topic }, 'the read model is empty: rebuilding it from the start of the topic');
    for (const partition of this.assigned) {
      const offset = stored.get(partition) ?? low.get(partition);
      if (offset !== undefined) this.consumer.seek({ topic, partition, offset });
    }
  }

  /**
   * Runs `fn` until it succeeds, for up to 30 s: a topic Debezium has just created can answer "not
   * hosted here" to metadata calls until its leader is elected.
   */
  private async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    await poll(
      async () => {
        try {
          return done(await fn());
        } catch (error) {
          return notYet((error as Error).message);
        }
      },
      {
        what,
        deadline: new Deadline(30_000),
        initialMs: 200,
        maxMs: 2000,
        onWait: ({ reason }) => this.log.warn({ reason }, `retrying: ${what}`),
      },
    );
  }

  /**
   * The topic as the environment lays it out: every change kept, so that the read model can always be
   * rebuilt from it, and at least the partitions asked for. Partitions can be added, never removed; a task
   * whose new changes land in another partition than its old ones is still projected right, since a change
   * older than the one applied is skipped (the LSN guard).
   */
  private async layOutTopic(): Promise<void> {
    const { topic, layout } = this.options;
    const retention = [{ name: 'retention.ms', value: '-1' }];
    // Debezium creates the topic with its first event; creating it here lets the group join at once.
    const created = await this.admin
      .createTopics({
        topics: [
          {
            topic,
            numPartitions: layout.partitions,
            replicationFactor: layout.replicationFactor,
            configEntries: retention,
          },
        ],
        waitForLeaders: true,
      })
      .catch((error: Error) => {
        this.log.warn({ err: error.message }, `could not create ${topic}; relying on Debezium to create it`);
        return false;
      });
    if (created) return;
    const described = await this.admin.describeConfigs({
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    if (described.resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue !== '-1') {
      await this.admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries: retention }],
      });
      this.log.info({ topic }, 'set retention.ms=-1: the topic keeps every change');
    }
    const has = (await this.admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length ?? 0;
    if (has > 0 && has < layout.partitions) {
      await this.admin.createPartitions({ topicPartitions: [{ topic, count: layout.partitions }] });
      this.log.info(
        { topic, from: has, to: layout.partitions },
        'added partitions to the change topic (CHANGE_TOPIC_PARTITIONS)',
      );
    } else if (has > layout.partitions) {
      this.log.warn(
        { topic, has, asked: layout.partitions },
        'the change topic has more partitions than CHANGE_TOPIC_PARTITIONS asks; Kafka cannot remove partitions, so it keeps them',
      );
    }
  }

  /** Resolves once the topic exists with a leader for each partition; throws, to be retried, before. */
  private async leadersElected(): Promise<void> {
    const { topic } = this.options;
    const partitions = (await this.admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions ?? [];
    const leaderless = partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
    if (partitions.length === 0) throw new Error(`${topic} has no partitions yet`);
    if (leaderless.length > 0) throw new Error(`${topic} has no leader yet for partition(s) ${leaderless.join(', ')}`);
  }

  async start(): Promise<void> {
    const { topic, model } = this.options;
    await this.admin.connect();
    // Best effort: without it the topic keeps the broker's retention, and a rebuild may find less history.
    await this.retrying('lay out the change topic', () => this.layOutTopic()).catch((error: Error) =>
      this.log.error(
        { err: error.message, topic },
        'could not lay out the change topic (retention.ms=-1, CHANGE_TOPIC_PARTITIONS); a rebuild can only replay what the topic still holds',
      ),
    );
    // A read model that loses its data while running (FLUSHALL) is rebuilt without waiting for a restart:
    // its mark is gone, even if new writes have arrived since.
    let mark = await model.mark(randomUUID());
    this.emptyCheck = setInterval(() => {
      void model.mark(randomUUID()).then(
        (now) => {
          if (now === mark) return;
          mark = now;
          this.log.warn({ topic }, 'the read model lost its data: rebuilding it from the start of the topic');
          if (this.state === 'running')
            void this.retrying('rebuild from the start of the topic', () => this.resume({ rebuild: true })).catch(
              (error: Error) => this.onFatal(error),
            );
        },
        () => undefined,
      );
    }, EMPTY_CHECK_MS);
    // A topic another replica has just created may not have a leader for every partition yet, and brokers
    // learn of it one by one: subscribing before then fails ("This server does not host this topic-partition").
    await this.retrying('a leader for every partition of the change topic', () => this.leadersElected()).catch(
      (error: Error) => this.log.warn({ err: error.message, topic }, 'subscribing without every partition led yet'),
    );
    await this.consumer.connect();
    await this.retrying('subscribe to the change topic', () => this.consumer.subscribe({ topic, fromBeginning: true }));
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        await this.projector.project(
          batch.messages.map((m) => ({
            value: m.value,
            offset: m.offset,
            partition: batch.partition,
            timestamp: m.timestamp,
          })),
          batch.topic,
        );
        const last = batch.lastOffset();
        // Only now is the batch durable in Redis, with its position. Kafka's committed offset is a hint for
        // monitoring (lag), so it need not hold up the next batch.
        const commit = this.consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        if (this.options.tuning.awaitCommit) await commit;
        else commit.catch((error: Error) => this.log.warn({ err: error.message }, 'could not commit the offset hint'));
        resolveOffset(last);
        this.lastProgressAt = Date.now();
        await heartbeat();
      },
    });
  }

  /**
   * Messages in the topic that the read model does not hold yet: measured from the position stored with
   * it, not from Kafka's committed offset, which is only a hint and may miss its last commit.
   */
  async lag(): Promise<number> {
    const { topic, model } = this.options;
    const [latest, stored] = await Promise.all([this.admin.fetchTopicOffsets(topic), model.positions(topic)]);
    return unprojected(latest, stored);
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearInterval(this.emptyCheck);
    await this.consumer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}
