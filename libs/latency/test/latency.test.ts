import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../src/index.ts';

describe('percentile (nearest rank)', () => {
  it('is the smallest value with at least q of the values at or below it', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('summarize', () => {
  it('sorts numerically, not as text, and reports the max', () => {
    expect(summarize([900, 80, 1000, 7, 60])).toEqual({ count: 5, p50: 80, p95: 1000, p99: 1000, max: 1000 });
  });
  it('is null for no values', () => {
    expect(summarize([])).toBeNull();
  });
});
