/**
 * `node main.cjs health`: this replica's /healthz reply as it serves it, printed for the env CLI (make status,
 * a restore, make chaos), which runs it in the replica's container: no port is published for it.
 */
import { OperatorError } from '@chorus/errors';
import { HEALTH_PATH } from '@chorus/processor-health';

/** Prints the reply's body, whatever its status (a 503 is an answer too); fails when nothing answers. */
export async function printHealth(
  port: number,
  write = (text: string) => void process.stdout.write(text),
): Promise<number> {
  const url = `http://127.0.0.1:${port}${HEALTH_PATH}`;
  const reply = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => {
    throw new OperatorError(`${url} did not answer (${error.message}): is the processor running?`, { retriable: true });
  });
  write(`${await reply.text()}\n`);
  return 0;
}
