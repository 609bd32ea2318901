/**
 * What the env CLI asks of a project's web app: one typed home for both sides (replies.ts holds the answers).
 * The driver (driver.ts) runs inside the chorus-web container, of any release, and speaks HTTP to the app
 * there, through the routes every release has had (the dashboard's form, a task page's cancel and delete
 * forms) and this release's JSON API for reading back. Plain types: the driver's bundle stays small.
 */
export type DriverRequest =
  /** Submits `count` tasks through the form, then cancels the first and deletes the second through their pages. */
  | { op: 'write-tasks'; count: number; label: string }
  /** Each task as the API shows it: its status, or the HTTP status when it has none (404: gone; 202: not yet projected). */
  | { op: 'read-tasks'; hashes: string[] }
  /** One task through the API; answers its hash. */
  | { op: 'submit-task'; query: string }
  /** One task through the API while writes may be paused; answers the HTTP status. */
  | { op: 'try-submit'; query: string }
  /** A write no release accepts (an empty task) through the API: 503 when the app honours a write pause. */
  | { op: 'probe-writes' }
  /** The read model's task count, as /api/stats reports it. */
  | { op: 'stats' }
  /** Cancels and deletes tasks through their pages' forms. */
  | { op: 'change-tasks'; cancel: string[]; delete: string[] }
  /** What a reader and a writer get now: the dashboard, a task's page, and a submit, timed. */
  | { op: 'read-and-write'; hash: string };
export type Op = DriverRequest['op'];
export type RequestOf<K extends Op> = Extract<DriverRequest, { op: K }>;

/** What the driver prints on stderr when the app answered 401: the token is stale (a restore brought back a database without it). */
export const UNAUTHENTICATED = '401 unauthenticated';
