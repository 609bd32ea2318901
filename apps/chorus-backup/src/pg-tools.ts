/** pg_dump and pg_restore, the server's own version (this image is the environment's Postgres image). */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { PostgresSettings } from '@chorus/config';
import { OperatorError } from '@chorus/errors';

/** Runs a Postgres client tool against `pg`; fails with the tool's last lines of stderr. */
export function pgTool(tool: 'pg_dump' | 'pg_restore', args: string[], pg: PostgresSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      tool,
      ['--host', pg.host, '--port', String(pg.port), '--username', pg.user, '--no-password', ...args],
      {
        env: { ...process.env, PGPASSWORD: pg.password },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', (error) => reject(new OperatorError(`${tool} could not start: ${error.message}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new OperatorError(
              `${tool} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
            ),
          ),
    );
  });
}

/** A file's size and SHA-256, read as a stream. */
export function digest(path: string): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path)
      .on('data', (chunk: Buffer | string) => {
        bytes += chunk.length;
        hash.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
  });
}
