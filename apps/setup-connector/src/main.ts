import { Command } from 'commander';
import { EXIT, runMain } from '@chorus/errors';
import { createLogger } from '@chorus/logger';
import { describeDrift, desiredConfig } from './connector-config.ts';
import { checkConnector, handOver, setupConnector, summary } from './setup.ts';
import { loadSettings } from './settings.ts';

const program = new Command()
  .name('setup-connector')
  .description('Waits for Postgres and Kafka Connect, then registers the Debezium connector and waits until it runs.')
  .option('--check', 'report drift between the desired and the live connector config; change nothing')
  .option(
    '--hand-over',
    'before the migrations: stop a connector an older release registered that rewrites the publication itself',
  )
  .option(
    '--print-config',
    'print the connector config this release would register, as JSON (the password as given); contact nothing',
  )
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.config));

const {
  check,
  handOver: handingOver,
  printConfig,
} = program.parse().opts<{ check?: boolean; handOver?: boolean; printConfig?: boolean }>();

runMain('setup-connector', async ({ reportTo }) => {
  const settings = loadSettings();
  const log = createLogger({ name: 'setup-connector', level: settings.logLevel });
  reportTo((message) => log.error(message));

  // The one home of the connector's config: the Helm chart's KafkaConnector is written from this (deploy/helm/connector-config.ts).
  if (printConfig) {
    process.stdout.write(
      `${JSON.stringify({ name: settings.connectorName, config: desiredConfig(settings) }, null, 2)}\n`,
    );
    return EXIT.ok;
  }

  if (handingOver) {
    await handOver(settings, log);
    return EXIT.ok;
  }
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
});
