/** How the env CLI speaks: `env: ` lines on stdout, durations in seconds. */
export const say = (message: string) => void process.stdout.write(`env: ${message}\n`);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A Markdown table, columns padded: readable in a terminal and pasteable into a README as it is. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

