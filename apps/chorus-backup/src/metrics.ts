/**
 * The backup service's Prometheus metrics (prom-client), on METRICS_PORT, which only the environment's
 * Prometheus reaches: when each kind of backup last succeeded and failed, the schedule's period, whether each
 * pgBackRest repository answers, and how full the disk under each volume is.
 */
import { stat, statfs } from 'node:fs/promises';
import { Gauge, Registry } from 'prom-client';
import type { Logger } from '@chorus/logger';
import { oncePerScrape, serveMetrics } from '@chorus/metrics-server';

/** pgbackrest info costs a process and, for S3, a round trip: asked at most this often, never during a scrape. */
export const REPOSITORY_CHECK_MS = 120_000;

export interface RepositoryHealth {
  repo: number;
  kind: string;
  ok: boolean;
}

export interface Disk {
  /** The volumes on this disk, by name, sorted and joined with commas. */
  volumes: string;
  bytes: number;
  free: number;
}

/**
 * The disks under the volumes, each once: volumes on one disk (the usual case: Docker keeps them all in one
 * directory) share a series that names them all, so that a full disk is one alert, not one per volume.
 */
export async function disks(paths: Record<string, string>): Promise<Disk[]> {
  const byDevice = new Map<number, Disk & { names: string[] }>();
  for (const [volume, path] of Object.entries(paths)) {
    const read = await Promise.all([stat(path), statfs(path)]).catch(() => undefined);
    if (!read) continue;
    const [file, fs] = read;
    const disk = byDevice.get(file.dev) ?? {
      names: [],
      volumes: '',
      bytes: fs.blocks * fs.bsize,
      free: fs.bavail * fs.bsize,
    };
    disk.names.push(volume);
    byDevice.set(file.dev, disk);
  }
  return [...byDevice.values()].map(({ names, bytes, free }) => ({ volumes: names.sort().join(','), bytes, free }));
}

/** What the schedule tells the metrics. */
export interface BackupObserver {
  /** The newest backup of `kind` present (ISO), as the schedule last read it. */
  newest(kind: string, takenAt: string | undefined): void;
  failed(kind: string, at: Date): void;
}

const epoch = (d: Date) => d.getTime() / 1000;

export class BackupMetrics implements BackupObserver {
  readonly registry = new Registry();
  private readonly lastSuccess = new Gauge({
    name: 'chorus_backup_last_success_timestamp_seconds',
    help: 'When the newest backup of each kind present was taken (Unix time); absent before the first',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly lastFailure = new Gauge({
    name: 'chorus_backup_last_failure_timestamp_seconds',
    help: 'When a scheduled backup of each kind last failed (Unix time); absent when none has since the service started',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  constructor({
    everyMs,
    paths,
    repositories,
    log,
  }: {
    everyMs: number;
    /** The mounted volumes whose disks are measured, by the name a person knows them by. */
    paths: Record<string, string>;
    /** Each pgBackRest repository's state; absent where the environment archives no WAL. */
    repositories?: () => Promise<RepositoryHealth[]>;
    log: Logger;
  }) {
    new Gauge({
      name: 'chorus_backup_period_seconds',
      help: 'How often each kind of backup is due (BACKUP_EVERY)',
      registers: [this.registry],
    }).set(everyMs / 1000);
    // One look at the disks per scrape serves both gauges.
    const look = oncePerScrape(() => disks(paths));
    const disk = (name: string, help: string, value: (d: Disk) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['volumes'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const d of (await look()) ?? []) this.set({ volumes: d.volumes }, value(d));
        },
      });
    disk('chorus_volume_disk_bytes', 'The size of the disk under the volumes named', (d) => d.bytes);
    disk('chorus_volume_disk_free_bytes', 'What is free on the disk under the volumes named', (d) => d.free);
    if (repositories) {
      let known: RepositoryHealth[] = [];
      let checkedAt = 0;
      let checking = false;
      const refresh = () => {
        if (checking || Date.now() - checkedAt < REPOSITORY_CHECK_MS) return;
        checking = true;
        repositories()
          .then((r) => (known = r))
          .catch((error: Error) => {
            log.warn({ err: error.message }, 'metrics: pgbackrest info did not answer');
            known = known.map((r) => ({ ...r, ok: false }));
          })
          .finally(() => {
            checking = false;
            checkedAt = Date.now();
          });
      };
      refresh();
      new Gauge({
        name: 'chorus_backup_repository_up',
        help: "1 when pgBackRest reaches the repository and finds this environment's stanza in it, else 0",
        labelNames: ['repo', 'kind'],
        registers: [this.registry],
        collect() {
          refresh();
          this.reset();
          for (const r of known) this.set({ repo: String(r.repo), kind: r.kind }, r.ok ? 1 : 0);
        },
      });
    }
  }

  newest(kind: string, takenAt: string | undefined) {
    if (takenAt) this.lastSuccess.set({ kind }, epoch(new Date(takenAt)));
  }

  failed(kind: string, at: Date) {
    this.lastFailure.set({ kind }, epoch(at));
  }

  listen(port: number, log: Logger) {
    return serveMetrics(this.registry, { port, name: 'chorus-backup', log });
  }
}
