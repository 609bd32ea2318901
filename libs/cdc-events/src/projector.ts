import type { Logger } from '@chorus/logger';
import type { Change, ReadModel } from '@chorus/read-model';
import { MalformedEvent, parseChangeEvent } from './parse.ts';

export interface Counters {
  applied: number;
  stale: number;
  skipped: number;
  malformed: number;
}

export interface Message {
  value: Buffer | null;
  offset: string;
  partition: number;
}

/** Turns a batch of Kafka messages into read-model writes. Resolves only once Redis holds them. */
export class Projector {
  readonly counters: Counters = { applied: 0, stale: 0, skipped: 0, malformed: 0 };
  lastEventAt: Date | null = null;

  constructor(
    private readonly model: ReadModel,
    private readonly log: Logger,
  ) {}

  async project(messages: Message[]): Promise<void> {
    const changes: Change[] = [];
    for (const message of messages) {
      try {
        const change = parseChangeEvent(message.value);
        if (change) changes.push(change);
        else this.counters.skipped++;
      } catch (error) {
        if (!(error instanceof MalformedEvent)) throw error;
        // A bad event is logged and counted, never retried: retrying the same bytes would loop forever.
        this.counters.malformed++;
        this.log.warn({ partition: message.partition, offset: message.offset, reason: error.message }, 'skipping malformed change event');
      }
    }
    const { applied, stale } = await this.model.apply(changes);
    this.counters.applied += applied;
    this.counters.stale += stale;
    if (messages.length > 0) this.lastEventAt = new Date();
  }
}
