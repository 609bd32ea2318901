/**
 * The three Compose files stay three complete files, and this check keeps them from drifting: after
 * the environment's name is normalised, a service shared by two files may differ only where a rule
 * below allows it. Pure: it reads parsed files, so it runs without Docker.
 */
import type { ComposeFile } from './compose-file.ts';
import type { EnvName } from './environments.ts';

export interface AllowedDifference {
  /** A path such as `services.kafka.environment.KAFKA_LISTENERS`. */
  path: RegExp;
  /** The environments that may differ from prod there; all when absent. */
  envs?: EnvName[];
  why: string;
}

const APPS = '(chorus-web|chorus-stream-processor)';

/** What the scale profile adds to the test file (three brokers, two Connect workers), one alternative a line. */
const SCALE_PROFILE_PATH = new RegExp(
  `^services\\.(${[
    String.raw`(kafka-2|kafka-3|kafka-connect-2)\..+`,
    String.raw`kafka\.environment\.KAFKA_(CONTROLLER_QUORUM_VOTERS|OFFSETS_TOPIC_REPLICATION_FACTOR)`,
    String.raw`kafka\.environment\.KAFKA_(TRANSACTION_STATE_LOG_REPLICATION_FACTOR|TRANSACTION_STATE_LOG_MIN_ISR)`,
    String.raw`kafka\.environment\.KAFKA_(DEFAULT_REPLICATION_FACTOR|MIN_INSYNC_REPLICAS)`,
    String.raw`kafka-connect\.environment\.(BOOTSTRAP_SERVERS|ADVERTISED_HOST_NAME)`,
    String.raw`kafka-connect\.environment\.CONNECT_(CONFIG|OFFSET|STATUS)_STORAGE_REPLICATION_FACTOR`,
    String.raw`kafka-connect\.environment\.CONNECT_(SESSION_TIMEOUT_MS|HEARTBEAT_INTERVAL_MS)`,
    String.raw`kafka-connect\.environment\.CONNECT_(SCHEDULED_REBALANCE_MAX_DELAY_MS|PRODUCER_REQUEST_TIMEOUT_MS)`,
    String.raw`kafka-connect\.depends_on\.kafka-[23]\..+`,
    String.raw`chorus-stream-processor\.environment\.(KAFKA_BROKERS|KAFKA_REPLICATION_FACTOR)`,
    String.raw`(setup-connector|connector-handover)\.environment\.KAFKA_REPLICATION_FACTOR`,
  ].join('|')})$`,
);

