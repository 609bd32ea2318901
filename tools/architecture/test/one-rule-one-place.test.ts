import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fromRoot, tsFiles } from './sources.ts';

/** Files, tests included, that spell out a rule by `pattern`. */
const spelledOutIn = (pattern: RegExp) =>
  ['apps', 'libs', 'deploy', 'infrastructure']
    .flatMap((dir) => tsFiles(join(ROOT, dir)))
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map(fromRoot);

describe('one rule in one place', () => {
  it('the per-environment CDC naming rule is written only in @chorus/cdc-names', () => {
    expect(spelledOutIn(/chorus_\$\{|chorus-\$\{[^}]+\}-(postgres|stream-processor)/)).toEqual([
      'libs/cdc-names/src/index.ts',
    ]);
  });

  it('the exit codes are defined only in @chorus/errors', () => {
    expect(spelledOutIn(/\bEXIT\s*=\s*\{/)).toEqual(['libs/errors/src/errors.ts']);
  });

  it('the percentile rule is written only in @chorus/latency', () => {
    expect(spelledOutIn(/Math\.ceil\(\s*q\s*\*/)).toEqual(['libs/latency/src/index.ts']);
  });

  it('the CDC latency settings are written only in libs/config/src/cdc-profile.ts', () => {
    expect(spelledOutIn(/'poll\.interval\.ms':|maxWaitTimeInMs:\s*\d/)).toEqual(['libs/config/src/cdc-profile.ts']);
  });

  it('the Redis key names are spelled out only in @chorus/read-model; every process reads the read model through it', () => {
    const inSources = spelledOutIn(/['`]task(-lsn)?:|tasks:(by-time|status:)/).filter((file) => file.includes('/src/'));
    expect(inSources).toEqual(['libs/read-model/src/index.ts', 'libs/read-model/src/scripts.ts']);
  });

  it('each contract between processes is declared once, as a zod schema in a contract lib', () => {
    expect(spelledOutIn(/interface\s+ConnectorStatus\b|type\s+ConnectorStatus\s*=|const connectorStatus\s*=/)).toEqual([
      'libs/connect-api/src/index.ts',
    ]);
    expect(spelledOutIn(/interface\s+ProcessorHealth\b|type\s+ProcessorHealth\s*=|const processorHealth\s*=/)).toEqual([
      'libs/processor-health/src/index.ts',
    ]);
    expect(spelledOutIn(/export const (benchStep|writerReport|convergence)\s*=/)).toEqual([
      'libs/load-reports/src/index.ts',
    ]);
  });

  it('no lib re-exports another library', () => {
    const reexports = tsFiles(join(ROOT, 'libs')).filter((f) =>
      /export\s*\{[^}]*\}\s*from\s*'(?!\.)/.test(readFileSync(f, 'utf8')),
    );
    expect(reexports.map(fromRoot)).toEqual([]);
  });
});
