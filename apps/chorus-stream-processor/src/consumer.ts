import { type Admin, type Consumer, Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import type { Logger } from '@chorus/logger';
import type { Projector } from '@chorus/cdc-events';

export type ConsumerState = 'starting' | 'running' | 'crashed' | 'stopped';

/** Consumes the task_queue change topic in a consumer group and commits offsets only after Redis holds the writes. */
export class ChangeConsumer {
  state: ConsumerState = 'starting';
  /** When a batch was last projected. */
  lastProgressAt = Date.now();
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;

  constructor(
    private readonly options: { brokers: string[]; topic: string; groupId: string },
    private readonly projector: Projector,
    private readonly log: Logger,
    /** Called when the consumer crashed for good (kafkajs will not restart it): the process should exit. */
    private readonly onFatal: (error: Error) => void = () => undefined,
  ) {
    this.kafka = new Kafka({
      clientId: options.groupId,
      brokers: options.brokers,
      logLevel: kafkaLogLevel.WARN,
      logCreator: () => ({ namespace, label, log: entry }) => {
        const { message, ...extra } = entry;
        this.log.warn({ namespace, level: label, ...extra }, `kafkajs: ${message}`);
      },
    });
    this.consumer = this.kafka.consumer({ groupId: options.groupId });
    this.admin = this.kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.state = 'running';
      this.log.info({ topic: options.topic, group: options.groupId }, 'joined consumer group');
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.state = restart ? 'starting' : 'crashed';
      this.log.error({ err: error.message, restart }, 'consumer crashed');
      if (!restart) this.onFatal(error);
    });
  }

  async start(): Promise<void> {
    const { topic } = this.options;
    await this.admin.connect();
    // Debezium creates the topic with its first event; creating it here lets the group join at once.
    await this.admin.createTopics({ topics: [{ topic }], waitForLeaders: true }).catch((error: Error) => {
      this.log.warn({ err: error.message }, `could not create ${topic}; relying on the broker to create it`);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        await this.projector.project(batch.messages.map((m) => ({ value: m.value, offset: m.offset, partition: batch.partition })));
        const last = batch.lastOffset();
        // Only now is the batch durable in Redis; a crash before this line replays it, which is harmless.
        await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        resolveOffset(last);
        this.lastProgressAt = Date.now();
        await heartbeat();
      },
    });
  }

  /** Messages in the topic that the group has not committed yet. */
  async lag(): Promise<number> {
    const { topic, groupId } = this.options;
    const [latest, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    let lag = 0n;
    for (const p of latest) {
      const position = done.get(p.partition) ?? -1n;
      const from = position < 0n ? BigInt(p.low) : position;
      lag += BigInt(p.high) - from;
    }
    return Number(lag);
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    await this.consumer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}