export const ALLOWED_DIFFERENCES: AllowedDifference[] = [
  { path: /^services\.[^.]+\.ports$/, why: 'host ports are per environment' },
  { path: /^services\.[^.]+\.(volumes|tmpfs)$/, why: 'storage: named volumes in prod and dev, unnamed ones in test' },
  { path: /^volumes\./, why: 'each environment declares its own named volumes' },
  { path: /^services\.[^.]+\.restart$/, why: 'restart policies are per environment' },
  {
    path: new RegExp(`^services\\.${APPS}\\.(image|working_dir|command)$`),
    envs: ['dev'],
    why: 'dev runs the mounted source with a watch command',
  },
  {
    path: new RegExp(`^services\\.${APPS}\\.user$`),
    envs: ['dev'],
    why: 'dev runs the mounted source as the host user that owns it',
  },
  {
    path: new RegExp(`^services\\.${APPS}\\.environment\\.(ESBUILD_BINARY_PATH|NODE_OPTIONS)$`),
    envs: ['dev'],
    why: "dev runs the mounted sources with tsx as node's loader, and the mounted node_modules may hold another platform's esbuild",
  },
  {
    path: /^services\.kafka\.environment\.KAFKA_(LISTENERS|ADVERTISED_LISTENERS|LISTENER_SECURITY_PROTOCOL_MAP)$/,
    envs: ['dev'],
    why: "dev's extra listener for programs on the host",
  },
  {
    path: /^services\.(postgres|redis)\.command$/,
    envs: ['test'],
    why: 'test trades durability for speed on throwaway storage',
  },
  { path: /^services\.chorus-tester\./, envs: ['test'], why: "test's end-to-end suite" },
  {
    path: /^services\.proxy-ca\./,
    envs: ['test'],
    why: "the test run's volumes are anonymous: the CA's certificate is copied where the tester reads it",
  },
  {
    path: /^(services\.proxy(-certs)?\..+|services\.chorus-web\.(networks|environment\.(TRUST_PROXY|TLS_PROXY|PROD_HOSTNAMES))|networks\.edge)$/,
    envs: ['dev'],
    why: 'dev stays plain HTTP on loopback: no proxy in front of its web app',
  },
  {
    path: /^services\.(proxy\.environment\.(CHORUS_CERTS|PROD_HOSTNAMES|ACME_EMAIL|ACME_CA)|proxy-certs\.(command|environment\.PROD_HOSTNAMES)|chorus-web\.environment\.PROD_HOSTNAMES)$/,
    envs: ['test'],
    why: "a test run's proxy uses its own CA, for the name and port the tester reaches it by (proxy:443)",
  },
  {
    path: /^services\.proxy\.volumes_from$/,
    envs: ['test'],
    why: "the test run's volumes are anonymous: the proxy shares proxy-certs' data volume the one way Compose shares those",
  },
  {
    path: /^services\.chorus-web\.environment\.CHORUS_SIGN_IN$/,
    envs: ['dev', 'test'],
    why: 'prod always requires sign-in; dev (off by default) and test (on by default) may turn it off or on',
  },
  {
    path: /^services\.chorus-web\.(deploy\.replicas|stop_grace_period)$/,
    envs: ['dev', 'test'],
    why: "prod's releases replace its web replicas while it answers (two behind the proxy, each draining on SIGTERM); dev and test run one",
  },
  {
    path: /^services\.postgres\.(image|command|environment\.(PGBACKREST|BACKUP_S3)_[A-Z0-9_]+)$/,
    envs: ['dev', 'test'],
    why: "only prod archives its WAL (pgBackRest, on prod's own Postgres image); dev and test run the resolved Postgres image",
  },
  {
    path: /^(services\.(alertmanager|alerting-config)\..+|networks\.alerting)$/,
    envs: ['test'],
    why: 'a test run sends its alerts nowhere: its Prometheus evaluates the rules, and no Alertmanager runs',
  },
  {
    path: /^(services\.backup\..+|services\.prometheus\.networks|networks\.metrics)$/,
    envs: ['dev', 'test'],
    why: "only prod keeps backups (make backup-prod, make restore-prod), and its Prometheus scrapes the backup service's metrics; dev and test start from scratch",
  },
  {
    path: /^services\.(setup-connector|connector-handover|chorus-stream-processor)\.environment\.CDC_PROFILE$/,
    envs: ['test'],
    why: 'make bench measures the baseline profile in projects from the test file',
  },
  {
    path: SCALE_PROFILE_PATH,
    envs: ['test'],
    why: 'the scale profile (three brokers, two Connect workers) lives in the test file, for make chaos-scale; partitions and processor replicas are in every file',
  },
];

/** The file's values with its own environment's name replaced by `<env>`: keys stay, and so do paths such as /dev/tcp. */
function normalise(file: ComposeFile, e: EnvName): unknown {
  const name = new RegExp(`(?<![A-Za-z/])${e}(?![A-Za-z/])`, 'g');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(name, '<env>');
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(Object.fromEntries(Object.entries(file).filter(([key]) => !key.startsWith('x-'))));
}

/** Leaves by dotted path; a list is one leaf, compared whole. */
function leaves(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, path ? `${path}.${key}` : key, out);
  } else {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** Every difference between prod and another environment's file that no rule allows. */
export function driftProblems(files: Record<EnvName, ComposeFile>, allowed = ALLOWED_DIFFERENCES): string[] {
  const reference = leaves(normalise(files.prod, 'prod'));
  const problems: string[] = [];
  for (const e of ['dev', 'test'] as const) {
    const other = leaves(normalise(files[e], e));
    for (const path of new Set([...reference.keys(), ...other.keys()])) {
      if (reference.get(path) === other.get(path)) continue;
      if (allowed.some((rule) => rule.path.test(path) && (!rule.envs || rule.envs.includes(e)))) continue;
      problems.push(`${e}: ${path} is ${other.get(path) ?? '(absent)'}, prod has ${reference.get(path) ?? '(absent)'}`);
    }
  }
  return problems;
}
