/**
 * A typed client for the Kafka Connect REST API.
 * Every answer is parsed with its schema in @chorus/connect-api.
 */
import { z } from 'zod';
import {
  type ConfigValidation,
  type ConnectorConfig,
  type ConnectorInfo,
  type ConnectorStatus,
  type PluginInfo,
  type ServerInfo,
  configValidation,
  connectorConfig,
  connectorInfo,
  connectorStatus,
  pluginInfo,
  serverInfo,
} from '@chorus/connect-api';
import { OperatorError } from '@chorus/errors';

/** Connect answered with an error status; `errorCode` and `message` come from its `{error_code, message}` body. */
export class ConnectError extends OperatorError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    readonly request: string,
  ) {
    // 409 (a rebalance in progress) and 5xx pass; other statuses are the request's own fault.
    super(message, { retriable: status === 409 || status >= 500 });
  }

  override report(): string {
    return `Kafka Connect answered ${this.status} to ${this.request}: ${this.message}`;
  }
}

/** Connect could not be reached at all (refused, DNS, timeout). */
export class ConnectUnreachableError extends OperatorError {
  constructor(
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`Kafka Connect at ${url} is unreachable: ${describeCause(cause)}`, { retriable: true });
  }
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
  if (inner?.code) return inner.code;
  if (cause instanceof Error) return cause.name === 'TimeoutError' ? 'request timed out' : cause.message;
  return String(cause);
}

export interface KafkaConnectClientOptions {
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

export class KafkaConnectClient {
  readonly baseUrl: string;
  private readonly requestTimeoutMs: number;

  constructor(baseUrl: string, { requestTimeoutMs = 10_000 }: KafkaConnectClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.requestTimeoutMs = requestTimeoutMs;
  }

  serverInfo(): Promise<ServerInfo> {
    return this.request('GET', '/', serverInfo).then((r) => r.body);
  }

  plugins(): Promise<PluginInfo[]> {
    return this.request('GET', '/connector-plugins', pluginInfo.array()).then((r) => r.body);
  }

  validate(pluginClass: string, config: ConnectorConfig): Promise<ConfigValidation> {
    const path = `/connector-plugins/${encodeURIComponent(pluginClass)}/config/validate`;
    return this.request('PUT', path, configValidation, config).then((r) => r.body);
  }

  /** The connector's config, or null when no connector has that name. */
  async getConfig(name: string): Promise<ConnectorConfig | null> {
    return this.orNullOn404(this.request('GET', `/connectors/${encodeURIComponent(name)}/config`, connectorConfig));
  }

  /** Create-or-update. `created` is true when Connect answered 201. */
  async putConfig(name: string, config: ConnectorConfig): Promise<{ created: boolean; info: ConnectorInfo }> {
    const { status, body } = await this.request(
      'PUT',
      `/connectors/${encodeURIComponent(name)}/config`,
      connectorInfo,
      config,
    );
    return { created: status === 201, info: body };
  }

  /** The connector's status, or null when Connect has none (unknown, or not yet assigned). */
  async status(name: string): Promise<ConnectorStatus | null> {
    return this.orNullOn404(this.request('GET', `/connectors/${encodeURIComponent(name)}/status`, connectorStatus));
  }

  /**
   * Restarts the connector and, with `includeTasks`, its tasks. With either flag set Connect answers
   * 202 and the status of what it is restarting; with neither, 204 and no body (null here).
   */
  async restart(name: string, { includeTasks = false, onlyFailed = false } = {}): Promise<ConnectorStatus | null> {
    const query = `?includeTasks=${includeTasks}&onlyFailed=${onlyFailed}`;
    const { status, body } = await this.request(
      'POST',
      `/connectors/${encodeURIComponent(name)}/restart${query}`,
      connectorStatus.nullable(),
    );
    return status === 204 ? null : body;
  }

  /** Stops the connector and its tasks, keeping its config and offsets (Connect 3.5+); asynchronous: poll `status` for STOPPED. */
  async stop(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/stop`, z.unknown());
  }

  /** Starts a stopped or paused connector again; asynchronous: poll `status` for RUNNING. */
  async resume(name: string): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/resume`, z.unknown());
  }

  private async orNullOn404<T>(pending: Promise<{ body: T }>): Promise<T | null> {
    try {
      return (await pending).body;
    } catch (error) {
      if (error instanceof ConnectError && error.status === 404) return null;
      throw error;
    }
  }

  /** Sends the request and parses the answer with `schema`; a 204 has no body (null). */
  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<{ status: number; body: z.infer<S> }> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (cause) {
      throw new ConnectUnreachableError(this.baseUrl, cause);
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const err = parsed as { error_code?: number; message?: string } | undefined;
      throw new ConnectError(
        response.status,
        err?.error_code ?? response.status,
        err?.message ?? (text || response.statusText),
        `${method} ${path}`,
      );
    }
    const answer = schema.safeParse(response.status === 204 ? null : parsed);
    if (!answer.success) {
      const problems = answer.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new ConnectError(
        response.status,
        response.status,
        `an answer that is not the documented shape (${problems})`,
        `${method} ${path}`,
      );
    }
    return { status: response.status, body: answer.data };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every `field: error` pair of a validation answer. */
export function validationErrors(validation: ConfigValidation): { field: string; message: string }[] {
  return validation.configs.flatMap(({ value }) => value.errors.map((message) => ({ field: value.name, message })));
}
