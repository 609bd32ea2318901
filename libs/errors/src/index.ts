export { ConfigError, EXIT, type ExitCode, OperatorError } from './errors.ts';
export { type MainContext, runMain } from './run-main.ts';
