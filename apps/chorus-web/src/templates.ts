import { CANCELLABLE, MAX_QUERY_LENGTH, MODES, STATUSES, type Status, type Task } from '@chorus/tasks';
import { type SafeHtml, cspHash, html, raw } from './html.ts';
import type { MinuteFigures } from '@chorus/read-model';
import type { PipelineStatus } from './task-views.ts';
import { type Access, canWrite } from './access.ts';

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}h1 a{color:inherit;text-decoration:none}
form.submit{display:grid;gap:.5rem;margin:1rem 0 2rem}textarea{font:inherit;min-height:5rem}
button,select{font:inherit;padding:.3rem .6rem;width:max-content}
.counters{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none}.counters li{background:#eef1f6;padding:.3rem .7rem;border-radius:.3rem}
.pipeline{padding:.5rem .8rem;border-radius:.3rem}.pipeline.ok{background:#e5f6ea}.pipeline.behind{background:#fff4d6}
.error{background:#fde8e8;padding:.5rem .8rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e6ec}
code{font-size:.85em}form.inline{display:inline;margin-right:.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}
header.who{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;font-size:.9rem}.open{background:#fff4d6;padding:.3rem .7rem;border-radius:.3rem}
form.login{display:grid;gap:.5rem;max-width:20rem}input{font:inherit;padding:.3rem}
figure.chart{margin:1rem 0}figure.chart svg{display:block;width:100%;height:auto}figcaption{font-size:.85rem}
.env{font-size:.8rem;color:#fff;padding:.15rem .5rem;border-radius:.3rem;vertical-align:middle;background:#6941c6}
.env.env-prod{background:#b42318}.env.env-dev{background:#175cd3}.env.env-test{background:#475467}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
body.env-prod{border-top:6px solid #b42318}body.env-dev{border-top:6px solid #175cd3}body.env-test{border-top:6px solid #475467}`;

/**
 * The pages' one script, constant so that the CSP allows it by hash. It follows the read model's changes
 * (GET /events, Server-Sent Events): on a change (on the dashboard, at most one a second) it fetches the page
 * again and swaps in the parts marked data-live, so that what a user is typing, the focus and the scroll stay;
 * a status line tells screen readers, at most every 10 s. A task that is gone reloads (its page says so).
 * With data-wait it waits for a condition instead: the task in the read model, or (data-expect) in that
 * status. Without EventSource, or when the stream is refused, a waiting page polls the API as before. The
 * stream closes when the page is left (a browser holds at most six connections to one host), and a page shown
 * again from the back-forward cache is brought up to date.
 */
const FOLLOW_SCRIPT = `(function(){var s=document.currentScript,h=s.dataset.hash,e=s.dataset.expect,w='wait' in s.dataset,t,said=0;
function ok(){return fetch('/api/tasks/'+h,{headers:{accept:'application/json'}}).then(function(r){return r.status===200&&(!e||r.json().then(function(k){return k.status===e}))})}
function done(){location.replace(location.pathname+(h?'':location.search))}
function check(){ok().then(function(y){if(y)done()},function(){})}
function poll(){ok().then(function(y){if(y){done()}else{setTimeout(poll,500)}},function(){setTimeout(poll,2000)})}
function swap(){fetch(location.href,{headers:{accept:'text/html'}}).then(function(r){if(r.status===404){location.reload()}return r.ok?r.text():''}).then(function(x){if(!x)return;var d=new DOMParser().parseFromString(x,'text/html'),a=document.activeElement,k=a&&a.closest('[data-live]')?a.id||a.dataset.testid:'',n=0;
document.querySelectorAll('[data-live]').forEach(function(l){var f=d.getElementById(l.id);if(f&&f.innerHTML!==l.innerHTML){l.innerHTML=f.innerHTML;n++}});
if(k){var b=document.getElementById(k)||document.querySelector('[data-testid="'+k+'"]');if(b)b.focus()}
var m=document.getElementById('live-status');if(n&&m&&Date.now()-said>10000){said=Date.now();m.textContent='Updated at '+new Date().toLocaleTimeString()}},function(){})}
function change(){if(!t)t=setTimeout(function(){t=0;if(w){check()}else{swap()}},h?0:1000)}
if(!window.EventSource){if(w)poll();return}
var es=new EventSource('/events'+(h?'?task='+h:''));es.addEventListener('change',change);
es.onerror=function(){if(es.readyState===2&&w)poll()};if(w)check();
addEventListener('pagehide',function(){es.close()});addEventListener('pageshow',function(v){if(v.persisted)swap()})})();`;

/** The CSP sources for the pages' inline script and style. */
export const INLINE_SOURCES = { script: cspHash(FOLLOW_SCRIPT), style: cspHash(STYLE) };

/**
 * Every page says which environment it belongs to, in its title and in a coloured badge (prod red, dev
 * blue, test grey), so that two tabs side by side never look alike.
 */
let environment = 'local';
export function setEnvironment(env: string): void {
  environment = env;
}

/** Who is signed in, and the way out; or, with sign-in off, that anyone here may change tasks. */
function whoLine(access: Access | undefined): SafeHtml | '' {
  if (!access) return '';
  if (access.signIn === 'off')
    return html`<header class="who"><p class="open" data-testid="sign-in-off">Sign-in is off in this environment: anyone who can reach this page can submit, cancel and delete tasks.</p></header>`;
  return html`<header class="who"><span data-testid="who">Signed in as <strong>${access.who.name}</strong> (${access.who.role})</span>${
    access.via === 'session'
      ? html`<form method="post" action="/logout" class="inline"><button type="submit" data-testid="sign-out">Sign out</button></form>`
      : ''
  }</header>`;
}

function layout(
  title: string,
  body: SafeHtml,
  { head = '', access }: { head?: SafeHtml | ''; access?: Access } = {},
): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · CHORUS · ${environment}</title><style>${raw(STYLE)}</style>${head}</head>
<body class="env-${environment}"><h1><a href="/">CHORUS</a> <span class="env env-${environment}" data-testid="environment">${environment}</span></h1>${whoLine(access)}<main>${body}</main></body></html>`
    .value;
}

/** The live script: for one task (and, with `wait`, until it is ready or in `expect`), or for the dashboard. */
const follow = ({ hash, wait = false, expect }: { hash?: string; wait?: boolean; expect?: Status } = {}) =>
  html`<script${hash ? html` data-hash="${hash}"` : ''}${wait ? raw(' data-wait') : ''}${expect ? html` data-expect="${expect}"` : ''}>${raw(FOLLOW_SCRIPT)}</script>`;

const ago = (iso: string | null) =>
  iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago` : 'never';

const fresh = (ms: number | null) => (ms === null ? '' : `, ${ms} ms after it was saved`);

export function pipelineLine(p: PipelineStatus): SafeHtml {
  if (!p.writable) {
    return html`<p class="pipeline behind" data-testid="pipeline" data-writes="unavailable" role="status">Writes unavailable: the task store does not answer, so submitting, cancelling and deleting wait until it is back. What you see comes from the read model (${p.inReadModel} tasks; the latest change arrived ${ago(p.lastEventAt)}).</p>`;
  }
  if (p.waiting === 0) {
    return html`<p class="pipeline ok" data-testid="pipeline">Pipeline keeping up: ${p.inReadModel} of ${p.inPostgres} tasks projected; the latest change arrived ${ago(p.lastEventAt)}${fresh(p.freshnessMs)}.</p>`;
  }
  return html`<p class="pipeline behind" data-testid="pipeline">Pipeline behind: ${p.waiting} task(s) waiting for the pipeline; last event ${ago(p.lastEventAt)}.</p>`;
}

/** Chart geometry: a latency band above, throughput bars below. */
const CHART = { width: 600, latency: 90, bars: 40, gap: 14 } as const;
/** The latency axis is logarithmic, 10 ms to 30 s. */
const [LOG_MIN, LOG_MAX] = [Math.log10(10), Math.log10(30_000)];

/**
 * The last hour's commit-to-read-model latency (p50 and p99 per minute) and throughput, as inline SVG drawn
 * here: no script, and a text summary beside it for those who do not see it.
 */
export function latencyChart(minutes: MinuteFigures[]): SafeHtml {
  const step = CHART.width / Math.max(1, minutes.length);
  const x = (i: number) => (i * step + step / 2).toFixed(1);
  const y = (ms: number) =>
    (CHART.latency - ((Math.log10(Math.max(10, ms)) - LOG_MIN) / (LOG_MAX - LOG_MIN)) * CHART.latency).toFixed(1);
  const line = (pick: (m: MinuteFigures) => number | null) =>
    minutes.flatMap((m, i) => (pick(m) === null ? [] : [`${x(i)},${y(pick(m)!)}`])).join(' ');
  // A dot per minute as well: a minute alone draws no line.
  const dots = (pick: (m: MinuteFigures) => number | null, colour: string) =>
    minutes.flatMap((m, i) =>
      pick(m) === null ? [] : [html`<circle cx="${x(i)}" cy="${y(pick(m)!)}" r="3" fill="${colour}"/>`],
    );
  const peak = Math.max(1, ...minutes.map((m) => m.count));
  const top = CHART.latency + CHART.gap;
  const bars = minutes.map((m, i) => {
    const h = (m.count / peak) * CHART.bars;
    return html`<rect x="${(i * step + 1).toFixed(1)}" y="${(top + CHART.bars - h).toFixed(1)}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="#667085"/>`;
  });
  const total = minutes.reduce((a, m) => a + m.count, 0);
  const latest = [...minutes].reverse().find((m) => m.count > 0);
  const summary = latest
    ? `Last hour: ${total} changes projected, at most ${peak} in a minute. Latest minute with changes: p50 under ${latest.p50} ms, p99 under ${latest.p99} ms.`
    : 'No change was projected in the last hour.';
  const height = top + CHART.bars;
  return html`<figure class="chart" data-testid="latency-chart"><svg role="img" aria-labelledby="chart-title" viewBox="0 0 ${CHART.width} ${height}">
<title id="chart-title">Commit-to-read-model latency per minute (p50 and p99, log scale) and changes per minute, last hour</title>
<line x1="0" y1="${y(1000)}" x2="${CHART.width}" y2="${y(1000)}" stroke="#98a2b3" stroke-dasharray="4 4"/>
<text x="${CHART.width - 2}" y="${(Number(y(1000)) - 3).toFixed(1)}" text-anchor="end" font-size="11" fill="#475467">1 s</text>
<line x1="0" y1="${top - CHART.gap / 2}" x2="${CHART.width}" y2="${top - CHART.gap / 2}" stroke="#e3e6ec"/>
<polyline points="${line((m) => m.p99)}" fill="none" stroke="#b42318" stroke-width="2"/>${dots((m) => m.p99, '#b42318')}
<polyline points="${line((m) => m.p50)}" fill="none" stroke="#175cd3" stroke-width="2"/>${dots((m) => m.p50, '#175cd3')}
${bars}</svg>
<figcaption data-testid="latency-summary">${summary} Blue: p50; red: p99; dashed: 1 s; grey bars: changes per minute.</figcaption></figure>`;
}

export interface DashboardData {
  access: Access;
  tasks: Task[];
  /** The last hour, per minute (ReadModel.lastMinutes). */
  minutes?: MinuteFigures[];
  stats: { total: number; byStatus: Record<Status, number> };
  pipeline: PipelineStatus;
  error?: string;
  notice?: string;
  form?: { query?: string; mode?: string };
  filter?: Status;
}

export function dashboard(d: DashboardData): string {
  const options = MODES.map(
    (m) => html`<option value="${m}"${d.form?.mode === m ? raw(' selected') : ''}>${m}</option>`,
  );
  const counters = STATUSES.map(
    (s) => html`<li><a href="/?status=${s}">${s}</a>: <strong data-status="${s}">${d.stats.byStatus[s]}</strong></li>`,
  );
  const rows = d.tasks.map(
    (t) =>
      html`<tr><td><a href="/query/${t.hash}">${t.query.length > 80 ? `${t.query.slice(0, 80)}…` : t.query}</a></td><td>${t.mode}</td><td>${t.status}</td><td>${t.createdAt}</td></tr>`,
  );
  return layout(
    'Dashboard',
    html`${d.error ? html`<p class="error" role="alert">${d.error}</p>` : ''}${d.notice ? html`<p class="pipeline behind" role="status">${d.notice}</p>` : ''}
${
  canWrite(d.access)
    ? html`<form class="submit" method="post" action="/">
  <label for="query">Query</label>
  <textarea id="query" name="query" maxlength="${MAX_QUERY_LENGTH}" required>${d.form?.query ?? ''}</textarea>
  <label for="mode">Mode</label>
  <select id="mode" name="mode">${options}</select>
  <button type="submit">Submit</button>
</form>`
    : html`<p data-testid="read-only">Your role (viewer) reads only: an operator submits, cancels and deletes tasks.</p>`
}
<div id="live-dashboard" data-live>${pipelineLine(d.pipeline)}
${d.minutes ? latencyChart(d.minutes) : ''}
<ul class="counters">${counters}<li>total: <strong data-status="total">${d.stats.total}</strong></li></ul>
<h2>${d.filter ? `${d.filter} tasks` : 'Recent tasks'}</h2>
${rows.length > 0 ? html`<table><thead><tr><th>Query</th><th>Mode</th><th>Status</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No tasks yet.</p>`}</div>
<p id="live-status" class="sr-only" role="status"></p>`,
    { head: follow(), access: d.access },
  );
}

/** The projected task. With `expect`, a change the user made is still in flight: say so and follow it. */
export function taskPage(access: Access, task: Task, expect?: Status, arrivalMs?: number | null): string {
  const inFlight = expect && expect !== task.status;
  const actions = html`<form method="post" action="/query/${task.hash}/delete" class="inline"><button type="submit" data-testid="delete">Delete task</button></form>
${CANCELLABLE.includes(task.status) && !inFlight ? html`<form method="post" action="/query/${task.hash}/cancel" class="inline"><button type="submit" data-testid="cancel">Cancel task</button></form>` : ''}`;
  return layout(
    'Task',
    html`<div id="live-task" data-live>${inFlight ? html`<p class="pipeline behind" data-testid="change">Change to ${expect} submitted — waiting for the pipeline.</p>` : ''}
<dl data-testid="task" data-state="ready">
<dt>Query</dt><dd data-testid="query">${task.query}</dd>
<dt>Mode</dt><dd>${task.mode}</dd>
<dt>Status</dt><dd data-testid="status">${task.status}</dd>
<dt>Created</dt><dd>${task.createdAt}</dd>
<dt>Updated</dt><dd>${task.updatedAt}</dd>
<dt>Hash</dt><dd><code>${task.hash}</code></dd></dl>
${arrivalMs === null || arrivalMs === undefined ? '' : html`<p data-testid="arrival">Projected ${arrivalMs} ms after it was saved.</p>`}
${canWrite(access) ? html`<p>${actions}</p>` : ''}</div>
<p id="live-status" class="sr-only" role="status"></p>`,
    { head: inFlight ? follow({ hash: task.hash, wait: true, expect }) : follow({ hash: task.hash }), access },
  );
}

/** The task is in Postgres but not yet in the read model: say so, and reload when it arrives. */
export function pendingPage(access: Access, task: Task): string {
  return layout(
    'Task',
    html`<p class="pipeline behind" data-testid="task" data-state="pending">Submitted — waiting for the pipeline. This page updates by itself.</p>
<dl><dt>Query</dt><dd>${task.query}</dd><dt>Mode</dt><dd>${task.mode}</dd><dt>Hash</dt><dd><code>${task.hash}</code></dd></dl>`,
    { head: follow({ hash: task.hash, wait: true }), access },
  );
}

export function messagePage(title: string, message: string, access?: Access): string {
  return layout(title, html`<p class="error" role="alert">${message}</p><p><a href="/">Back to the dashboard</a></p>`, {
    access,
  });
}

export function loginPage({ next, name, error }: { next: string; name?: string; error?: string }): string {
  return layout(
    'Sign in',
    html`<h2>Sign in</h2>${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form class="login" method="post" action="/login">
  <label for="name">Name</label>
  <input id="name" name="name" autocomplete="username" autocapitalize="none" required value="${name ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Sign in</button>
</form>`,
  );
}
