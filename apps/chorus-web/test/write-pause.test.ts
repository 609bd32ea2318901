import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@chorus/logger';
import { errorHandler } from '../src/errors.ts';
import { WritePause } from '../src/write-pause.ts';

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** An app behind the pause whose every route answers 200; `paused` is what the read model says. */
async function serve(paused: () => Promise<string | null>) {
  const pause = new WritePause({ writesPaused: paused });
  await pause.refresh();
  const app = express();
  app.use(pause.middleware());
  app.all('/{*any}', (_req, res) => void res.sendStatus(200));
  app.use(errorHandler(createLogger({ name: 'test', level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { pause, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('WritePause', () => {
  it('answers writes 503 with the reason and Retry-After while paused, and reads as usual', async () => {
    const { base } = await serve(async () => 'prod is being restored from backup prod-20261126T190000Z');
    const write = await fetch(`${base}/api/tasks`, { method: 'POST' });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBe('60');
    expect(((await write.json()) as { error: unknown }).error).toEqual({
      code: 'writes_paused',
      message: expect.stringMatching(/^writes are paused: prod is being restored .* Reading works meanwhile/),
    });
    expect((await fetch(`${base}/api/tasks`)).status).toBe(200);
  });

  it('reads the key again for a write when the last read is older than the poll (a late timer on a busy host)', async () => {
    let paused: string | null = null;
    let reads = 0;
    const { base } = await serve(async () => {
      reads += 1;
      return paused;
    });
    // The poll is not running: only the writes' own reads see the restore begin.
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(200);
    paused = 'prod is being restored';
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = reads;
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(503);
    expect(reads).toBe(before + 1);
    // A read within the poll's period is trusted: the next write costs no Redis round trip.
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(503);
    expect(reads).toBe(before + 1);
  });

  it('does not take the answer of a read asked for before the poll period: it reads again', async () => {
    let answer: () => Promise<string | null> = async () => null;
    const { base, pause } = await serve(() => answer());
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A poll read, asked before the restore began, that a busy host answers late.
    answer = () => new Promise((resolve) => setTimeout(() => resolve(null), 1500));
    const late = pause.refresh();
    answer = async () => 'prod is being restored';
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(503);
    // Its "not paused", arriving after the newer answer, does not replace it.
    await late;
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(503);
  });

  it('does not hold a write for a read Redis never answers: the last answer stands', async () => {
    let answer: () => Promise<string | null> = async () => null;
    const { base } = await serve(() => answer());
    answer = () => new Promise(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(200);
  });

  it('lets writes through when not paused, and keeps the last answer while Redis does not answer', async () => {
    let answer: () => Promise<string | null> = async () => null;
    const { base, pause } = await serve(() => answer());
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(200);
    answer = () => Promise.reject(new Error('Connection is closed'));
    await pause.refresh();
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(200);
  });
});
