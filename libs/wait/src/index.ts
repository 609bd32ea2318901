import { OperatorError } from '@chorus/errors';

/** Thrown when a deadline passes before a condition holds. Carries the last reason it did not. */
export class TimeoutError extends OperatorError {
  constructor(
    readonly what: string,
    readonly lastError: string | undefined,
    readonly elapsedMs: number,
  ) {
    super(`timed out after ${(elapsedMs / 1000).toFixed(1)}s waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
  }
}

/** An absolute point in time that every wait in one run shares. */
export class Deadline {
  readonly startedAt = Date.now();
  readonly at: number;
  constructor(timeoutMs: number) {
    this.at = this.startedAt + timeoutMs;
  }
  remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }
  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

/** Exponential delays: initialMs, initialMs*factor, … capped at maxMs. */
export function* backoff({ initialMs = 100, maxMs = 3000, factor = 2 }: BackoffOptions = {}): Generator<number> {
  let delay = initialMs;
  for (;;) {
    yield delay;
    delay = Math.min(maxMs, delay * factor);
  }
}

/** The longest wait one timer holds: a longer one fires at once (Node's TIMEOUT_MAX, about 24.8 days). */
export const TIMER_MAX_MS = 2 ** 31 - 1;

/** Waits `ms`, however long: a wait beyond one timer's reach is taken in timers that each can hold it. */
export async function sleep(ms: number): Promise<void> {
  for (let left = ms; ; left -= TIMER_MAX_MS) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(left, TIMER_MAX_MS)));
    if (left <= TIMER_MAX_MS) return;
  }
}

/** `promise`, or a rejection naming `what` when `ms` pass first: a check that must answer promptly. */
export function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface AttemptContext {
  attempt: number;
  elapsedMs: number;
}

/** What one attempt says: done with a value, or not yet with the reason. */
export type Outcome<T> = { done: true; value: T } | { done: false; reason: string };

export const done = <T>(value: T): Outcome<T> => ({ done: true, value });
export const notYet = (reason: string): Outcome<never> => ({ done: false, reason });

export interface PollOptions extends BackoffOptions {
  what: string;
  deadline: Deadline;
  /** Called after each unsuccessful attempt, before sleeping. */
  onWait?: (info: AttemptContext & { reason: string; nextDelayMs: number }) => void;
}

/**
 * Runs `attempt` until it reports done, backing off between attempts, never past the deadline.
 * An attempt that throws is not retried: throwing means "this will not get better".
 */
export async function poll<T>(attempt: (ctx: AttemptContext) => Promise<Outcome<T>>, options: PollOptions): Promise<T> {
  const { deadline, what, onWait } = options;
  const delays = backoff(options);
  let lastReason: string | undefined;
  for (let n = 1; ; n++) {
    const outcome = await attempt({ attempt: n, elapsedMs: deadline.elapsedMs() });
    if (outcome.done) return outcome.value;
    lastReason = outcome.reason;
    const remaining = deadline.remainingMs();
    if (remaining <= 0) throw new TimeoutError(what, lastReason, deadline.elapsedMs());
    const delay = Math.min(delays.next().value as number, remaining);
    onWait?.({ attempt: n, elapsedMs: deadline.elapsedMs(), reason: outcome.reason, nextDelayMs: delay });
    await sleep(delay);
  }
}

/** How long a condition took to hold, or, when it did not within the limit, why not (the last reason). */
export type Timed<T> = { ms: number; value: T } | { ms: null; reason: string };

/**
 * Polls `attempt` every `everyMs` until it is done or `limitMs` (from `since`) passes, for a check that
 * measures recovery: the time taken is its figure, and running out of time is a result, not an error.
 */
export async function timeUntil<T>(
  attempt: () => Promise<Outcome<T>>,
  {
    what,
    limitMs,
    everyMs = 1000,
    since = Date.now(),
  }: { what: string; limitMs: number; everyMs?: number; since?: number },
): Promise<Timed<T>> {
  const deadline = new Deadline(Math.max(0, since + limitMs - Date.now()));
  try {
    const value = await poll(attempt, { what, deadline, initialMs: everyMs, maxMs: everyMs });
    return { ms: Date.now() - since, value };
  } catch (error) {
    if (error instanceof TimeoutError) return { ms: null, reason: error.lastError ?? 'no answer' };
    throw error;
  }
}
