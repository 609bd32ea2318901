/**
 * The JSON API's OpenAPI 3.1 description, served at /api/openapi.json. Request and task schemas are the
 * zod schemas the API validates with (@chorus/tasks), turned into JSON Schema by zod itself; the test
 * (test/openapi.integration.test.ts) holds the running API to it.
 */
import { z } from 'zod';
import { STATUSES, storedTask, taskInput } from '@chorus/tasks';

const hash = z.string().regex(/^[0-9a-f]{32}$/);
const schemas = {
  TaskInput: taskInput,
  Task: storedTask,
  Error: z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
  Pending: z.object({ hash, state: z.literal('pending') }),
  CancelAccepted: z.object({ hash, status: z.enum(STATUSES), state: z.literal('pending') }),
  DeleteAccepted: z.object({ hash, deleted: z.literal(true), state: z.literal('pending') }),
  TaskList: z.object({ tasks: z.array(storedTask) }),
  Stats: z.object({
    total: z.number().int(),
    byStatus: z.record(z.enum(STATUSES), z.number().int()),
    pipeline: z.object({
      writable: z.boolean(),
      waiting: z.number().int(),
      inPostgres: z.number().int().nullable(),
      inReadModel: z.number().int(),
      lastEventAt: z.string().nullable(),
      freshnessMs: z.number().int().nullable(),
    }),
  }),
};

const json = (name: keyof typeof schemas, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
});
const error = (description: string) => json('Error', description);
const hashParam = { name: 'hash', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } };
const unavailable = {
  ...error('Postgres or Redis did not answer in time, or writes are paused (a restore or an upgrade runs)'),
  headers: { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } } },
};
const unauthenticated = error('no credentials, or an unknown or revoked token (where sign-in is on)');
const refused = error("a cross-site request, or a viewer's write (only an operator writes)");

const document = {
  openapi: '3.1.0',
  info: { title: 'CHORUS tasks API', version: '1' },
  servers: [{ url: '/api' }],
  paths: {
    '/tasks': {
      post: {
        summary: 'Submit a task (idempotent: the same query and mode are the same task)',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskInput' } } },
        },
        responses: {
          201: json('Task', 'created'),
          200: json('Task', 'already submitted'),
          400: error('invalid task or JSON'),
          401: unauthenticated,
          403: refused,
          413: error('body too large'),
          415: error('the body is not JSON'),
          503: unavailable,
        },
      },
      get: {
        summary: 'Tasks from the read model, newest first',
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: [...STATUSES] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: {
          200: json('TaskList', 'the tasks'),
          400: error('bad status or limit'),
          401: unauthenticated,
          503: unavailable,
        },
      },
    },
    '/tasks/{hash}': {
      get: {
        parameters: [hashParam],
        responses: {
          200: json('Task', 'the task as the read model shows it'),
          202: json('Pending', 'written, not yet in the read model'),
          400: error('not a task hash'),
          401: unauthenticated,
          404: error('no such task'),
          500: error("the task's stored record is malformed"),
          503: unavailable,
        },
      },
      delete: {
        parameters: [hashParam],
        description:
          'Deletes the task in the task store. Reads come from the read model, which follows each change through ' +
          'change data capture, usually within a second: until it has, GET /tasks/{hash} still answers 200 with ' +
          'the task as it was, then 404. A client that must see the deletion polls until 404.',
        responses: {
          202: json('DeleteAccepted', 'deleted; the read model follows'),
          400: error('not a task hash'),
          401: unauthenticated,
          403: refused,
          404: error('no such task'),
          503: unavailable,
        },
      },
    },
    '/tasks/{hash}/cancel': {
      post: {
        parameters: [hashParam],
        description:
          'Cancels the task in the task store; GET /tasks/{hash} shows the new status once the read model follows, ' +
          'usually within a second.',
        responses: {
          202: json('CancelAccepted', 'cancelled; the read model follows'),
          400: error('not a task hash'),
          401: unauthenticated,
          403: refused,
          404: error('no such task'),
          409: error('the task can no longer be cancelled'),
          503: unavailable,
        },
      },
    },
    '/stats': {
      get: {
        responses: { 200: json('Stats', 'counts by status and the pipeline'), 401: unauthenticated, 503: unavailable },
      },
    },
  },
  // Where sign-in is on (always in prod): an API token (make token-add-prod), or a signed-in browser's session.
  security: [{ apiToken: [] }, { session: [] }],
  components: {
    securitySchemes: {
      apiToken: {
        type: 'http',
        scheme: 'bearer',
        description: 'Authorization: Bearer <token>; make token-add-prod NAME=<name> ROLE=viewer|operator prints one',
      },
      session: {
        type: 'apiKey',
        in: 'cookie',
        name: 'chorus.sid',
        description: 'the session cookie a browser gets at /login',
      },
    },
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => {
        const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >;
        return [name, rest];
      }),
    ),
  },
} as const;

type Operation = { responses: Record<string, unknown> };

/** The methods each path of the document answers (HEAD with GET), for a 405's Allow. */
export const ALLOWED_METHODS: { path: RegExp; methods: string[] }[] = Object.entries(document.paths).map(
  ([path, operations]) => {
    const methods = Object.keys(operations).map((m) => m.toUpperCase());
    return {
      path: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods,
    };
  },
);

/**
 * The document as an environment serves it: with sign-in off (dev's default) no operation asks for
 * credentials or answers 401 or 403, so none is declared.
 */
export function openApiDocument(signIn: 'required' | 'off') {
  if (signIn === 'required') return document;
  const { security: _, components, ...rest } = document;
  const { securitySchemes: __, ...schemasOnly } = components;
  const open = (op: Operation) => {
    const { 401: ___, 403: ____, ...responses } = op.responses;
    return { ...op, responses };
  };
  return {
    ...rest,
    components: schemasOnly,
    paths: Object.fromEntries(
      Object.entries(document.paths).map(([path, operations]) => [
        path,
        Object.fromEntries(Object.entries(operations).map(([method, op]) => [method, open(op as Operation)])),
      ]),
    ),
  };
}
