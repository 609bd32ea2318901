import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '@chorus/errors';
import { env, loadConfig } from '../src/index.ts';

const schema = z.object({
  PORT: env.port().default(8080),
  NAME: env.identifier(),
  TABLES: env.list().default(['public.a']),
});

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    expect(loadConfig(schema, { NAME: 'chorus' })).toEqual({ PORT: 8080, NAME: 'chorus', TABLES: ['public.a'] });
    expect(loadConfig(schema, { NAME: 'x', PORT: '5432', TABLES: ' a.b , c.d ,' })).toEqual({
      PORT: 5432,
      NAME: 'x',
      TABLES: ['a.b', 'c.d'],
    });
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig(schema, { NAME: 'x', PORT: '' }).PORT).toBe(8080);
  });

  it('reports every invalid variable by name, at once', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: '70000', NAME: 'Bad-Name' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^PORT: /);
    expect(problems[1]).toMatch(/^NAME: use lower-case letters/);
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(/NAME: /);
  });
});
