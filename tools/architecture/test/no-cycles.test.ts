import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { ROOT, fromRoot, sourceDirs, tsFiles } from './sources.ts';

const graph = (dirs: string[]) =>
  madge(dirs, { fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.base.json'), baseDir: ROOT });
const cycles = async (dirs: string[]) => (await graph(dirs)).circular();

describe('imports', () => {
  it('form no cycle inside any app, lib or deploy tool', async () => {
    const dirs = sourceDirs();
    const result = await graph(dirs);
    // Every source file was read and its relative imports followed.
    expect(Object.keys(result.obj()).sort()).toEqual(dirs.flatMap(tsFiles).map(fromRoot).sort());
    expect(result.obj()['apps/chorus-web/src/app.ts']).toContain('apps/chorus-web/src/page-routes.ts');
    expect(result.circular()).toEqual([]);
  });

  it('a cycle is found when there is one (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chorus-cycle-'));
    writeFileSync(
      join(dir, 'index.ts'),
      "export { Projector } from './projector.ts';\nexport const parse = () => 1;\n",
    );
    writeFileSync(
      join(dir, 'projector.ts'),
      "import { parse } from './index.ts';\nexport class Projector { run = parse; }\n",
    );
    expect(await cycles([dir])).toHaveLength(1);
  });
});
