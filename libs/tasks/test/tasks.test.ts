import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isHash, taskHash, taskInput } from '../src/index.ts';

describe('taskHash', () => {
  it('is the md5 of the canonical JSON {mode, query}, whatever the key order', () => {
    const expected = createHash('md5').update('{"mode":"flash","query":"hello"}').digest('hex');
    expect(taskHash({ query: 'hello', mode: 'flash' })).toBe(expected);
    expect(canonicalJson({ query: 'hello', mode: 'flash' })).toBe('{"mode":"flash","query":"hello"}');
    expect(isHash(expected)).toBe(true);
  });

  it('differs by mode and by query', () => {
    expect(taskHash({ query: 'a', mode: 'flash' })).not.toBe(taskHash({ query: 'a', mode: 'think' }));
    expect(taskHash({ query: 'a', mode: 'flash' })).not.toBe(taskHash({ query: 'b', mode: 'flash' }));
  });

  it('sorts nested keys and escapes like JSON', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 'x"y' }], a: null })).toBe('{"a":null,"b":[{"c":"x\\"y","d":1}]}');
  });
});

describe('taskInput', () => {
  it('trims the query and accepts the three modes', () => {
    expect(taskInput.parse({ query: '  hi  ', mode: 'deep_research' })).toEqual({ query: 'hi', mode: 'deep_research' });
  });

  it.each([
    [{ mode: 'flash' }, /query must be a string/],
    [{ query: '   ', mode: 'flash' }, /query must not be empty/],
    [{ query: 'x'.repeat(2001), mode: 'flash' }, /at most 2000 characters/],
    [{ query: 'x', mode: 'slow' }, /mode must be one of flash, think, deep_research/],
    [{ query: 42, mode: 'flash' }, /query must be a string/],
    [{ query: 'a\u0000b', mode: 'flash' }, /must not contain the NUL character/],
    [{ query: 'a\uD800b', mode: 'flash' }, /lone surrogate/],
    [{ query: 'a\uDC00', mode: 'flash' }, /lone surrogate/],
  ])('rejects %j', (input, message) => {
    const result = taskInput.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message).join('; ')).toMatch(message);
  });

  it('accepts characters outside the BMP (surrogate pairs)', () => {
    expect(taskInput.safeParse({ query: 'emoji 😀 ok', mode: 'flash' }).success).toBe(true);
  });

  it('accepts exactly 2000 characters after trimming', () => {
    expect(taskInput.safeParse({ query: ` ${'x'.repeat(2000)} `, mode: 'think' }).success).toBe(true);
  });
});
