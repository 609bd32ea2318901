import type { Logger } from '@chorus/logger';
import type { Change, ReadModel } from '@chorus/read-model';
import { MalformedEvent, parseChangeEvent } from './parse.ts';

export interface Counters {
  applied: number;
  stale: number;
  skipped: number;
  /** Events dead-lettered (or, without a sink, dropped) because they could not be read. */
  malformed: number;
}

export interface Message {
  value: Buffer | null;
  offset: string;
  partition: number;
  /** Kafka's record timestamp (CreateTime: when Connect's producer sent it), ms as a string. */
  timestamp?: string;
}

/** A change event that cannot be projected, kept with why, for a person to look at. */
export interface DeadLetter {
  message: Message;
  reason: string;
}

/** Keeps dead letters durably (a Kafka topic); resolves once they are stored. */
export type DeadLetterSink = (letters: DeadLetter[]) => Promise<void>;

/** Messages per write to Redis: big enough that a call's cost is shared, small enough to overlap reading. */
const PART = 100;

/** Turns a batch of Kafka messages into read-model writes. Resolves only once Redis holds them. */
export class Projector {
  readonly counters: Counters = { applied: 0, stale: 0, skipped: 0, malformed: 0 };
  lastEventAt: Date | null = null;

  constructor(
    private readonly model: ReadModel,
    private readonly log: Logger,
    /** Without one, a bad event is only logged and counted. */
    private readonly deadLetters?: DeadLetterSink,
    /** Told, once Redis holds a batch, each change's time from its commit in Postgres (ms). */
    private readonly onLatency?: (ms: number) => void,
  ) {}

  /**
   * With `topic`, the messages' positions are stored with their changes (see ReadModel.apply).
   * A batch goes to Redis in parts of PART messages, each sent as soon as it is read and without waiting
   * for the one before: Redis applies part n while this process reads part n + 1. Each part expects the
   * position the part before stores, so a part behind a failed one writes nothing.
   */
  async project(messages: Message[], topic?: string): Promise<void> {
    const sent: Promise<{ applied: number; stale: number }>[] = [];
    const changes: Change[] = [];
    let before: Map<number, string> | undefined;
    for (let i = 0; i < messages.length; i += PART) {
      const part = messages.slice(i, i + PART);
      const partChanges = await this.read(part);
      changes.push(...partChanges);
      const next = new Map<number, bigint>();
      for (const m of part) {
        const offset = BigInt(m.offset) + 1n;
        if (offset > (next.get(m.partition) ?? 0n)) next.set(m.partition, offset);
      }
      const positions = topic
        ? [...next].map(([partition, offset]) => ({
            topic,
            partition,
            nextOffset: offset.toString(),
            after: before?.get(partition),
          }))
        : [];
      const applying = this.model.apply(partChanges, positions);
      // Awaited below, in order; a rejection is seen there, not as unhandled meanwhile.
      applying.catch(() => undefined);
      sent.push(applying);
      before = new Map(positions.map((p) => [p.partition, p.nextOffset]));
    }
    for (const applying of sent) {
      const { applied, stale } = await applying;
      this.counters.applied += applied;
      this.counters.stale += stale;
    }
    if (this.onLatency) {
      const now = Date.now();
      for (const change of changes) this.onLatency(Math.max(0, now - change.sourceTsMs));
    }
    if (messages.length > 0) this.lastEventAt = new Date();
  }

  /** The changes in `messages`; what cannot be read is dead-lettered first (stored before its position is). */
  private async read(messages: Message[]): Promise<Change[]> {
    const changes: Change[] = [];
    const dead: DeadLetter[] = [];
    for (const message of messages) {
      try {
        const change = parseChangeEvent(message.value);
        if (change && message.timestamp !== undefined) change.publishedTsMs = Number(message.timestamp);
        if (change) changes.push(change);
        else this.counters.skipped++;
      } catch (error) {
        if (!(error instanceof MalformedEvent)) throw error;
        // A bad event goes to the dead letters, never retried: retrying the same bytes would loop forever.
        dead.push({ message, reason: error.message });
        this.log.warn(
          { partition: message.partition, offset: message.offset, reason: error.message },
          'malformed change event: dead-lettered',
        );
      }
    }
    if (dead.length > 0) await this.deadLetters?.(dead);
    this.counters.malformed += dead.length;
    return changes;
  }
}
