/**
 * alerting-config: the one-shot before Alertmanager starts. It writes Alertmanager's configuration from the
 * env file's ALERT_* settings into the volume Alertmanager reads it from (CONFIG_DIR, default /config).
 */
import { EXIT, runMain } from '@chorus/errors';
import { writeConfig } from './write-config.ts';

runMain('alerting-config', async () => {
  const dir = process.env.CONFIG_DIR || '/config';
  const reach = writeConfig(dir, process.env);
  process.stdout.write(`alerting-config: ${dir}/alertmanager.yml written; alerts reach ${reach}\n`);
  return EXIT.ok;
});
