import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { positive, positiveList, positiveListOrNone } from '../src/index.ts';

describe('command-line numbers', () => {
  it('reads positive whole numbers and lists of them', () => {
    expect(positive('20')).toBe(20);
    expect(positiveList('100, 1000,5000')).toEqual([100, 1000, 5000]);
  });

  it('refuses anything else as a usage error that shows the value', () => {
    for (const bad of ['0', '-5', '2.5', 'ten', '', ' ']) expect(() => positive(bad)).toThrow(InvalidArgumentError);
    expect(() => positive('2.5')).toThrow('expected a positive whole number, got "2.5"');
    expect(() => positiveList('100,,200')).toThrow('got ""');
  });

  it('takes 0 alone as an empty list where a list may be left out, and nowhere inside one', () => {
    expect(positiveListOrNone('0')).toEqual([]);
    expect(positiveListOrNone('200,500')).toEqual([200, 500]);
    expect(() => positiveListOrNone('0,500')).toThrow('got "0"');
  });
});
