import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/settings.ts';

describe('settings', () => {
  it('derives the topic and group from the environment, matching setup-connector', () => {
    expect(loadSettings({ CHORUS_ENV: 'dev' })).toMatchObject({
      topic: 'chorus_dev.public.task_queue',
      groupId: 'chorus-dev-stream-processor',
      brokers: ['kafka:9092'],
      redisUrl: 'redis://redis:6379',
    });
  });

  it('names a bad broker list', () => {
    expect(() => loadSettings({ CHORUS_ENV: 'dev', KAFKA_BROKERS: 'kafka' })).toThrow(/KAFKA_BROKERS.*host:port/);
  });
});
