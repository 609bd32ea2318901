import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_KEYS, nodeEngines, nodeMajor, parseReference, readVersions } from '@chorus/versions';
import { ROOT } from './sources.ts';

const versions = readVersions(ROOT);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const COMPOSE_FILES = [
  'deploy/compose/docker-compose.prod.yml',
  'deploy/compose/docker-compose.dev.yml',
  'deploy/compose/docker-compose.test.yml',
  'deploy/verify/smoke/compose.yml',
];
const CHART_VALUES = 'deploy/helm/chorus/values.yaml';
const APPS = ['chorus-web', 'chorus-stream-processor', 'chorus-tester', 'setup-connector'];

describe('every third-party version is pinned once, in infrastructure/versions.env', () => {
  it('each Compose file defaults every image variable to the pinned upstream reference', () => {
    for (const file of COMPOSE_FILES) {
      const defaults = [...read(file).matchAll(/image: \$\{([A-Z_]+):-([^}]+)\}/g)];
      expect(defaults.length, file).toBeGreaterThan(0);
      for (const [, key, ref] of defaults) {
        expect(IMAGE_KEYS as readonly string[], `${file}: ${key}`).toContain(key);
        expect(ref, `${file}: ${key}`).toBe(versions[key as (typeof IMAGE_KEYS)[number]]);
      }
      // No third-party image is named outside a variable.
      expect(read(file).match(/^\s+image: (?!\$\{|chorus\/).+$/gm) ?? [], file).toEqual([]);
    }
  });

  it('the upstream tags are the pinned releases, on the Debian release the look-alikes stand on', () => {
    expect(parseReference(versions.KAFKA_IMAGE).tag).toBe(versions.KAFKA_VERSION);
    expect(parseReference(versions.CONNECT_IMAGE).tag).toBe(versions.DEBEZIUM_VERSION);
    const suite = versions.DEBIAN_SUITE;
    expect(parseReference(versions.NODE_IMAGE).tag).toBe(`${versions.NODE_VERSION}-${suite}-slim`);
    expect(parseReference(versions.POSTGRES_IMAGE).tag).toBe(`${versions.POSTGRES_MAJOR}-${suite}`);
    expect(parseReference(versions.REDIS_IMAGE)).toMatchObject({
      path: 'valkey/valkey',
      tag: `${versions.VALKEY_MINOR}-${suite}`,
    });
    expect(parseReference(versions.POSTGRES_UPGRADE_LOCAL).tag).toBe(
      `${versions.POSTGRES_PREVIOUS_MAJOR}-to-${versions.POSTGRES_MAJOR}`,
    );
    expect(parseReference(versions.PROMETHEUS_IMAGE).tag).toBe(`v${versions.PROMETHEUS_VERSION}`);
    expect(parseReference(versions.ALERTMANAGER_IMAGE).tag).toBe(`v${versions.ALERTMANAGER_VERSION}`);
  });

  it('no look-alike is named like an upstream image', () => {
    const locals = [
      versions.DEBIAN_LOCAL,
      versions.POSTGRES_LOCAL,
      versions.REDIS_LOCAL,
      versions.KAFKA_LOCAL,
      versions.CONNECT_LOCAL,
      versions.NODE_LOCAL,
      versions.PROMETHEUS_LOCAL,
      versions.ALERTMANAGER_LOCAL,
      versions.CADDY_LOCAL,
      versions.POSTGRES_UPGRADE_LOCAL,
    ];
    for (const ref of locals) expect(parseReference(ref).path, ref).toMatch(/^chorus-local\//);
  });

  it("one Node story: every package's engines and the README's minimum are NODE_MINIMUM; .nvmrc, the users' CI and every app image run NODE_VERSION's major", () => {
    const packages = execFileSync('git', ['ls-files', 'package.json', '*/package.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(packages.length).toBeGreaterThan(APPS.length);
    const engines = (file: string) => (JSON.parse(read(file)) as { engines?: { node?: string } }).engines?.node;
    for (const file of ['package.json', ...APPS.map((app) => `apps/${app}/package.json`)])
      expect(engines(file), file).toBe(nodeEngines(versions));
    for (const file of packages) expect(engines(file) ?? nodeEngines(versions), file).toBe(nodeEngines(versions));
    expect(read('README.md')).toContain(`Node.js ${versions.NODE_MINIMUM} or newer`);
    expect(read('.nvmrc').trim()).toBe(String(nodeMajor(versions)));
    expect(read('.github/workflows/ci.yml')).toMatch(/node-version-file: \.nvmrc\n/);
    for (const dockerfile of [
      'apps/chorus-web/Dockerfile',
      'apps/chorus-stream-processor/Dockerfile',
      'apps/chorus-tester/Dockerfile',
      'infrastructure/debezium/Dockerfile.setup',
    ]) {
      expect(read(dockerfile), dockerfile).toMatch(/^ARG NODE_IMAGE\nFROM \$\{NODE_IMAGE\}$/m);
    }
  });

  it("the chart's default images are the pinned upstream references, and the cluster's release is the pinned one", () => {
    const values = parse(read(CHART_VALUES)) as {
      images: Record<string, unknown>;
      operators: { postgres: { image: string } };
    };
    expect(values.images).toMatchObject({
      postgres: versions.POSTGRES_IMAGE,
      redis: versions.REDIS_IMAGE,
      kafka: versions.KAFKA_IMAGE,
      connect: versions.CONNECT_IMAGE,
    });
    // The operators mode's CloudNativePG cluster runs the same major.
    expect(parseReference(values.operators.postgres.image).tag).toBe(versions.POSTGRES_MAJOR);
    expect(read('infrastructure/kubernetes/go.mod')).toMatch(
      new RegExp(`^require k8s\\.io/kubernetes ${versions.KUBERNETES_VERSION.replaceAll('.', '\\.')}$`, 'm'),
    );
    // Each staging module is the published one of the same release (v1.34.4 → v0.34.4).
    const staging = versions.KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
    const replaced = [...read('infrastructure/kubernetes/go.mod').matchAll(/^\t(k8s\.io\/[\w-]+) => \1 (\S+)$/gm)];
    expect(replaced.length).toBeGreaterThan(20);
    for (const [, module, version] of replaced) expect(version, module).toBe(staging);
  });

  it('no file names a release outside versions.env', () => {
    const pinned = [versions.NODE_VERSION, versions.KAFKA_VERSION, versions.DEBEZIUM_VERSION];
    const tracked = execFileSync(
      'git',
      ['grep', '-l', '-F', ...pinned.flatMap((v) => ['-e', v]), '--', '.', ':!package-lock.json'],
      { cwd: ROOT, encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
    // Compose defaults and the chart's values repeat the references by design; the tests above hold them to versions.env.
    expect(tracked.filter((f) => ![...COMPOSE_FILES, CHART_VALUES].includes(f) && !f.endsWith('.md'))).toEqual([
      'infrastructure/versions.env',
    ]);
  });
});
