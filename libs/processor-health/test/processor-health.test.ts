import { describe, expect, it } from 'vitest';
import { type ProcessorHealth, readProcessorHealth } from '../src/index.ts';

const healthy: ProcessorHealth = {
  status: 'running',
  lag: 0,
  lastEventAt: '2026-11-26T15:00:00.000Z',
  events: { applied: 12, stale: 1, skipped: 0, malformed: 1 },
  deadLetters: 1,
  latencyMs: { p50: 40, p99: 180, changes: 12 },
};

describe('the /healthz reply', () => {
  it('reads back what the processor sends', () => {
    expect(readProcessorHealth(JSON.stringify(healthy))).toEqual(healthy);
  });

  it('reads a processor that has seen nothing yet and cannot tell its lag', () => {
    const fresh = { ...healthy, status: 'starting', lag: null, lastEventAt: null, latencyMs: null };
    expect(readProcessorHealth(JSON.stringify(fresh))).toEqual(fresh);
  });

  it('refuses a reply that is not the contract: an unknown status, a missing counter, not JSON', () => {
    expect(readProcessorHealth(JSON.stringify({ ...healthy, status: 'fine' }))).toBeUndefined();
    const { deadLetters: _, ...withoutDeadLetters } = healthy;
    expect(readProcessorHealth(JSON.stringify(withoutDeadLetters))).toBeUndefined();
    expect(readProcessorHealth('<html>502</html>')).toBeUndefined();
  });
});
