/** `make alerts-prod` (and -dev): what Alertmanager holds now, and who it sends to. */
import { OperatorError } from '@chorus/errors';
import { alertingLine, managedAlerts } from '../alerts.ts';
import type { Context } from '../context.ts';
import { readEnvFile } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { print, span, table } from '../output.ts';
import { checkDocker } from '../preflight.ts';

export async function alerts(ctx: Context, e: Environment): Promise<void> {
  checkDocker();
  const alerts = await managedAlerts(ctx, e.project);
  if (!alerts)
    throw new OperatorError(
      `${e.name}'s Alertmanager does not answer: start ${e.name} with \`make run-${e.name}\` (make status shows its state)`,
    );
  print(await alertingLine(ctx, e.project, e.name, readEnvFile(ctx.root, e)));
  if (alerts.length === 0) {
    print('no alert firing');
    return;
  }
  const now = Date.now();
  print(
    table(
      ['alert', 'severity', 'for', 'state', 'summary'],
      alerts
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
        .map((a) => [
          [
            a.labels.alertname ?? '?',
            ...Object.entries(a.labels)
              .filter(([k]) => !['alertname', 'severity', 'environment'].includes(k))
              .map(([k, v]) => `${k}=${v}`),
          ].join(' '),
          a.labels.severity ?? '',
          span(now - Date.parse(a.startsAt)),
          a.status.inhibitedBy.length ? 'held back (its cause fires)' : 'firing',
          a.annotations.summary ?? '',
        ]),
    ),
  );
}
