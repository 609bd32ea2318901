import escape from 'escape-html';
import { CANCELLABLE, MAX_QUERY_LENGTH, MODES, STATUSES, type Status, type Task } from '@chorus/tasks';
import type { PipelineStatus } from './task-views.ts';

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}h1 a{color:inherit;text-decoration:none}
form.submit{display:grid;gap:.5rem;margin:1rem 0 2rem}textarea{font:inherit;min-height:5rem}
button,select{font:inherit;padding:.3rem .6rem;width:max-content}
.counters{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none}.counters li{background:#eef1f6;padding:.3rem .7rem;border-radius:.3rem}
.pipeline{padding:.5rem .8rem;border-radius:.3rem}.pipeline.ok{background:#e5f6ea}.pipeline.behind{background:#fff4d6}
.error{background:#fde8e8;padding:.5rem .8rem;border-radius:.3rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e6ec}
code{font-size:.85em}form.inline{display:inline;margin-right:.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}`;

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · CHORUS</title><style>${STYLE}</style>${head}</head>
<body><h1><a href="/">CHORUS</a></h1>${body}</body></html>`;
}

const ago = (iso: string | null) => (iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago` : 'never');

export function pipelineLine(p: PipelineStatus): string {
  if (p.waiting === 0) {
    return `<p class="pipeline ok" data-testid="pipeline">Pipeline keeping up: ${p.inReadModel} of ${p.inPostgres} tasks projected; last event ${ago(p.lastEventAt)}.</p>`;
  }
  return `<p class="pipeline behind" data-testid="pipeline">Pipeline behind: ${p.waiting} task(s) waiting for the pipeline; last event ${ago(p.lastEventAt)}.</p>`;
}

export interface DashboardData {
  tasks: Task[];
  stats: { total: number; byStatus: Record<Status, number> };
  pipeline: PipelineStatus;
  error?: string;
  notice?: string;
  form?: { query?: string; mode?: string };
  filter?: Status;
}

export function dashboard(d: DashboardData): string {
  const options = MODES.map((m) => `<option value="${m}"${d.form?.mode === m ? ' selected' : ''}>${m}</option>`).join('');
  const counters = STATUSES.map((s) => `<li><a href="/?status=${s}">${s}</a>: <strong data-status="${s}">${d.stats.byStatus[s]}</strong></li>`).join('');
  const rows = d.tasks
    .map(
      (t) =>
        `<tr><td><a href="/query/${t.hash}">${escape(t.query.length > 80 ? `${t.query.slice(0, 80)}…` : t.query)}</a></td><td>${t.mode}</td><td>${t.status}</td><td>${escape(t.createdAt)}</td></tr>`,
    )
    .join('');
  return layout(
    'Dashboard',
    `${d.error ? `<p class="error" role="alert">${escape(d.error)}</p>` : ''}${d.notice ? `<p class="pipeline behind" role="status">${escape(d.notice)}</p>` : ''}
<form class="submit" method="post" action="/">
  <label for="query">Query</label>
  <textarea id="query" name="query" maxlength="${MAX_QUERY_LENGTH}" required>${escape(d.form?.query ?? '')}</textarea>
  <label for="mode">Mode</label>
  <select id="mode" name="mode">${options}</select>
  <button type="submit">Submit</button>
</form>
${pipelineLine(d.pipeline)}
<ul class="counters">${counters}<li>total: <strong data-status="total">${d.stats.total}</strong></li></ul>
<h2>${d.filter ? `${d.filter} tasks` : 'Recent tasks'}</h2>
${rows ? `<table><thead><tr><th>Query</th><th>Mode</th><th>Status</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No tasks yet.</p>'}`,
  );
}

/** Polls the API and reloads the plain task page once the task's status is `expected`. */
function waitFor(hash: string, expected: Status): string {
  return `<script>
(function poll(){fetch('/api/tasks/${hash}',{headers:{accept:'application/json'}})
.then(function(r){return r.status===200&&r.json().then(function(t){return t.status===${JSON.stringify(expected)}})})
.then(function(ok){if(ok){location.replace(location.pathname)}else{setTimeout(poll,500)}})
.catch(function(){setTimeout(poll,2000)})})();</script>`;
}

/** The projected task. With `expect`, a change the user made is still in flight: say so and follow it. */
export function taskPage(task: Task, expect?: Status): string {
  const inFlight = expect && expect !== task.status;
  const actions = `<form method="post" action="/query/${task.hash}/delete" class="inline"><button type="submit" data-testid="delete">Delete task</button></form>
${CANCELLABLE.includes(task.status) && !inFlight ? `<form method="post" action="/query/${task.hash}/cancel" class="inline"><button type="submit" data-testid="cancel">Cancel task</button></form>` : ''}`;
  return layout(
    'Task',
    `${inFlight ? `<p class="pipeline behind" data-testid="change">Change to ${expect} submitted — waiting for the pipeline.</p>` : ''}
<dl data-testid="task" data-state="ready">
<dt>Query</dt><dd data-testid="query">${escape(task.query)}</dd>
<dt>Mode</dt><dd>${task.mode}</dd>
<dt>Status</dt><dd data-testid="status">${task.status}</dd>
<dt>Created</dt><dd>${escape(task.createdAt)}</dd>
<dt>Updated</dt><dd>${escape(task.updatedAt)}</dd>
<dt>Hash</dt><dd><code>${task.hash}</code></dd></dl>
<p>${actions}</p>`,
    inFlight ? waitFor(task.hash, expect) : '',
  );
}

/** The task is in Postgres but not yet in the read model: say so, and reload when it arrives. */
export function pendingPage(task: Task): string {
  const poll = `<script>
(function poll(){fetch('/api/tasks/${task.hash}',{headers:{accept:'application/json'}})
.then(function(r){if(r.status===200){location.reload()}else{setTimeout(poll,500)}})
.catch(function(){setTimeout(poll,2000)})})();</script>`;
  return layout(
    'Task',
    `<p class="pipeline behind" data-testid="task" data-state="pending">Submitted — waiting for the pipeline. This page updates by itself.</p>
<dl><dt>Query</dt><dd>${escape(task.query)}</dd><dt>Mode</dt><dd>${task.mode}</dd><dt>Hash</dt><dd><code>${task.hash}</code></dd></dl>`,
    poll,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<p class="error" role="alert">${escape(message)}</p><p><a href="/">Back to the dashboard</a></p>`);
}
