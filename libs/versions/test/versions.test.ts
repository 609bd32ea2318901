import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chorus/errors';
import {
  VERSIONS_FILE,
  mirrors,
  nodeMajor,
  parseReference,
  readVersions,
  registryHost,
  repoVersions,
  thirdPartyImages,
} from '../src/index.ts';

describe('parseReference (Docker’s rule for registry, path and tag)', () => {
  it.each([
    ['postgres:15-bookworm', 'docker.io', 'library/postgres', '15-bookworm'],
    ['apache/kafka:4.0.0', 'docker.io', 'apache/kafka', '4.0.0'],
    ['quay.io/debezium/connect:3.1.0.Final', 'quay.io', 'debezium/connect', '3.1.0.Final'],
    ['127.0.0.1:5000/library/postgres:15-bookworm', '127.0.0.1:5000', 'library/postgres', '15-bookworm'],
    ['localhost/redis', 'localhost', 'redis', 'latest'],
    ['registry.example:443/node', 'registry.example:443', 'node', 'latest'],
  ])('%s', (ref, registry, path, tag) => {
    expect(parseReference(ref)).toEqual({ registry, path, tag });
  });

  it('Docker Hub images are served by registry-1.docker.io', () => {
    expect(registryHost(parseReference('redis:7.0-bookworm'))).toBe('registry-1.docker.io');
    expect(registryHost(parseReference('quay.io/debezium/connect:3.1.0.Final'))).toBe('quay.io');
  });
});

describe('mirrors: when the offline look-alike may stand in for a reference', () => {
  it('the upstream reference itself and a mirror with the same path and tag', () => {
    expect(mirrors('postgres:15-bookworm', 'postgres:15-bookworm')).toBe(true);
    expect(mirrors('127.0.0.1:5000/postgres:15-bookworm', 'postgres:15-bookworm')).toBe(true);
    expect(mirrors('mirror.example/library/postgres:15-bookworm', 'postgres:15-bookworm')).toBe(true);
    expect(mirrors('mirror.example/debezium/connect:3.1.0.Final', 'quay.io/debezium/connect:3.1.0.Final')).toBe(true);
  });

  it('never another release or another image', () => {
    expect(mirrors('postgres:16-bookworm', 'postgres:15-bookworm')).toBe(false);
    expect(mirrors('bitnami/postgresql:15', 'postgres:15-bookworm')).toBe(false);
    expect(mirrors('127.0.0.1:5000/absent/postgres:15-bookworm', 'postgres:15-bookworm')).toBe(false);
  });
});

describe('readVersions', () => {
  it("reads the repository's pins, with a look-alike of its own name for each upstream image", () => {
    const v = repoVersions();
    expect(nodeMajor(v)).toBeGreaterThanOrEqual(22);
    for (const image of thirdPartyImages(v)) expect(image.local).not.toBe(image.upstream);
  });

  it('reports every bad line at once, by key, without a stack', () => {
    const root = mkdtempSync(join(tmpdir(), 'versions-'));
    mkdirSync(join(root, 'infrastructure'));
    const real = readFileSync(join(import.meta.dirname, '../../..', VERSIONS_FILE), 'utf8');
    writeFileSync(
      join(root, VERSIONS_FILE),
      real.replace(/^NODE_VERSION=.*$/m, 'NODE_VERSION=lts').replace(/^KAFKA_IMAGE=.*$/m, 'KAFKA_IMAGE=Bad Ref'),
    );
    const error = (() => {
      try {
        readVersions(root);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `${VERSIONS_FILE}: NODE_VERSION: expected an exact Node.js release, such as 22.12.0`,
      `${VERSIONS_FILE}: KAFKA_IMAGE: expected an image reference such as registry.example/postgres:17-trixie`,
    ]);
  });
});
