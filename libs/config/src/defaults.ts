/**
 * Every default of the CHORUS services, in one place. They are the addresses inside a Compose
 * environment; an env file or the environment overrides each one by the variable named beside it.
 */
export const defaults = {
  /** POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER */
  postgres: { host: 'postgres', port: 5432, database: 'chorus', user: 'chorus' },
  /** REDIS_URL */
  redisUrl: 'redis://redis:6379',
  /** CHORUS_WEB_URL: the web app, as the tester reaches it. */
  webUrl: 'http://chorus-web:3000',
  /** KAFKA_BROKERS */
  kafkaBrokers: ['kafka:9092'],
  /**
   * CHANGE_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR: one partition and one copy on one broker; the scale
   * profile (three brokers, processor replicas) raises both.
   */
  changeTopic: { partitions: 1, replicationFactor: 1 },
  /** KAFKA_CONNECT_URL */
  kafkaConnectUrl: 'http://kafka-connect:8083',
  /** HEALTH_PORT: where the stream processor answers /healthz and /metrics. */
  healthPort: 8080,
  /** METRICS_PORT: where the web app answers Prometheus's /metrics, apart from the UI's port. */
  webMetricsPort: 9464,
  /**
   * How Alertmanager notifies: a new group waits groupWait for its other alerts; a group with changes
   * (resolutions too) is sent again after ALERT_GROUP_INTERVAL, an unchanged firing one after ALERT_REPEAT_INTERVAL.
   */
  alerting: { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' },
  /** METRICS_PORT of the backup service: its schedule's, repositories' and disks' figures. */
  backupMetricsPort: 9464,
  /** LOG_LEVEL */
  logLevel: 'info',
  /** PORT: where the web app serves the UI inside its container. */
  webPort: 3000,
  /** CHORUS_ENV of a web app run outside an environment (its own `nx serve`). */
  webEnv: 'local',
  /** STALL_SECONDS: lag that has not moved for this long is a stall, and the processor's health says so. */
  stallSeconds: 30,
  /** PIPELINE_TIMEOUT_MS: how long the tester's journey waits for a change to reach what the user sees. */
  pipelineTimeoutMs: 30_000,
  /**
   * The connector setup-connector registers. PUBLICATION_AUTOCREATE_MODE `disabled`: the migrations create
   * the publication (with the signalling table), so Debezium must not rewrite it on each start.
   * HEARTBEAT_INTERVAL_MS keeps the slot's confirmed LSN moving while the captured tables are quiet.
   */
  connector: {
    publicationAutocreate: 'disabled',
    heartbeatIntervalMs: 5_000,
    tables: ['public.task_queue'],
    setupTimeoutS: 180,
    maxTaskRestarts: 3,
  },
  /** BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP: a snapshot a day, the newest seven kept, in the backups volume. */
  backup: { dir: '/backups', everyMs: 86_400_000, keep: 7 },
  /**
   * How long a request waits on a dependency before it answers 503: a paused or unreachable Postgres
   * or Redis must not hang a page. Connecting, and each query or command, gets this long.
   */
  dependencyTimeoutMs: 2000,
  /** The Retry-After of such a 503: a dependency that failed to answer is retried by the pool within seconds. */
  unavailableRetryAfterS: 5,
  /**
   * SIGNAL_DATA_COLLECTION: the table Debezium reads signals from (an incremental snapshot rebuilds the
   * read model from Postgres) and writes its snapshot watermarks to. The migrations create it.
   */
  signalTable: 'public.debezium_signal',
  /**
   * CHORUS_SIGN_IN: `required` (accounts and API tokens; prod always) or `off` (anyone who reaches the UI
   * may use it; dev's default, said on every page).
   */
  signIn: 'required',
  /** How long a session lasts without use. */
  sessionIdleMs: 12 * 3_600_000,
  /** How often a session in use has its idle time renewed in Redis, at most. */
  sessionRenewMs: 60_000,
  /** Wrong passwords allowed per account, and per client address, within `window` before 429. */
  signInLimits: { perAccount: 5, perAddress: 20, windowS: 60 },
  /**
   * How old the web app's count of tasks in Postgres may be when a page shows it: reads come from the read
   * model, so a page view does not query Postgres (a write through the app counts again at once).
   */
  writeStoreMaxAgeMs: 1000,
  /** How long the web app's reading of the proxy's certificates stands before a scrape reads them again. */
  certificateReadMs: 3_600_000,
  /** How often the web app looks its trusted proxies' names up again (TRUST_PROXY=proxy): a recreated proxy moves. */
  trustedProxyLookupMs: 5_000,
  /**
   * How long a web process stopped by SIGTERM lingers with its port closed, answering what it had accepted,
   * before it exits: longer than the proxy takes to look its upstreams up again (deploy/proxy/Caddyfile,
   * `refresh 1s`), so that a connection attempt meanwhile is refused at once and retried on a new replica,
   * never left to time out on an address that is gone.
   */
  drainLingerMs: 3_000,
  /** How long the requests in flight may take to finish once SIGTERM came, before their connections are closed. */
  drainLimitMs: 8_000,
  /** How long a token checked good may still read while Postgres, which holds the tokens, does not answer. */
  tokenGraceMs: 3_600_000,
  /** bcrypt's cost: 360–425 ms per sign-in on one core of this project's CI machine (bcryptjs). */
  passwordCost: 12,
} as const;
