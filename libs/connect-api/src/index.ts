/**
 * The Kafka Connect REST API's shapes, as the Connect guide's "REST API" section documents them. The
 * client parses Connect's answers with these schemas, the fake worker answers in them, and `make status`
 * reads a connector's status through them: one declaration for every side.
 */
import { z } from 'zod';

export const CONNECTOR_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'FAILED', 'RESTARTING', 'STOPPED'] as const;
export const connectorState = z.enum(CONNECTOR_STATES);
export type ConnectorState = z.infer<typeof connectorState>;

export const connectorConfig = z.record(z.string(), z.string());
export type ConnectorConfig = z.infer<typeof connectorConfig>;

export const serverInfo = z.object({ version: z.string(), commit: z.string(), kafka_cluster_id: z.string() });
export type ServerInfo = z.infer<typeof serverInfo>;

export const pluginInfo = z.object({ class: z.string(), type: z.string(), version: z.string().optional() });
export type PluginInfo = z.infer<typeof pluginInfo>;

export const connectorInfo = z.object({
  name: z.string(),
  config: connectorConfig,
  tasks: z.array(z.object({ connector: z.string(), task: z.number() })),
  type: z.string(),
});
export type ConnectorInfo = z.infer<typeof connectorInfo>;

export const stateInfo = z.object({ state: connectorState, worker_id: z.string(), trace: z.string().optional() });
export type StateInfo = z.infer<typeof stateInfo>;

/** GET /connectors/{name}/status. */
export const connectorStatus = z.object({
  name: z.string(),
  connector: stateInfo,
  tasks: z.array(stateInfo.extend({ id: z.number() })),
  type: z.string(),
});
export type ConnectorStatus = z.infer<typeof connectorStatus>;

export const configValueInfo = z.object({
  name: z.string(),
  value: z.string().nullable(),
  recommended_values: z.array(z.string()),
  errors: z.array(z.string()),
  visible: z.boolean(),
});
export type ConfigValueInfo = z.infer<typeof configValueInfo>;

/** PUT /connector-plugins/{class}/config/validate. */
export const configValidation = z.object({
  name: z.string(),
  error_count: z.number(),
  groups: z.array(z.string()),
  configs: z.array(z.object({ definition: z.record(z.string(), z.unknown()), value: configValueInfo })),
});
export type ConfigValidation = z.infer<typeof configValidation>;
