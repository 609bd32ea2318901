/**
 * The web app's Prometheus metrics (prom-client), on a port of their own (METRICS_PORT) that only the
 * environment's Prometheus reaches, never on the UI's: requests by route and status with their latency,
 * Node's own figures (the event loop's delay among them), whether Postgres and Redis answer, and each
 * replication slot's retained WAL, asked of Postgres at each scrape.
 */
import type { Request, RequestHandler } from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import { defaults } from '@chorus/config';
import { type WalArchiver, slotRetention, walArchiver } from '@chorus/db';
import type { Logger } from '@chorus/logger';
import { oncePerScrape, serveMetrics } from '@chorus/metrics-server';
import { servedCertificate } from '@chorus/tls-probe';

/**
 * The pattern Express matched, with its router's mount path: by the time a response finishes, Express has
 * reset req.baseUrl, so the mount is what the URL has before the route's own segments.
 */
function routeOf(req: Request): string {
  if (!req.route) return 'unmatched';
  const pattern = String(req.route.path);
  const own = pattern.split('/').length - 1;
  const mount = req.originalUrl.split('?')[0]!.split('/').slice(0, -own).join('/');
  return `${mount}${pattern}`;
}

export class WebMetrics {
  readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: 'chorus_http_request_duration_seconds',
    help: 'Requests to the web app by method, route and status, and how long each took',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor({
    pool,
    redis,
    log,
    certificates,
  }: {
    pool: Pick<pg.Pool, 'query'>;
    /** The read model's store: whether it answers a PING. */
    redis?: { ping(): Promise<unknown> };
    log: Logger;
    /** The proxy in front of this app and the names it serves (TLS_PROXY, PROD_HOSTNAMES): their certificates' expiry. */
    certificates?: { host: string; port: number; names: string[] };
  }) {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // One query per scrape, shared by both gauges.
    const slots = oncePerScrape(() => slotRetention(pool), {
      timeoutMs: defaults.dependencyTimeoutMs,
      onError: (error) => log.debug({ err: error.message }, 'metrics: postgres did not answer'),
    });
    new Gauge({
      name: 'chorus_replication_slot_retained_wal_bytes',
      help: 'WAL Postgres keeps for each replication slot (current LSN minus the slot restart LSN)',
      labelNames: ['slot'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of (await slots()) ?? []) this.set({ slot: s.slot }, s.retainedBytes);
      },
    });
    if (certificates) {
      // Read at most once per period: a scrape costs no TLS handshake.
      const read = new Map<string, { at: number; expires: number | null }>();
      new Gauge({
        name: 'chorus_tls_certificate_expiry_timestamp_seconds',
        help: 'When the certificate the proxy serves for each name expires (Unix time); absent when it cannot be read',
        labelNames: ['name'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const name of certificates.names) {
            let known = read.get(name);
            if (!known || Date.now() - known.at > defaults.certificateReadMs) {
              const expires = await servedCertificate(certificates.host, certificates.port, { servername: name }).then(
                (c) => c.validTo.getTime() / 1000,
                (error: Error) => {
                  log.warn({ name, err: error.message }, "metrics: the proxy's certificate could not be read");
                  return null;
                },
              );
              read.set(name, (known = { at: Date.now(), expires }));
            }
            if (known.expires !== null) this.set({ name }, known.expires);
          }
        },
      });
    }
    // Where Postgres archives its WAL (prod): a failing or silent archiver is a backup that is not happening.
    const archiver = oncePerScrape(() => walArchiver(pool), { timeoutMs: defaults.dependencyTimeoutMs });
    const archiverGauge = (name: string, help: string, value: (a: WalArchiver) => number | null) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.reset();
          const a = await archiver();
          const v = a && value(a);
          if (v !== null && v !== undefined) this.set(v);
        },
      });
    archiverGauge('chorus_wal_archived_segments', 'WAL segments archived since Postgres started', (a) => a.archived);
    archiverGauge(
      'chorus_wal_archive_failures',
      'failed attempts to archive a WAL segment since Postgres started',
      (a) => a.failed,
    );
    archiverGauge(
      'chorus_wal_archived_last_timestamp_seconds',
      'when the newest WAL segment was archived (Unix time); absent before the first',
      (a) => a.lastArchivedAt,
    );
    archiverGauge(
      'chorus_wal_archive_failed_last_timestamp_seconds',
      'when archiving a WAL segment last failed (Unix time); absent when it never has',
      (a) => a.lastFailedAt,
    );
    new Gauge({
      name: 'chorus_write_store_up',
      help: '1 when Postgres answered this scrape, else 0',
      registers: [this.registry],
      async collect() {
        this.set((await slots()) === null ? 0 : 1);
      },
    });
    const ping = oncePerScrape(() => redis!.ping(), { timeoutMs: defaults.dependencyTimeoutMs });
    if (redis)
      new Gauge({
        name: 'chorus_read_store_up',
        help: '1 when Redis (the read model) answered a PING at this scrape, else 0',
        registers: [this.registry],
        async collect() {
          this.set((await ping()) === null ? 0 : 1);
        },
      });
  }

  /** Times every request; the route is the one Express matched (its pattern, so that ids add no series). */
  readonly middleware: RequestHandler = (req, res, next) => {
    const end = this.requests.startTimer();
    res.on('finish', () => {
      end({ method: req.method, route: routeOf(req), status: String(res.statusCode) });
    });
    next();
  };

  listen(port: number, log: Logger) {
    return serveMetrics(this.registry, { port, name: 'chorus-web', log });
  }
}
