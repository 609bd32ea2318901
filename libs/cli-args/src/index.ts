/** Argument parsers the command-line tools share: a bad value is a usage error that names what was expected. */
import { InvalidArgumentError } from 'commander';

/** A positive whole number: `--seconds 20`. */
export function positive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** A comma-separated list of positive whole numbers: `--rates 100,1000`. */
export const positiveList = (value: string): number[] => value.split(',').map((v) => positive(v.trim()));

/** As positiveList, or `0` for none: `--api 200,500`, `--api 0`. */
export const positiveListOrNone = (value: string): number[] => (value.trim() === '0' ? [] : positiveList(value));
