/**
 * The mandate: prod, dev and test run as three isolated environments, one complete Compose file each,
 * side by side on one host, driven by make. AC-1 … AC-7 of it, checked as an operator would: through make, Docker and a real browser.
 * Every task it submits is deleted again at the end. It stops what it started, and removes the volumes
 * of an environment only if they did not exist before it ran.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium } from 'playwright-core';

const ROOT = join(import.meta.dirname, '../../..');
const PROD = 'http://localhost:5001';
const DEV = 'http://localhost:5002';
const RUN = `${Date.now()}`;
const submitted: { url: string; hash: string }[] = [];

function sh(command: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/** Runs a make target, prints its `env:` lines (the timings), and returns the output. */
async function make(target: string): Promise<string> {
  const started = Date.now();
  const { code, out } = await sh('make', ['--no-print-directory', target]);
  for (const line of out.split('\n')) if (line.startsWith('env: ')) console.log(`[make ${target}] ${line}`);
  console.log(`[make ${target}] exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) throw new Error(`make ${target} exited ${code}:\n${out.split('\n').slice(-40).join('\n')}`);
  return out;
}

async function composePs(project: string): Promise<{ Service: string; State: string; Health: string }[]> {
  const { out } = await sh('docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{json .}}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Labels: string; State: string; Status: string })
    .map((c) => ({
      Service: /com\.docker\.compose\.service=([^,]+)/.exec(c.Labels)?.[1] ?? '?',
      State: c.State,
      Health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1] ?? '',
    }));
}

async function psql(project: string, sql: string): Promise<string> {
  const { out, code } = await sh('docker', ['exec', `${project}-postgres-1`, 'psql', '-U', 'chorus', '-d', 'chorus', '-tAc', sql]);
  if (code !== 0) throw new Error(out);
  return out.trim();
}

let browser: Browser;
const wasRunning: Record<string, boolean> = {};
const hadData: Record<string, boolean> = {};

beforeAll(async () => {
  for (const env of ['prod', 'dev']) {
    wasRunning[env] = (await composePs(`chorus-${env}`)).length > 0;
    hadData[env] = (await sh('docker', ['volume', 'inspect', `chorus-${env}_postgres_data_${env}`])).code === 0;
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const { url, hash } of submitted) await fetch(`${url}/api/tasks/${hash}`, { method: 'DELETE' }).catch(() => {});
  // Leave the host as it was: stop what this suite started, and remove only the data it created.
  for (const env of ['prod', 'dev']) {
    if (wasRunning[env]) continue;
    if (hadData[env]) await make(`stop-${env}`);
    else await sh('node', ['deploy/env-cli/dist/env.cjs', 'clean', env, '--yes']);
  }
});

/** Submits through the UI's form and waits on the task page until the read model shows the task. */
async function submitThroughUi(url: string, query: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.fill('#query', query);
    await page.selectOption('#mode', 'think');
    await Promise.all([page.waitForURL(/\/query\/[0-9a-f]{32}$/), page.click('button[type=submit]')]);
    await page.waitForSelector('[data-testid=task][data-state=ready]', { timeout: 60_000 });
    expect(await page.getByTestId('query').textContent()).toBe(query);
    const hash = page.url().split('/').pop()!;
    submitted.push({ url, hash });
    return hash;
  } finally {
    await page.close();
  }
}

describe('the mandate of final separation', () => {
  let prodHash: string;
  let devHash: string;

  it('AC-1, AC-2, AC-4: make run-prod and make run-dev are healthy at the same time', async () => {
    await make('run-prod');
    await make('run-dev');
    for (const project of ['chorus-prod', 'chorus-dev']) {
      const services = await composePs(project);
      const long = services.filter((s) => s.State === 'running');
      expect(long.map((s) => s.Service).sort()).toEqual(['chorus-stream-processor', 'chorus-web', 'kafka', 'kafka-connect', 'postgres', 'redis']);
      expect(long.every((s) => s.Health === 'healthy')).toBe(true);
    }
  });

  it('AC-1, AC-2: each UI works in a real browser, and a task reaches that environment only, through CDC', async () => {
    prodHash = await submitThroughUi(PROD, `acceptance prod ${RUN}`);
    devHash = await submitThroughUi(DEV, `acceptance dev ${RUN}`);
    expect((await fetch(`${DEV}/api/tasks/${prodHash}`)).status).toBe(404);
    expect((await fetch(`${PROD}/api/tasks/${devHash}`)).status).toBe(404);
  });

  it('AC-6: prod and dev data live in their own named volumes', async () => {
    const mounts = async (project: string) =>
      JSON.parse((await sh('docker', ['inspect', '--format', '{{json .Mounts}}', `${project}-postgres-1`])).out) as { Name?: string; Destination: string }[];
    expect((await mounts('chorus-prod')).find((m) => m.Destination === '/var/lib/postgresql/data')?.Name).toBe('chorus-prod_postgres_data_prod');
    expect((await mounts('chorus-dev')).find((m) => m.Destination === '/var/lib/postgresql/data')?.Name).toBe('chorus-dev_postgres_data_dev');
    expect(await psql('chorus-prod', `SELECT count(*) FROM task_queue WHERE query_hash = '${prodHash}'`)).toBe('1');
    expect(await psql('chorus-dev', `SELECT count(*) FROM task_queue WHERE query_hash = '${prodHash}'`)).toBe('0');
    expect(await psql('chorus-dev', `SELECT count(*) FROM task_queue WHERE query_hash = '${devHash}'`)).toBe('1');
  });

  it('AC-3, AC-5: make test-env passes while prod and dev are running', async () => {
    const out = await make('test-env');
    expect(out).toMatch(/ℹ fail 0/);
    expect((await composePs('chorus-test')).length).toBe(0);
    expect((await composePs('chorus-prod')).filter((s) => s.State === 'running')).toHaveLength(6);
  });

  it('data survives make stop-prod followed by make run-prod', async () => {
    await make('stop-prod');
    expect((await composePs('chorus-prod')).length).toBe(0);
    await make('run-prod');
    const page = await browser.newPage();
    await page.goto(`${PROD}/query/${prodHash}`);
    await page.waitForSelector('[data-testid=task][data-state=ready]', { timeout: 60_000 });
    expect(await page.getByTestId('query').textContent()).toBe(`acceptance prod ${RUN}`);
    await page.close();
  });

  it('AC-7: there is no root docker-compose.yml', () => {
    expect(existsSync(join(ROOT, 'docker-compose.yml'))).toBe(false);
  });
});
