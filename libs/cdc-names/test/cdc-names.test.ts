import { describe, expect, it } from 'vitest';
import { cdcNameOverrides, cdcNames } from '../src/index.ts';

describe('cdcNames', () => {
  it('names every CDC object after the environment', () => {
    expect(cdcNames('prod')).toEqual({
      connector: 'chorus-prod-postgres',
      slot: 'chorus_prod',
      publication: 'chorus_prod',
      topicPrefix: 'chorus_prod',
      taskTopic: 'chorus_prod.public.task_queue',
      consumerGroup: 'chorus-prod-stream-processor',
      deadLetterTopic: 'chorus_prod.dead-letter',
    });
  });

  it('gives two environments no name in common', () => {
    const prod = Object.values(cdcNames('prod'));
    for (const name of Object.values(cdcNames('dev'))) expect(prod).not.toContain(name);
  });

  it('derives the task topic from an overridden prefix', () => {
    expect(cdcNames('dev', { topicPrefix: 'custom' }).taskTopic).toBe('custom.public.task_queue');
  });
});

describe('cdcNameOverrides', () => {
  it('reads each override from its variable, and an empty one is no override', () => {
    const vars = {
      CONNECTOR_NAME: 'cdc-main',
      SLOT_NAME: 'main_slot',
      PUBLICATION_NAME: 'main_pub',
      TOPIC_PREFIX: 'main',
      CONSUMER_GROUP: '',
      UNRELATED: 'x',
    };
    expect(cdcNameOverrides(vars)).toEqual({
      connector: 'cdc-main',
      slot: 'main_slot',
      publication: 'main_pub',
      topicPrefix: 'main',
    });
    expect(cdcNames('prod', cdcNameOverrides(vars))).toEqual({
      connector: 'cdc-main',
      slot: 'main_slot',
      publication: 'main_pub',
      topicPrefix: 'main',
      taskTopic: 'main.public.task_queue',
      consumerGroup: 'chorus-prod-stream-processor',
      deadLetterTopic: 'main.dead-letter',
    });
  });
});
