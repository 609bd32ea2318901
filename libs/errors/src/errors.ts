/** Exit codes of every CHORUS command: apps, setup-connector and the env CLI alike. */
export const EXIT = {
  ok: 0,
  /** The work failed; the message says why and what to do. */
  failed: 1,
  /** Bad configuration or usage: nothing was attempted. */
  config: 2,
  /** `--check` found drift. */
  drift: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure an operator can act on. Its message says what was expected, what was found and the fix;
 * it is printed without a stack trace, and the command exits with `exitCode`. Anything else is a bug.
 */
export class OperatorError extends Error {
  /** True when the same call may succeed later (a busy or unreachable peer); false when it never will. */
  readonly retriable: boolean;
  readonly exitCode: ExitCode;

  constructor(
    message: string,
    { exitCode = EXIT.failed, retriable = false }: { exitCode?: ExitCode; retriable?: boolean } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.retriable = retriable;
  }

  /** The line shown to the operator; subclasses may add context the bare message lacks. */
  report(): string {
    return this.message;
  }
}

/** The environment or a file did not satisfy its schema. Lists every problem at once. */
export class ConfigError extends OperatorError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { exitCode: EXIT.config });
  }
}
