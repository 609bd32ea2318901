/**
 * The receivers alerts reach, as an env file spells them: a webhook, and e-mail over SMTP. The env CLI checks
 * them in .env.prod and .env.dev; the alerting-config one-shot reads them to write Alertmanager's configuration.
 */
import { z } from 'zod';

const emails = z
  .string()
  .transform((s) => s.split(',').map((a) => a.trim()))
  .pipe(z.array(z.email({ error: 'expected e-mail addresses separated by commas' })).min(1));

/** Alertmanager's duration format, in the few units a person writes. */
const duration = z.string().regex(/^\d+[smh]$/, 'write a duration such as 30s, 5m or 4h');

export const alertingEnv = {
  /** An HTTP(S) endpoint that receives Alertmanager's webhook JSON (a chat bridge, an incident tool). */
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
  ALERT_EMAIL_TO: emails.optional(),
  ALERT_EMAIL_FROM: z.email({ error: 'expected the address alert mail is sent from' }).optional(),
  /** host:port of the SMTP server. */
  ALERT_SMTP_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected the SMTP server as host:port, such as smtp.example.com:587')
    .optional(),
  ALERT_SMTP_USERNAME: z.string().min(1).optional(),
  ALERT_SMTP_PASSWORD: z.string().min(1).optional(),
  /** STARTTLS is required unless this is false (a relay on a private network). */
  ALERT_SMTP_REQUIRE_TLS: z.enum(['true', 'false'], { error: 'expected true or false' }).optional(),
  /** How often a group with changes is notified again, resolutions included (Alertmanager's group_interval). */
  ALERT_GROUP_INTERVAL: duration.optional(),
  /** How often an unchanged firing group is sent again (repeat_interval). */
  ALERT_REPEAT_INTERVAL: duration.optional(),
};

export const alertingSchema = z.object(alertingEnv);
export type AlertingSettings = z.infer<typeof alertingSchema>;
export type AlertingEnv = { [K in keyof typeof alertingEnv]?: string };

/** E-mail needs its recipients, sender and server together; a password needs its user. */
export function alertingProblems(v: AlertingEnv): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const mail = [
    'ALERT_EMAIL_FROM',
    'ALERT_SMTP_HOST',
    'ALERT_SMTP_USERNAME',
    'ALERT_SMTP_PASSWORD',
    'ALERT_SMTP_REQUIRE_TLS',
  ] as const;
  if (!v.ALERT_EMAIL_TO)
    for (const k of mail.filter((k) => v[k]))
      problems.push({
        path: [k],
        message: 'set ALERT_EMAIL_TO too, or remove this line: without recipients no mail is sent',
      });
  else
    for (const k of ['ALERT_EMAIL_FROM', 'ALERT_SMTP_HOST'] as const)
      if (!v[k]) problems.push({ path: [k], message: 'required with ALERT_EMAIL_TO' });
  if (v.ALERT_SMTP_PASSWORD && !v.ALERT_SMTP_USERNAME)
    problems.push({ path: ['ALERT_SMTP_USERNAME'], message: 'required with ALERT_SMTP_PASSWORD' });
  return problems;
}

/** Who an environment's alerts reach, in words (make status). */
export function receiversLine(v: AlertingSettings): string {
  const to = [
    ...(v.ALERT_WEBHOOK_URL ? [`webhook ${new URL(v.ALERT_WEBHOOK_URL).host}`] : []),
    ...(v.ALERT_EMAIL_TO ? [`mail to ${v.ALERT_EMAIL_TO.join(', ')}`] : []),
  ];
  return to.length ? to.join(' and ') : 'nobody';
}
