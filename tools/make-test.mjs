// `make test`: the host tests (make unit), then a hermetic test run (make test-env), each timed; the
// closing lines say how long each took and how many tests passed. Exits with the first failure's code.
import { spawnSync } from 'node:child_process';

const make = process.env.MAKE || 'make';
const seconds = (ms) => `${Math.round(ms / 1000)} s`;
const started = Date.now();
const steps = [
  ['host tests', 'unit'],
  ['test environment', 'test-env'],
];
const took = [];
for (const [name, target] of steps) {
  const t = Date.now();
  const { status } = spawnSync(make, ['--no-print-directory', target], { stdio: 'inherit' });
  took.push(`${name} ${seconds(Date.now() - t)}`);
  if (status !== 0) {
    console.error(
      `make test: ${name} failed (make ${target} exited ${status ?? 'on a signal'}) after ${seconds(Date.now() - t)}; the lines above say why`,
    );
    process.exit(status || 1);
  }
}
console.log(`make test: ${took.join(', ')}, ${seconds(Date.now() - started)} in all`);
process.exit(spawnSync(process.execPath, ['tools/test-summary.mjs'], { stdio: 'inherit' }).status ?? 1);
