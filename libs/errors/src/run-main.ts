import { EXIT, OperatorError } from './errors.ts';

export interface MainContext {
  /** Sends operator errors to the program's own logger from now on (stderr until then). */
  reportTo(report: (message: string) => void): void;
}

/**
 * Runs a command's `main` and maps its outcome to an exit code: a number it returns, an
 * OperatorError's `exitCode` with its message only, or 1 with the stack for a bug. A `main` that
 * returns nothing leaves the process running (a server).
 */
export function runMain(name: string, main: (context: MainContext) => Promise<number | void>): void {
  let report: (message: string) => void = (message) => void process.stderr.write(`${name}: ${message}\n`);
  const context: MainContext = { reportTo: (fn) => void (report = fn) };
  main(context).then(
    (code) => {
      if (typeof code === 'number') process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof OperatorError) {
        report(error.report());
        process.exit(error.exitCode);
      }
      // Only a bug gets here; its stack is worth having.
      process.stderr.write(`${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
