import { describe, expect, it } from 'vitest';
import { type HealthInput, assess } from '../src/health.ts';
import { unprojected } from '../src/consumer.ts';

const base: HealthInput = {
  state: 'running',
  lag: 0,
  redisOk: true,
  laggingSince: null,
  lastProgressAt: 0,
  now: 100_000,
  stallMs: 30_000,
};

describe('the processor’s health', () => {
  it('is healthy while it runs, Redis answers and there is no lag', () => {
    expect(assess(base)).toEqual({ healthy: true, status: 'running' });
  });

  it('is unhealthy when the consumer is not running, naming its state', () => {
    expect(assess({ ...base, state: 'crashed' })).toEqual({ healthy: false, status: 'crashed' });
    expect(assess({ ...base, state: 'starting' })).toEqual({ healthy: false, status: 'starting' });
  });

  it('is unhealthy while Redis does not answer', () => {
    expect(assess({ ...base, redisOk: false })).toEqual({ healthy: false, status: 'redis_unreachable' });
  });

  it('tolerates lag that moves, and calls lag that has not moved for stallMs a stall', () => {
    expect(assess({ ...base, lag: 500, laggingSince: 90_000, lastProgressAt: 99_000 })).toEqual({
      healthy: true,
      status: 'running',
    });
    expect(assess({ ...base, lag: 500, laggingSince: 60_000, lastProgressAt: 95_000 })).toEqual({
      healthy: true,
      status: 'running',
    });
    expect(assess({ ...base, lag: 500, laggingSince: 60_000, lastProgressAt: 60_000 })).toEqual({
      healthy: false,
      status: 'stalled',
    });
  });
});

describe('the processor’s lag', () => {
  it('counts from the position stored with the read model, so that a missed offset commit does not look like a stall', () => {
    const latest = [
      { partition: 0, low: '0', high: '120' },
      { partition: 1, low: '40', high: '90' },
    ];
    // All projected: 120 and 90 are the next offsets to read, whatever Kafka's committed hint says.
    expect(
      unprojected(
        latest,
        new Map([
          [0, '120'],
          [1, '90'],
        ]),
      ),
    ).toBe(0);
    expect(
      unprojected(
        latest,
        new Map([
          [0, '100'],
          [1, '90'],
        ]),
      ),
    ).toBe(20);
    // An empty read model has everything still to project, from the start the topic still holds.
    expect(unprojected(latest, new Map())).toBe(170);
  });
});
