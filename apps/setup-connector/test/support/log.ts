import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '@chorus/logger';

/** A JSON logger whose messages a test can read back. */
export function captureLog(): { log: Logger; messages: () => string[] } {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push((JSON.parse(line) as { msg: string }).msg);
  });
  return {
    log: createLogger({ name: 'test', level: 'debug', format: 'json', destination: stream }),
    messages: () => lines,
  };
}
