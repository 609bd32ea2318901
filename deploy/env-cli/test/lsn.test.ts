import { describe, expect, it } from 'vitest';
import { lsnNumber, lsnText } from '../src/lsn.ts';

describe('WAL positions', () => {
  it("reads PostgreSQL's text as the number Debezium's offsets carry, and back", () => {
    expect(lsnNumber('0/1A427B8')).toBe(0x1a427b8);
    expect(lsnNumber('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(lsnText(lsnNumber('16/B374D848'))).toBe('16/B374D848');
    // The upgraded cluster's WAL starts past the old one's: the numbers order as the positions do.
    expect(lsnNumber('0/8003E50')).toBeGreaterThan(lsnNumber('0/1A427B8'));
  });
});
