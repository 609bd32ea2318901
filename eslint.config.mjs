// The import boundaries between kinds of project, enforced by Nx's own rule on the project graph.
// Each project carries one `type:` tag (its package.json's nx.tags, or project.json's tags):
//   type:app           a deployable process (apps/)
//   type:runtime-lib   code the apps run (libs/)
//   type:contract      a shape two processes exchange, as a zod schema both sides parse with (libs/)
//   type:test-support  real services and fakes for tests only (libs/testing, libs/fake-kafka-connect)
//   type:tooling-lib   rules only the tooling needs (libs/image-rules)
//   type:tooling       the env CLI, the chart's tooling, checks of the repository (deploy/, infrastructure/, tools/)
//   type:verification  the verification suites (deploy/verify), on the env CLI's floor; nothing imports them
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const shipped = ['type:runtime-lib', 'type:contract'];

/** What each kind may import in the code it ships. Nothing but tooling imports tooling, and nothing imports an app. */
const runtime = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: shipped },
  { sourceTag: 'type:runtime-lib', onlyDependOnLibsWithTags: shipped },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: shipped },
  { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: [...shipped, 'type:test-support'] },
  { sourceTag: 'type:tooling-lib', onlyDependOnLibsWithTags: [...shipped, 'type:tooling-lib'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: [...shipped, 'type:test-support', 'type:tooling-lib'] },
  {
    sourceTag: 'type:verification',
    onlyDependOnLibsWithTags: [...shipped, 'type:test-support', 'type:tooling-lib', 'type:tooling'],
  },
];

/** Tests and benchmarks may use test support as well. */
const tests = runtime.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'type:test-support'])],
}));

const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
});

const testFiles = ['**/test/**/*.ts', '**/bench/**/*.ts', '**/*.test.ts', '**/vitest*.config.ts'];

export default [
  ...nx.configs['flat/base'],
  // Build configs import the workspace's bundler settings (tools/node-bundle.ts) by path: build tooling, not code.
  { ignores: ['**/node_modules/**', '**/dist/**', '**/reports/**', '.nx/**', '**/tsup.config.ts'] },
  { files: ['**/*.ts', '**/*.mts'], languageOptions: { parser: tseslint.parser } },
  { files: ['**/*.ts', '**/*.mts', '**/*.mjs'], rules: boundaries(runtime) },
  { files: testFiles, rules: boundaries(tests) },
];
