import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INHIBITIONS, alertingProblems, alertingSchema, alertmanagerConfig, receiversLine } from '../src/index.ts';

const mailAndWebhook = alertingSchema.parse({
  ALERT_WEBHOOK_URL: 'https://hooks.example.com/chorus',
  ALERT_EMAIL_TO: 'ops@example.com, oncall@example.com',
  ALERT_EMAIL_FROM: 'chorus@example.com',
  ALERT_SMTP_HOST: 'smtp.example.com:587',
  ALERT_SMTP_USERNAME: 'chorus',
  ALERT_SMTP_PASSWORD: 'a secret',
});

describe("Alertmanager's configuration", () => {
  it('sends every alert, firing and resolved, to the webhook and the mail recipients named', () => {
    const c = parse(alertmanagerConfig(mailAndWebhook));
    expect(c.route).toMatchObject({
      receiver: 'operators',
      group_by: ['alertname', 'environment'],
      group_interval: '5m',
    });
    expect(c.receivers).toEqual([
      {
        name: 'operators',
        webhook_configs: [{ url: 'https://hooks.example.com/chorus', send_resolved: true }],
        email_configs: [{ to: 'ops@example.com, oncall@example.com', send_resolved: true }],
      },
    ]);
    expect(c.global).toMatchObject({
      smtp_smarthost: 'smtp.example.com:587',
      smtp_from: 'chorus@example.com',
      smtp_require_tls: true,
      smtp_auth_username: 'chorus',
      smtp_auth_password: 'a secret',
    });
    expect(receiversLine(mailAndWebhook)).toBe(
      'webhook hooks.example.com and mail to ops@example.com, oncall@example.com',
    );
  });

  it('keeps a receiver with nowhere to send when none is named, and says alerts reach nobody', () => {
    const none = alertingSchema.parse({});
    const c = parse(alertmanagerConfig(none));
    expect(c.receivers).toEqual([{ name: 'operators' }]);
    expect(c.global).toEqual({ resolve_timeout: '5m' });
    expect(receiversLine(none)).toBe('nobody');
  });

  it('takes the intervals an operator sets, and a relay without STARTTLS', () => {
    const c = parse(
      alertmanagerConfig(
        alertingSchema.parse({
          ALERT_EMAIL_TO: 'ops@example.com',
          ALERT_EMAIL_FROM: 'chorus@example.com',
          ALERT_SMTP_HOST: 'relay.internal:25',
          ALERT_SMTP_REQUIRE_TLS: 'false',
          ALERT_GROUP_INTERVAL: '1m',
          ALERT_REPEAT_INTERVAL: '12h',
        }),
      ),
    );
    expect(c.route).toMatchObject({ group_interval: '1m', repeat_interval: '12h' });
    expect(c.global.smtp_require_tls).toBe(false);
  });

  it('silences the consequences of a dead connector or Postgres within one environment', () => {
    const c = parse(alertmanagerConfig(mailAndWebhook));
    expect(c.inhibit_rules).toHaveLength(INHIBITIONS.length);
    expect(c.inhibit_rules[0]).toEqual({
      source_matchers: ['alertname=~"KafkaDown|KafkaConnectDown|ConnectorNotRunning"'],
      target_matchers: ['alertname=~"CdcLatencyHigh|ConsumerLagGrowing"'],
      equal: ['environment'],
    });
  });
});

describe('the ALERT_* settings', () => {
  it('refuse a malformed URL, address or server, naming what is expected', () => {
    const r = alertingSchema.safeParse({
      ALERT_WEBHOOK_URL: 'hooks.example.com',
      ALERT_EMAIL_TO: 'ops@example.com, not-an-address',
      ALERT_SMTP_HOST: 'smtp.example.com',
      ALERT_GROUP_INTERVAL: 'five minutes',
    });
    expect(r.success).toBe(false);
    const messages = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(messages).toEqual({
      ALERT_WEBHOOK_URL: 'expected an http:// or https:// URL',
      'ALERT_EMAIL_TO.1': 'expected e-mail addresses separated by commas',
      ALERT_SMTP_HOST: 'expected the SMTP server as host:port, such as smtp.example.com:587',
      ALERT_GROUP_INTERVAL: 'write a duration such as 30s, 5m or 4h',
    });
  });

  it('need recipients, sender and server together, and a user with a password', () => {
    expect(alertingProblems({ ALERT_SMTP_HOST: 'smtp.example.com:587' })).toEqual([
      {
        path: ['ALERT_SMTP_HOST'],
        message: 'set ALERT_EMAIL_TO too, or remove this line: without recipients no mail is sent',
      },
    ]);
    expect(alertingProblems({ ALERT_EMAIL_TO: 'ops@example.com', ALERT_SMTP_PASSWORD: 'x' })).toEqual([
      { path: ['ALERT_EMAIL_FROM'], message: 'required with ALERT_EMAIL_TO' },
      { path: ['ALERT_SMTP_HOST'], message: 'required with ALERT_EMAIL_TO' },
      { path: ['ALERT_SMTP_USERNAME'], message: 'required with ALERT_SMTP_PASSWORD' },
    ]);
    expect(alertingProblems({ ALERT_WEBHOOK_URL: 'https://hooks.example.com/x' })).toEqual([]);
  });
});
