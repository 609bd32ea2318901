import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorError } from '@chorus/errors';
import { imageMode, probeRegistries, wantedImages } from '../src/images.ts';

const listen = (server: Server | ReturnType<typeof createHttpServer>) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

describe('probeRegistries: is a registry there, bounded in time', () => {
  // A registry answers GET /v2/ with 200, or 401 when it wants a token: either means it is there.
  const registry = createHttpServer((_req, res) => {
    res
      .writeHead(401, { 'www-authenticate': 'Bearer realm="x"', 'docker-distribution-api-version': 'registry/2.0' })
      .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  });
  // A host that accepts connections and never answers, as a black-holed proxy does.
  const silent = [createTcpServer(() => undefined), createTcpServer(() => undefined)];
  let registryHost = '';
  let silentHosts: string[] = [];
  let closedHost = '';

  beforeAll(async () => {
    registryHost = await listen(registry);
    silentHosts = await Promise.all(silent.map(listen));
    const closed = createTcpServer();
    closedHost = await listen(closed);
    await new Promise((r) => closed.close(r));
  });
  afterAll(() => {
    registry.close();
    for (const s of silent) s.close();
  });

  it('all hosts at once: one answering, one refusing, two silent; the silent ones cost one timeout between them', async () => {
    const started = Date.now();
    const answers = await probeRegistries([registryHost, closedHost, ...silentHosts], 400);
    const took = Date.now() - started;
    expect(answers.get(registryHost)).toBeUndefined();
    expect(answers.get(closedHost)).toBe('ECONNREFUSED');
    for (const host of silentHosts) expect(answers.get(host)).toBe('no answer in 0.4 s');
    // In parallel: one timeout for all, where one after the other would take two.
    expect(took).toBeLessThan(2 * 400);
  });
});

describe('imageMode (CHORUS_IMAGES)', () => {
  it('auto when unset; pull and local when asked', () => {
    expect(imageMode(undefined)).toBe('auto');
    expect(imageMode('')).toBe('auto');
    expect(imageMode('pull')).toBe('pull');
    expect(imageMode('local')).toBe('local');
  });

  it('anything else is a configuration error that lists the choices', () => {
    expect(() => imageMode('offline')).toThrow(OperatorError);
    expect(() => imageMode('offline')).toThrow(
      'CHORUS_IMAGES=offline is not a choice: use auto (the default), pull or local',
    );
  });
});

describe('wantedImages: the references an environment asks for', () => {
  it("the env file's *_IMAGE lines, with the caller's environment above them, as Compose ranks them", () => {
    const file = {
      POSTGRES_USER: 'chorus',
      POSTGRES_IMAGE: 'mirror.example/postgres:15-bookworm',
      REDIS_IMAGE: 'mirror.example/redis:7.0-bookworm',
    };
    expect(wantedImages(file, { REDIS_IMAGE: '127.0.0.1:5000/redis:7.0-bookworm' })).toEqual({
      POSTGRES_IMAGE: 'mirror.example/postgres:15-bookworm',
      REDIS_IMAGE: '127.0.0.1:5000/redis:7.0-bookworm',
    });
  });
});
