import { describe, expect, it } from 'vitest';
import { plan } from '../src/acceptance/plan.ts';

describe('the acceptance plan', () => {
  it('runs every check on a host where neither prod nor dev runs (CI)', () => {
    const p = plan({ running: { prod: false, dev: false } });
    expect(p).toMatchObject({
      start: { prod: true, dev: true },
      submit: { prod: true, dev: true },
      restartProd: true,
      skipped: [],
    });
  });

  it('never starts, restarts or writes into a prod that was already running, and says so', () => {
    const p = plan({ running: { prod: true, dev: false } });
    expect(p.start.prod).toBe(false);
    expect(p.submit.prod).toBe(false);
    expect(p.restartProd).toBe(false);
    expect(p.start.dev).toBe(true);
    expect(p.skipped.map((s) => s.check)).toEqual([
      'make run-prod (it would recreate containers whose image changed)',
      "a task submitted through prod's UI, and its isolation from the other environment",
      'prod data survives make stop-prod and make run-prod',
    ]);
    for (const s of p.skipped) expect(s.why).toMatch(/prod was already running before the suite started/);
  });

  it('treats a running dev the same way, and still restarts a prod it started itself', () => {
    const p = plan({ running: { prod: false, dev: true } });
    expect(p).toMatchObject({
      start: { prod: true, dev: false },
      submit: { prod: true, dev: false },
      restartProd: true,
    });
    expect(p.skipped).toHaveLength(2);
  });
});
