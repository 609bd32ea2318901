/**
 * What an environment's Alertmanager holds (its HTTP API, asked from inside its container) and who its alerts
 * reach (the env file's ALERT_* settings, libs/alerting).
 */
import { z } from 'zod';
import { alertingSchema, receiversLine } from '@chorus/alerting';
import type { Context } from './context.ts';

const alertsReply = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string(),
    status: z.object({ state: z.string(), inhibitedBy: z.array(z.string()).default([]) }),
  }),
);
export type ManagedAlert = z.infer<typeof alertsReply>[number];

/** The alerts Alertmanager has now, firing or held back by an inhibition; undefined when it does not answer. */
export async function managedAlerts({ compose }: Context, project: string): Promise<ManagedAlert[] | undefined> {
  const out = await compose.httpGetIn(project, 'alertmanager', 'http://127.0.0.1:9093/api/v2/alerts?active=true');
  if (!out) return undefined;
  try {
    const parsed = alertsReply.safeParse(JSON.parse(out));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Who the env file's settings send alerts to ('nobody' without any). */
export function receivers(envFile: Record<string, string>): string {
  const given = Object.fromEntries(Object.entries(envFile).filter(([k, v]) => k.startsWith('ALERT_') && v));
  const parsed = alertingSchema.safeParse(given);
  return parsed.success ? receiversLine(parsed.data) : 'nobody (its ALERT_* settings are invalid)';
}

/** One line for make status: where alerts go, and how many Alertmanager holds. */
export async function alertingLine(
  ctx: Context,
  project: string,
  envName: string,
  envFile: Record<string, string>,
): Promise<string> {
  const to = receivers(envFile);
  const reach =
    to === 'nobody'
      ? `alerts reach NOBODY: set ALERT_WEBHOOK_URL or ALERT_EMAIL_TO (with ALERT_EMAIL_FROM, ALERT_SMTP_HOST) in .env.${envName}, then make run-${envName}`
      : `alerts reach ${to}`;
  const alerts = await managedAlerts(ctx, project);
  if (!alerts) return `  alerting: ${reach}; Alertmanager not answering (make logs-${envName} shows why)`;
  const held = alerts.filter((a) => a.status.inhibitedBy.length > 0).length;
  return `  alerting: ${reach}; Alertmanager holds ${alerts.length} alert(s)${held ? `, ${held} held back by another` : ''} (make alerts-${envName})`;
}
