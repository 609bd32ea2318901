// Sums the vitest JSON reports of every project into one closing line: "Tests: N passed, N failed".
// With --acceptance, the acceptance suite's report (deploy/acceptance/reports/acceptance.json) too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const files = ['apps', 'libs', 'deploy', 'tools']
  .flatMap((dir) => readdirSync(dir).map((name) => `${dir}/${name}/reports/vitest.json`))
  .concat(process.argv.includes('--acceptance') ? ['deploy/acceptance/reports/acceptance.json'] : [])
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
console.log(`${files.length} projects tested`);
// Property-based tests say how many cases they tried.
for (const file of ['apps', 'libs', 'deploy'].flatMap((dir) => readdirSync(dir).map((name) => `${dir}/${name}/reports/fuzz.json`)).filter((f) => existsSync(f))) {
  const cases = Object.entries(JSON.parse(readFileSync(file, 'utf8')));
  console.log(`Fuzz (${file.split('/').slice(0, 2).join('/')}): ${cases.map(([what, n]) => `${what} ${n} cases`).join(', ')}`);
}
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
