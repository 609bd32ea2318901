/**
 * Nx's boundary rule (@nx/enforce-module-boundaries, eslint.config.mjs) on planted imports: the rule
 * the `lint` targets run, asked about files that are not in the tree.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

const eslint = new ESLint({ cwd: ROOT });

/** The boundary rule's complaints about `code` as if it were the file at `path`. */
async function complaints(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the import boundaries', () => {
  it("an app's code may not import test support", async () => {
    expect(
      await complaints(
        'apps/chorus-web/src/planted.ts',
        "import { freePort } from '@chorus/testing';\nexport const port = freePort;\n",
      ),
    ).toEqual([
      '@nx/enforce-module-boundaries: A project tagged with "type:app" can only depend on libs tagged with "type:runtime-lib", "type:contract"',
    ]);
  });

  it("an app's tests may", async () => {
    expect(
      await complaints(
        'apps/chorus-web/test/planted.test.ts',
        "import { freePort } from '@chorus/testing';\nexport const port = freePort;\n",
      ),
    ).toEqual([]);
  });

  it('a runtime lib may not import the tooling or an app', async () => {
    expect(
      await complaints(
        'libs/tasks/src/planted.ts',
        "import { image } from '@chorus/image-rules';\nexport const x = image;\n",
      ),
    ).toEqual([
      '@nx/enforce-module-boundaries: A project tagged with "type:runtime-lib" can only depend on libs tagged with "type:runtime-lib", "type:contract"',
    ]);
    // setup-connector is the one app with an export (its settings, for its own tests).
    expect(
      await complaints(
        'libs/processor-health/src/planted.ts',
        "import { settingsSchema } from 'setup-connector/settings';\nexport const x = settingsSchema;\n",
      ),
    ).toEqual([
      '@nx/enforce-module-boundaries: A project tagged with "type:contract" can only depend on libs tagged with "type:runtime-lib", "type:contract"',
    ]);
  });

  it('an app may import runtime libs and contracts', async () => {
    expect(
      await complaints(
        'apps/chorus-web/src/planted.ts',
        "import { ReadModel } from '@chorus/read-model';\nimport { processorHealth } from '@chorus/processor-health';\nexport const x = [ReadModel, processorHealth];\n",
      ),
    ).toEqual([]);
  });
});
