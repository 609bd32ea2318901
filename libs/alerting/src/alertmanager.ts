/** Alertmanager's configuration, made from the receivers an env file names. */
import { stringify } from 'yaml';
import { defaults } from '@chorus/config';
import type { AlertingSettings } from './settings.ts';

/** The one receiver every alert goes to. */
export const RECEIVER = 'operators';

/**
 * While the first alert fires, the second says nothing new: its cause is the first. Each pair is within one
 * environment (label `environment`, from Prometheus's external labels).
 */
export const INHIBITIONS: { source: string[]; targets: string[]; why: string }[] = [
  {
    source: ['KafkaDown', 'KafkaConnectDown', 'ConnectorNotRunning'],
    targets: ['CdcLatencyHigh', 'ConsumerLagGrowing'],
    why: 'no change moves while the connector is dead: the lag follows from it',
  },
  {
    source: ['KafkaConnectDown'],
    targets: ['ConnectorNotRunning'],
    why: 'a silent Connect reports no running connector',
  },
  {
    source: ['PostgresDown'],
    targets: ['WebErrorRate', 'WalArchiveStale', 'BackupFailed'],
    why: 'writes, archiving and backups all need Postgres',
  },
];

const matcher = (names: string[]) =>
  names.length === 1 ? `alertname="${names[0]}"` : `alertname=~"${names.join('|')}"`;

export function alertmanagerConfig(s: AlertingSettings): string {
  const mail = s.ALERT_EMAIL_TO && s.ALERT_EMAIL_FROM && s.ALERT_SMTP_HOST;
  const config = {
    global: {
      resolve_timeout: '5m',
      ...(mail
        ? {
            smtp_smarthost: s.ALERT_SMTP_HOST,
            smtp_from: s.ALERT_EMAIL_FROM,
            smtp_require_tls: s.ALERT_SMTP_REQUIRE_TLS !== 'false',
            ...(s.ALERT_SMTP_USERNAME ? { smtp_auth_username: s.ALERT_SMTP_USERNAME } : {}),
            ...(s.ALERT_SMTP_PASSWORD ? { smtp_auth_password: s.ALERT_SMTP_PASSWORD } : {}),
          }
        : {}),
    },
    route: {
      receiver: RECEIVER,
      group_by: ['alertname', 'environment'],
      group_wait: defaults.alerting.groupWait,
      group_interval: s.ALERT_GROUP_INTERVAL ?? defaults.alerting.groupInterval,
      repeat_interval: s.ALERT_REPEAT_INTERVAL ?? defaults.alerting.repeatInterval,
    },
    // With neither setting, the receiver has nowhere to send: Alertmanager still groups and shows the alerts.
    receivers: [
      {
        name: RECEIVER,
        ...(s.ALERT_WEBHOOK_URL ? { webhook_configs: [{ url: s.ALERT_WEBHOOK_URL, send_resolved: true }] } : {}),
        ...(mail ? { email_configs: [{ to: s.ALERT_EMAIL_TO!.join(', '), send_resolved: true }] } : {}),
      },
    ],
    inhibit_rules: INHIBITIONS.map((i) => ({
      source_matchers: [matcher(i.source)],
      target_matchers: [matcher(i.targets)],
      equal: ['environment'],
    })),
  };
  return `# Written by alerting-config from the env file's ALERT_* settings at each start; edits here are lost.\n${stringify(config)}`;
}
