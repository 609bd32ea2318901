import { ConnectError, ConnectUnreachableError } from '@chorus/kafka-connect';
import { TimeoutError } from '@chorus/wait';
import { ConnectorFailedError, InvalidConfigError } from './connector.ts';
import { PostgresUnusableError, PreflightError } from './postgres.ts';

/** The message to show for an expected failure; undefined for a bug. */
export function userFacingError(error: unknown): string | undefined {
  if (
    error instanceof PreflightError ||
    error instanceof PostgresUnusableError ||
    error instanceof InvalidConfigError ||
    error instanceof ConnectorFailedError ||
    error instanceof TimeoutError ||
    error instanceof ConnectUnreachableError
  ) {
    return error.message;
  }
  if (error instanceof ConnectError) return `Kafka Connect answered ${error.status} to ${error.request}: ${error.message}`;
  return undefined;
}
