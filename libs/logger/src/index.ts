import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: LevelWithSilent;
  /** `json` for machines (services, compose logs); `pretty` for people at a terminal. */
  format?: 'json' | 'pretty';
  destination?: NodeJS.WritableStream;
}

export function createLogger({ name, level = 'info', format, destination = process.stdout }: LoggerOptions): Logger {
  const chosen = format ?? (process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty');
  if (chosen === 'json') {
    return pino({ name, level, base: { service: name } }, destination as DestinationStream);
  }
  // A synchronous stream rather than a transport: transports spawn workers that bundles cannot load.
  const stream = pretty({
    destination: destination as NodeJS.WritableStream & { fd?: number },
    colorize: Boolean((destination as { isTTY?: boolean }).isTTY),
    ignore: 'pid,hostname,name',
    translateTime: 'HH:MM:ss.l',
    singleLine: true,
    sync: true,
  });
  return pino({ name, level }, stream);
}
