import { Command } from 'commander';
import { ConfigError } from '@chorus/config';
import { createLogger } from '@chorus/logger';
import { describeDrift } from './connector-config.ts';
import { checkConnector, setupConnector, summary } from './setup.ts';
import { loadSettings } from './settings.ts';
import { userFacingError } from './errors.ts';

/** Exit codes: 0 done (or no drift), 1 failed, 2 bad configuration or usage, 3 drift found by --check. */
export const EXIT = { ok: 0, failed: 1, config: 2, drift: 3 } as const;

const program = new Command()
  .name('setup-connector')
  .description('Waits for Postgres and Kafka Connect, then registers the Debezium connector and waits until it runs.')
  .option('--check', 'report drift between the desired and the live connector config; change nothing')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));

const { check } = program.parse().opts<{ check?: boolean }>();

async function main(): Promise<number> {
  let settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`setup-connector: ${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const log = createLogger({ name: 'setup-connector', level: settings.logLevel });

  try {
    if (check) {
      const { live, drift } = await checkConnector(settings, log);
      if (!live) {
        log.warn(`connector ${settings.connectorName} does not exist`);
        return EXIT.drift;
      }
      if (drift.length === 0) {
        log.info(`connector ${settings.connectorName}: no drift`);
        return EXIT.ok;
      }
      for (const line of describeDrift(drift)) log.warn(`drift: ${line}`);
      return EXIT.drift;
    }
    const result = await setupConnector(settings, log);
    log.info(summary(settings, result));
    return EXIT.ok;
  } catch (error) {
    const message = userFacingError(error);
    if (message === undefined) throw error;
    log.error(message);
    return EXIT.failed;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Only a bug gets here; its stack is worth having.
    process.stderr.write(`setup-connector: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(EXIT.failed);
  },
);
