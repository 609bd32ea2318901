/** What a release runs again before it starts new app replicas: the one-shots they wait on, in prod's own file. */
import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../src/compose-file.ts';
import { ENVIRONMENTS } from '../src/environments.ts';
import { ROLLED_SERVICES, behindProxy, oneShotsBefore } from '../src/rolling.ts';

const root = new URL('../../..', import.meta.url).pathname;

describe('oneShotsBefore', () => {
  it("finds the migrations and the connector's setup behind prod's apps, through one another", () => {
    const file = readComposeFile(root, ENVIRONMENTS.prod);
    expect(oneShotsBefore(file, ['chorus-web'])).toEqual(['connector-handover', 'migrate', 'roles', 'setup-connector']);
    expect(oneShotsBefore(file, ROLLED_SERVICES)).toEqual(oneShotsBefore(file, ['chorus-web']));
  });

  it('does not follow a long-running dependency (it is not run again)', () => {
    const file = {
      name: 'x',
      services: {
        app: {
          depends_on: { once: { condition: 'service_completed_successfully' }, db: { condition: 'service_healthy' } },
        },
        once: { depends_on: { first: { condition: 'service_completed_successfully' } } },
        first: {},
        db: { depends_on: { dbInit: { condition: 'service_completed_successfully' } } },
        dbInit: {},
      },
    };
    expect(oneShotsBefore(file, ['app'])).toEqual(['first', 'once']);
  });
});

describe('behindProxy', () => {
  it("is prod's long-running services but the proxy: no one-shot, which up --wait would wait on to run", () => {
    expect(behindProxy(readComposeFile(root, ENVIRONMENTS.prod))).toEqual([
      'alertmanager',
      'backup',
      'chorus-stream-processor',
      'chorus-web',
      'kafka',
      'kafka-connect',
      'postgres',
      'prometheus',
      'redis',
    ]);
  });
});
