/**
 * `make smoke`: the container substrate alone (deploy/verify/smoke/compose.yml): Postgres, Kafka and
 * Debezium Connect healthy, the web app's migrations and setup-connector run, and one insert followed to
 * Kafka by the smoke follower. Torn down, pass, fail or Ctrl-C.
 */
import { join } from 'node:path';
import { images } from 'env-cli/bring-up.ts';
import { cleanEnv } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { readEnvFile } from 'env-cli/env-file.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { print, report } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { attached, capture } from 'env-cli/processes.ts';
import { withTeardown } from 'env-cli/run-project.ts';
import { SMOKE_FILE } from '../compose-rules.ts';

const say = (m: string) => print(`smoke: ${m}`);

export async function smoke(ctx: Context): Promise<number> {
  checkDocker();
  // The third-party images as the test environment resolves them (present, pulled or built offline).
  const vars = await images(ctx, { envFile: readEnvFile(ctx.root, ENVIRONMENTS.test), vars: {} });
  const env = { ...cleanEnv(), ...vars };
  const compose = ['compose', '--ansi', 'never', '--progress', 'plain', '-f', join(ctx.root, SMOKE_FILE)];
  const quiet = (args: string[]) => capture('docker', [...compose, ...args], { env });
  const shown = (args: string[]) => attached('docker', [...compose, ...args], { env });
  const down = async () => void quiet(['down', '-v', '--remove-orphans']);

  await down();
  return withTeardown(down, async () => {
    const t0 = Date.now();
    if (!quiet(['up', '-d', '--wait', 'postgres', 'kafka', 'kafka-connect']).ok) {
      report('smoke: services did not become healthy');
      report(quiet(['ps', '-a']).out);
      report(quiet(['logs', '--tail', '40']).out);
      return 1;
    }
    const t1 = Date.now();
    say(`postgres, kafka and kafka-connect healthy in ${t1 - t0} ms`);
    if ((await shown(['run', '--rm', '--no-deps', 'migrate'])) !== 0) {
      report('smoke: migrations failed');
      return 1;
    }
    if ((await shown(['run', '--rm', '--no-deps', 'setup-connector'])) !== 0) {
      report(quiet(['logs', '--tail', '60', 'kafka-connect']).out);
      return 1;
    }
    const t2 = Date.now();
    say(`connector registered and RUNNING in ${t2 - t1} ms`);
    if ((await shown(['run', '--rm', '--no-deps', 'smoke'])) !== 0) return 1;
    const t3 = Date.now();
    say(`insert followed to Kafka in ${t3 - t2} ms`);
    say(`passed in ${t3 - t0} ms`);
    return 0;
  });
}
