import { describe, expect, it } from 'vitest';
import { type ComposeFile, readComposeFile } from '../src/compose-file.ts';
import { driftProblems } from '../src/drift.ts';
import { ENVIRONMENTS, ENV_NAMES, type EnvName, repoRoot } from '../src/environments.ts';

const root = repoRoot();
const files = () =>
  Object.fromEntries(ENV_NAMES.map((e) => [e, readComposeFile(root, ENVIRONMENTS[e])])) as Record<EnvName, ComposeFile>;

const mutated = (change: (f: Record<EnvName, ComposeFile>) => void) => {
  const f = files();
  change(f);
  return driftProblems(f);
};

describe('the three Compose files', () => {
  it('differ only where an environment is meant to differ', () => {
    expect(driftProblems(files())).toEqual([]);
  });
});

describe('the drift check itself', () => {
  it('catches a shared service configured differently in one file', () => {
    expect(mutated((f) => (f.dev.services['kafka-connect']!.environment!.OFFSET_FLUSH_INTERVAL_MS = 60000))).toEqual([
      'dev: services.kafka-connect.environment.OFFSET_FLUSH_INTERVAL_MS is 60000, prod has 1000',
    ]);
  });

  it('catches a service or a setting that only one file has', () => {
    const problems = mutated((f) => {
      delete f.test.services['chorus-stream-processor']!.healthcheck;
      f.dev.services.redis!.user = 'root';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^test: services\.chorus-stream-processor\.healthcheck\.test is \(absent\)/),
        'dev: services.redis.user is "root", prod has (absent)',
      ]),
    );
  });

  it('allows a difference only to the environments its rule names', () => {
    // test may run Valkey without persistence; dev keeps prod's durable command.
    const command = ['valkey-server', '--save', ''];
    expect(mutated((f) => (f.test.services.redis!.command = command))).toEqual([]);
    expect(mutated((f) => (f.dev.services.redis!.command = command))).toEqual([
      expect.stringMatching(/^dev: services\.redis\.command is /),
    ]);
  });

  it('normalises the environment name but not paths that merely contain it', () => {
    expect(mutated((f) => (f.dev.services['kafka-connect']!.environment!.GROUP_ID = 'chorus-prod-connect'))).toEqual([
      'dev: services.kafka-connect.environment.GROUP_ID is "chorus-prod-connect", prod has "chorus-<env>-connect"',
    ]);
  });
});
