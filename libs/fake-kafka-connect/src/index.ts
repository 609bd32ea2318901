/**
 * An in-process stand-in for a Kafka Connect worker with the Debezium PostgreSQL plugin, for unit tests.
 * It follows the documented REST semantics: 201 on create and 200 on update of PUT /connectors/{name}/config,
 * 409 during a rebalance, `{error_code, message}` error bodies, the status shape with traces, and 202 with
 * a status body for a restart with includeTasks/onlyFailed (204 without).
 */
import { repoVersions } from '@chorus/versions';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { ConnectorConfig, ConnectorState, ConnectorStatus } from '@chorus/connect-api';

export const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';
const CONNECT_REQUIRED = ['name', 'connector.class'];
const REQUIRED = ['database.hostname', 'database.user', 'database.dbname', 'topic.prefix'];
const WORKER_ID = 'kafka-connect:8083';
export const REBALANCE_MESSAGE = 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)';
export const TASK_TRACE = [
  'org.apache.kafka.connect.errors.ConnectException: An exception occurred in the change event producer. This connector will be stopped.',
  '\tat io.debezium.pipeline.ErrorHandler.setProducerThrowable(ErrorHandler.java:67)',
  '\tat io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.execute(PostgresStreamingChangeEventSource.java:180)',
  'Caused by: org.postgresql.util.PSQLException: ERROR: replication slot "chorus" is active for PID 4242',
  '\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)',
  '\tat org.postgresql.core.v3.QueryExecutorImpl.processCopyResults(QueryExecutorImpl.java:1368)',
  '\tat org.postgresql.core.v3.QueryExecutorImpl.startCopy(QueryExecutorImpl.java:1066)',
  '\tat org.postgresql.core.v3.replication.V3ReplicationProtocol.initializeReplication(V3ReplicationProtocol.java:58)',
  '\tat io.debezium.connector.postgresql.connection.PostgresReplicationConnection.startStreaming(PostgresReplicationConnection.java:571)',
  '\t... 10 more',
].join('\n');

interface Connector {
  config: ConnectorConfig;
  taskState: ConnectorState | null;
  /** What the connector was last told: a config update keeps it (Kafka Connect stores it apart from the config). */
  target?: 'STARTED' | 'STOPPED';
}

export interface FakeKafkaConnectOptions {
  plugins?: string[];
}

export class FakeKafkaConnect {
  /** Every request received, as "METHOD /path?query". */
  readonly requests: string[] = [];
  readonly connectors = new Map<string, Connector>();
  plugins: string[];

  /** Knobs a test turns to stage the documented failure modes. Each counts down per request it affects. */
  rebalances = 0;
  serverErrors = 0;
  /** Validations and config writes that see the database as unreachable. */
  databaseUnreachable = 0;
  /** Status polls after a (re)start during which the task is not yet listed. */
  taskStartupPolls = 1;
  /** How many times the task fails: on start, then after each restart, until this runs out. */
  taskFailures = 0;
  /** Polls of GET / that answer 503 as a worker that is still starting. */
  startingPolls = 0;
  /** Polls of GET /connector-plugins that list nothing yet, as a worker still loading its plugins. */
  loadingPluginPolls = 0;
  /** Reads of GET /connectors/{name}/config that answer 409, as a worker in a rebalance does. */
  rebalancingConfigReads = 0;

  private server: Server | undefined;
  private pendingStartupPolls = new Map<string, number>();

  constructor({ plugins = [POSTGRES_CONNECTOR_CLASS] }: FakeKafkaConnectOptions = {}) {
    this.plugins = plugins;
  }

