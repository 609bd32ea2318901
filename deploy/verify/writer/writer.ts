/**
 * A steady writer through the web app's API, run in a container on the project's network while prod is
 * upgraded: RATE submissions a second (each waited for up to 10 s, never more than 50 in flight) until
 * SIGTERM or MAX_SECONDS, then one JSON line: the tasks accepted, and every other answer counted (a 503
 * with and without Retry-After, other statuses, no answer).
 */
import type { ApiWriterReport } from '@chorus/load-reports';

const env = (name: string, fallback?: string) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`writer: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const base = env('BASE');
const token = env('CHORUS_TOKEN', '');
const rate = Number(env('RATE', '20'));
const maxMs = Number(env('MAX_SECONDS', '600')) * 1000;
const label = env('LABEL', 'writer');

const report: ApiWriterReport = {
  sent: 0,
  accepted: [],
  refused: { withRetryAfter: 0, withoutRetryAfter: 0 },
  otherStatuses: {},
  noAnswer: 0,
  firstRefusedAt: null,
  lastRefusedAt: null,
};
let inFlight = 0;
const started = Date.now();

async function submit(n: number): Promise<void> {
  inFlight++;
  report.sent++;
  try {
    const r = await fetch(`${base}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ mode: 'flash', query: `${label} ${n}` }),
      signal: AbortSignal.timeout(10_000),
    });
    if (r.status === 201) report.accepted.push(((await r.json()) as { hash: string }).hash);
    else if (r.status === 503) {
      report.refused[r.headers.get('retry-after') ? 'withRetryAfter' : 'withoutRetryAfter']++;
      report.firstRefusedAt ??= Date.now() - started;
      report.lastRefusedAt = Date.now() - started;
    } else report.otherStatuses[r.status] = (report.otherStatuses[r.status] ?? 0) + 1;
  } catch {
    report.noAnswer++;
  } finally {
    inFlight--;
  }
}

let n = 0;
const timer = setInterval(() => {
  if (Date.now() - started > maxMs) return finish();
  if (inFlight < 50) void submit(n++);
}, 1000 / rate);

let finishing = false;
function finish(): void {
  if (finishing) return;
  finishing = true;
  clearInterval(timer);
  const wait = setInterval(() => {
    if (inFlight > 0) return;
    clearInterval(wait);
    // Exit once the report is written: a pipe takes a long one in pieces, which exiting at once would cut.
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  }, 50);
}
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
