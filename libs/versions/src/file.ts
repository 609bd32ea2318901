/** The versions file's schema and reading, with no dependency on other CHORUS libs (build configs load it). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { z } from 'zod';

/** Where every third-party version is pinned, relative to the repository root. */
export const VERSIONS_FILE = 'infrastructure/versions.env';

/** An image reference as Docker writes it: [registry/]path[:tag]. */
export const imageReference = z
  .string()
  .regex(
    /^[a-z0-9][a-zA-Z0-9._\-/:]*[a-zA-Z0-9_.-]$/,
    'expected an image reference such as registry.example/postgres:17-trixie',
  );

const schema = z.object({
  NODE_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Node.js release, such as 22.12.0'),
  NODE_MINIMUM: z.string().regex(/^\d+\.\d+$/, 'expected the oldest Node.js the tooling runs on, such as 20.19'),
  KAFKA_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Kafka release, such as 4.0.0'),
  CONNECT_KAFKA_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Kafka release, such as 4.0.0'),
  DEBEZIUM_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.Final$/, 'expected an exact Debezium release, such as 3.1.0.Final'),
  LOG4J_VERSION: z.string(),
  POSTGRES_MAJOR: z.string().regex(/^\d+$/, 'expected a PostgreSQL major, such as 17'),
  POSTGRES_PREVIOUS_MAJOR: z.string().regex(/^\d+$/, 'expected the PostgreSQL major upgraded from, such as 15'),
  VALKEY_MINOR: z.string().regex(/^\d+\.\d+$/, 'expected a Valkey release line, such as 8.1'),
  PROMETHEUS_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Prometheus release, such as 2.42.0'),
  ALERTMANAGER_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Alertmanager release, such as 0.28.1'),
  PGBACKREST_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+-\d+$/, "expected Debian's exact pgBackRest package version, such as 2.55.1-1"),
  CADDY_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Caddy release, such as 2.11.4'),
  XCADDY_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact xcaddy release, such as v0.4.5'),
  VERSITYGW_VERSION: z
    .string()
    .regex(/^v\d+\.\d+\.\d+$/, 'expected an exact Versity S3 Gateway release, such as v1.8.0'),
  MAILPIT_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact Mailpit release, such as v1.33.1'),
  PEBBLE_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact Pebble release, such as v2.10.3'),
  JMX_EXPORTER_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact JMX exporter release, such as 1.0.1'),
  JMX_EXPORTER_SHA256: z.string().regex(/^[0-9a-f]{64}$/, "expected the agent jar's SHA-256, 64 hex digits"),
  HELM_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact helm release, such as v3.22.0'),
  KUBERNETES_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact Kubernetes release, such as v1.34.4'),
  COREDNS_VERSION: z.string().regex(/^v\d+\.\d+\.\d+$/, 'expected an exact CoreDNS release, such as v1.12.1'),
  STRIMZI_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact Strimzi release, such as 1.2.0'),
  CNPG_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an exact CloudNativePG release, such as 1.28.0'),
  DEBIAN_SUITE: z.enum(['bookworm', 'trixie'], {
    error: 'expected the Debian release the images stand on: bookworm or trixie',
  }),
  POSTGRES_IMAGE: imageReference,
  REDIS_IMAGE: imageReference,
  KAFKA_IMAGE: imageReference,
  CONNECT_IMAGE: imageReference,
  NODE_IMAGE: imageReference,
  PROMETHEUS_IMAGE: imageReference,
  ALERTMANAGER_IMAGE: imageReference,
  CADDY_IMAGE: imageReference,
  DEBIAN_LOCAL: imageReference,
  POSTGRES_LOCAL: imageReference,
  REDIS_LOCAL: imageReference,
  KAFKA_LOCAL: imageReference,
  CONNECT_LOCAL: imageReference,
  NODE_LOCAL: imageReference,
  PROMETHEUS_LOCAL: imageReference,
  ALERTMANAGER_LOCAL: imageReference,
  CADDY_LOCAL: imageReference,
  POSTGRES_UPGRADE_LOCAL: imageReference,
  OFFICIAL_IMAGES_TESTS_VERSION: z
    .string()
    .regex(
      /^v0\.0\.0-\d{14}-[0-9a-f]{12}$/,
      'expected a Go module pseudo-version, such as v0.0.0-20260904214243-b6c89f1d7f23',
    ),
  OFFICIAL_IMAGES_TESTS_SHA256: z.string().regex(/^[0-9a-f]{64}$/, "expected the suite zip's SHA-256, 64 hex digits"),
});

export type Versions = z.infer<typeof schema>;

/** The file's problems by key, or its values. */
export function loadVersionsFile(
  root: string,
): { versions: Versions; problems?: undefined } | { versions?: undefined; problems: string[] } {
  const result = schema.safeParse(parse(readFileSync(join(root, VERSIONS_FILE))));
  return result.success
    ? { versions: result.data }
    : { problems: result.error.issues.map((i) => `${VERSIONS_FILE}: ${i.path.join('.')}: ${i.message}`) };
}

/** The Node.js major the app images run: the bundles' target, `.nvmrc` and the users' CI. */
export const nodeMajor = (v: Pick<Versions, 'NODE_VERSION'>) => Number(v.NODE_VERSION.split('.')[0]);

/** Every workspace package's `engines.node`: the oldest Node the tooling and the host tests run on. */
export const nodeEngines = (v: Pick<Versions, 'NODE_MINIMUM'>) => `>=${v.NODE_MINIMUM}`;
