import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sources.ts';

// dev runs these apps' sources with nodemon with tsx (Node's ESM loader), not the bundles: a CommonJS package's
// export that ESM cannot see by name fails there only. main.ts starts the app, so it is left out.
const LIVE_RELOADED = ['apps/chorus-web/src', 'apps/chorus-stream-processor/src'];

describe("dev's live-reloaded sources", () => {
  it('every module loads under Node ESM with tsx, as in dev', async () => {
    const files = LIVE_RELOADED.flatMap((dir) =>
      readdirSync(join(ROOT, dir))
        .filter((f) => f.endsWith('.ts') && f !== 'main.ts')
        .map((f) => join(ROOT, dir, f)),
    );
    const script = `for (const f of ${JSON.stringify(files)}) { try { await import(f) } catch (e) { console.log(f + ': ' + e.message); process.exitCode = 1 } }`;
    // Asynchronous, so that the test worker keeps answering vitest while it runs.
    const run = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
    expect(run.output).toBe('');
    expect(run.code).toBe(0);
  }, 90_000);
});
