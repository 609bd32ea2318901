/**
 * The variables that override an environment's CDC names (libs/cdc-names holds the rule), validated the
 * same way in every process that reads them: setup-connector, the stream processor, the backup, the
 * migrations and the env CLI's env files. Empty is unset, so a Compose file can pass each one through.
 */
import { CDC_NAME_VARIABLES } from '@chorus/cdc-names';
import { z } from 'zod';
import { env } from './fields.ts';

const unsetWhenEmpty = <T extends z.ZodType>(field: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), field.optional());

const kafkaName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'use letters, digits and . _ - (max 249)');

export const cdcNamesEnv = {
  [CDC_NAME_VARIABLES.connector]: unsetWhenEmpty(kafkaName),
  [CDC_NAME_VARIABLES.slot]: unsetWhenEmpty(env.identifier()),
  [CDC_NAME_VARIABLES.publication]: unsetWhenEmpty(env.identifier()),
  [CDC_NAME_VARIABLES.topicPrefix]: unsetWhenEmpty(env.identifier()),
  [CDC_NAME_VARIABLES.consumerGroup]: unsetWhenEmpty(kafkaName),
} as const;
