/**
 * How the env CLI speaks, and the one module that writes to the terminal: `env: ` lines and results on
 * stdout, what other programs report and why something failed on stderr.
 */
import { createInterface } from 'node:readline/promises';

export const say = (message: string) => void process.stdout.write(`env: ${message}\n`);

/** Lines as they are, on stdout: tables, status lines, `NAME=value` for scripts. */
export const print = (text: string) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Lines for the operator to read when something went wrong (states, logs), on stderr. */
export const report = (text: string) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** Output of another program, passed on as it comes, to the stream it was written to. */
export const relay = (chunk: Buffer | string, stream: 'stdout' | 'stderr' = 'stdout') =>
  void (stream === 'stderr' ? process.stderr : process.stdout).write(chunk);

/** A question on the terminal; resolves to the answer. */
export async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A longer time as days, hours and minutes (an age, a schedule). */
export function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return seconds(ms);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  return [d && `${d} d`, h && `${h} h`, m && `${m} min`].filter(Boolean).join(' ');
}

/** A Markdown table, columns padded: readable in a terminal and pasteable into a README as it is. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