  async start(): Promise<string> {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      this.requests.push(`${req.method} ${req.originalUrl}`);
      next();
    });

    app.get('/', (_req, res) => {
      if (this.startingPolls > 0) {
        this.startingPolls--;
        return fail(res, 503, 'Service Unavailable');
      }
      res.json({ version: repoVersions().KAFKA_VERSION, commit: 'f745dfdcee2b9851', kafka_cluster_id: 'fake-cluster' });
    });

    app.get('/connector-plugins', (_req, res) => {
      if (this.loadingPluginPolls > 0) {
        this.loadingPluginPolls--;
        return res.json([]);
      }
      res.json(this.plugins.map((cls) => ({ class: cls, type: 'source', version: repoVersions().DEBEZIUM_VERSION })));
    });

    app.put('/connector-plugins/:plugin/config/validate', (req, res) => {
      const plugin = this.resolvePlugin(String(req.params.plugin));
      if (!plugin) return fail(res, 404, `Unknown plugin ${req.params.plugin}.`);
      res.json(this.validation(req.body as ConnectorConfig));
    });

    app.get('/connectors', (_req, res) => {
      res.json([...this.connectors.keys()]);
    });

    app.get('/connectors/:name/config', (req, res) => {
      if (this.rebalancingConfigReads > 0) {
        this.rebalancingConfigReads--;
        return fail(
          res,
          409,
          'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
        );
      }
      const connector = this.connectors.get(String(req.params.name));
      if (!connector) return fail(res, 404, `Connector ${req.params.name} not found`);
      res.json({ ...connector.config, name: req.params.name });
    });

    app.put('/connectors/:name/config', (req, res) => {
      const name = String(req.params.name);
      if (this.rebalances > 0) {
        this.rebalances--;
        return fail(res, 409, REBALANCE_MESSAGE);
      }
      if (this.serverErrors > 0) {
        this.serverErrors--;
        return fail(res, 500, 'Request timed out');
      }
      const config = { ...(req.body as ConnectorConfig), name };
      const validation = this.validation(config);
      const errors = validation.configs.flatMap((c) => c.value.errors);
      if (errors.length > 0) {
        return fail(
          res,
          400,
          `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\n` +
            'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
        );
      }
      const existed = this.connectors.has(name);
      this.connectors.set(name, {
        config: { ...config, name },
        taskState: null,
        target: this.connectors.get(name)?.target,
      });
      this.pendingStartupPolls.set(name, this.taskStartupPolls);
      res.status(existed ? 200 : 201).json({ name, config: { ...config, name }, tasks: [], type: 'source' });
    });

    app.get('/connectors/:name/status', (req, res) => {
      const name = String(req.params.name);
      const connector = this.connectors.get(name);
      if (!connector) return fail(res, 404, `No status found for connector ${name}`);
      this.advance(name, connector);
      res.json(this.statusOf(name, connector));
    });

    app.post('/connectors/:name/restart', (req, res) => {
      const name = String(req.params.name);
      const connector = this.connectors.get(name);
      if (!connector) return fail(res, 404, `Unknown connector: ${name}`);
      const includeTasks = req.query.includeTasks === 'true';
      const onlyFailed = req.query.onlyFailed === 'true';
      if (!includeTasks && !onlyFailed) return res.status(204).end();
      const status = this.statusOf(name, connector);
      const restarting = status.tasks.filter((t) => includeTasks && (!onlyFailed || t.state === 'FAILED'));
      for (const task of restarting) task.state = 'RESTARTING';
      if (restarting.length > 0) {
        connector.taskState = 'RESTARTING';
        this.pendingStartupPolls.set(name, 0);
      }
      res.status(202).json(status);
    });

    // A stopped connector has no tasks; resuming starts them again (204 and 202, as Connect answers).
    app.put('/connectors/:name/stop', (req, res) => {
      const connector = this.connectors.get(String(req.params.name));
      if (!connector) return fail(res, 404, `Unknown connector: ${req.params.name}`);
      Object.assign(connector, { target: 'STOPPED', taskState: null });
      res.status(204).end();
    });

    app.put('/connectors/:name/resume', (req, res) => {
      const name = String(req.params.name);
      const connector = this.connectors.get(name);
      if (!connector) return fail(res, 404, `Unknown connector: ${name}`);
      if (connector.target === 'STOPPED') this.pendingStartupPolls.set(name, this.taskStartupPolls);
      Object.assign(connector, { target: 'STARTED' });
      res.status(202).end();
    });

    app.use((req: Request, res: Response) => fail(res, 404, `HTTP 404 Not Found`));

    this.server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private resolvePlugin(plugin: string): string | undefined {
    return this.plugins.find((cls) => cls === plugin || cls.endsWith(`.${plugin}`));
  }

  /** Moves a task through UNASSIGNED -> RUNNING/FAILED as status is polled. */
  private advance(name: string, connector: Connector): void {
    if (connector.target === 'STOPPED') return;
    const pending = this.pendingStartupPolls.get(name) ?? 0;
    if (pending > 0) {
      this.pendingStartupPolls.set(name, pending - 1);
      return;
    }
    if (connector.taskState === null || connector.taskState === 'RESTARTING') {
      if (this.taskFailures > 0) {
        this.taskFailures--;
        connector.taskState = 'FAILED';
      } else {
        connector.taskState = 'RUNNING';
      }
    }
  }

  private statusOf(name: string, connector: Connector): ConnectorStatus {
    const tasks =
      connector.taskState === null
        ? []
        : [
            {
              id: 0,
              state: connector.taskState,
              worker_id: WORKER_ID,
              ...(connector.taskState === 'FAILED' ? { trace: TASK_TRACE } : {}),
            },
          ];
    return {
      name,
      connector: { state: connector.target === 'STOPPED' ? 'STOPPED' : 'RUNNING', worker_id: WORKER_ID },
      tasks,
      type: 'source',
    };
  }

  private validation(config: ConnectorConfig) {
    const errorsFor = (field: string): string[] => {
      const value = config[field];
      // Kafka Connect's own ConnectorConfig: these have no default.
      if (CONNECT_REQUIRED.includes(field) && !value)
        return [`Missing required configuration "${field}" which has no default value.`];
      if (REQUIRED.includes(field) && !value) return [`The '${field}' value is invalid: A value is required`];
      if (field === 'plugin.name' && value && !['decoderbufs', 'pgoutput'].includes(value)) {
        return [`The 'plugin.name' value is invalid: Value must be one of decoderbufs, pgoutput`];
      }
      if (field === 'database.hostname' && value && this.databaseUnreachable > 0) {
        this.databaseUnreachable--;
        return [
          `Error while validating connector config: Connection to ${value}:${config['database.port'] ?? '5432'} refused. ` +
            'Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
        ];
      }
      return [];
    };
    const fields = [...new Set([...CONNECT_REQUIRED, ...REQUIRED, ...Object.keys(config)])];
    const configs = fields.map((name) => ({
      definition: { name, type: 'STRING', required: REQUIRED.includes(name) },
      value: { name, value: config[name] ?? null, recommended_values: [], errors: errorsFor(name), visible: true },
    }));
    const error_count = configs.reduce((n, c) => n + c.value.errors.length, 0);
    return { name: POSTGRES_CONNECTOR_CLASS, error_count, groups: ['Common', 'Postgres'], configs };
  }
}

function fail(res: Response, status: number, message: string) {
  res.status(status).json({ error_code: status, message });
}
