// Sums the vitest JSON reports of every project (its unit tests, reports/vitest.json, and its tests on
// real services, reports/integration.json) into one closing line: "Tests: N passed, N failed".
// With --acceptance, the acceptance suite's report (deploy/verify/reports/acceptance.json) too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const files = ['apps', 'libs', 'deploy', 'tools']
  .flatMap((dir) =>
    readdirSync(dir).flatMap((name) => ['vitest', 'integration'].map((kind) => `${dir}/${name}/reports/${kind}.json`)),
  )
  .concat(process.argv.includes('--acceptance') ? ['deploy/verify/reports/acceptance.json'] : [])
  .filter((file) => existsSync(file));
for (const file of files) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (files.length === 0) {
  console.error('no test reports found: did the test target run?');
  process.exit(1);
}
const projects = new Set(files.map((file) => file.split('/').slice(0, 2).join('/')));
console.log(
  `${projects.size} projects tested (${files.filter((f) => f.endsWith('vitest.json')).length} unit and ${files.filter((f) => f.endsWith('integration.json')).length} integration targets)`,
);
// Property-based tests say how many cases they tried.
for (const file of ['apps', 'libs', 'deploy']
  .flatMap((dir) => readdirSync(dir).map((name) => `${dir}/${name}/reports/fuzz.json`))
  .filter((f) => existsSync(f))) {
  const cases = Object.entries(JSON.parse(readFileSync(file, 'utf8')));
  console.log(
    `Fuzz (${file.split('/').slice(0, 2).join('/')}): ${cases.map(([what, n]) => `${what} ${n} cases`).join(', ')}`,
  );
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
