/**
 * The dead-letter topic: change events the processor cannot project, one record each, with the reason
 * and where the event came from in its headers. Written with acks from all replicas before the batch
 * that held them is committed, so none is lost.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { DeadLetterSink } from '@chorus/cdc-events';
import type { Logger } from '@chorus/logger';

export class DeadLetters {
  private readonly kafka: Kafka;
  private readonly producer;

  constructor(
    brokers: string[],
    private readonly sourceTopic: string,
    readonly topic: string,
    private readonly log: Logger,
  ) {
    this.kafka = new Kafka({ clientId: `${topic}-producer`, brokers, logLevel: logLevel.ERROR });
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: this.topic }], waitForLeaders: true }).catch((error: Error) => {
      this.log.warn({ err: error.message }, `could not create ${this.topic}`);
    });
    await admin.disconnect();
    await this.producer.connect();
  }

  readonly sink: DeadLetterSink = async (letters) => {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map(({ message, reason }) => ({
        key: `${this.sourceTopic}:${message.partition}:${message.offset}`,
        value: message.value,
        headers: {
          reason,
          'source-topic': this.sourceTopic,
          'source-partition': String(message.partition),
          'source-offset': message.offset,
        },
      })),
    });
  };

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => {});
  }
}
