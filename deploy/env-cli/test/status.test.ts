import { describe, expect, it } from 'vitest';
import { archiverLine, describeConnector } from '../src/system.ts';

const worker_id = 'kafka-connect:8083';

describe('make status: a FAILED connector says why', () => {
  it('names the failed task and the first line of its trace', () => {
    const line = describeConnector('chorus-dev-postgres', {
      connector: { state: 'RUNNING', worker_id },
      tasks: [
        {
          id: 0,
          state: 'FAILED',
          worker_id,
          trace:
            'org.apache.kafka.connect.errors.ConnectException: replication slot "chorus_dev" is active\n\tat io.debezium…',
        },
      ],
    });
    expect(line).toBe(
      '  connector chorus-dev-postgres: RUNNING, tasks FAILED\n    task 0 FAILED: org.apache.kafka.connect.errors.ConnectException: replication slot "chorus_dev" is active; see `make logs-<env>`, then re-run setup-connector (make run-<env>) once fixed',
    );
    expect(
      describeConnector('c', {
        connector: { state: 'RUNNING', worker_id },
        tasks: [{ id: 0, state: 'RUNNING', worker_id }],
      }),
    ).toBe('  connector c: RUNNING, tasks RUNNING');
  });

  it('adds the root cause when the first line is only a wrapper (as Debezium 3.6 reported a dropped publication)', () => {
    const trace = [
      'org.apache.kafka.connect.errors.ConnectException: An exception occurred in the change event producer. This connector will be stopped.',
      '\t...',
      'Caused by: org.apache.kafka.connect.errors.ConnectException: Publication autocreation is disabled, please create one and restart the connector.',
      '\t...',
    ].join('\n');
    expect(
      describeConnector('c', {
        connector: { state: 'RUNNING', worker_id },
        tasks: [{ id: 0, state: 'FAILED', worker_id, trace }],
      }),
    ).toContain(
      'task 0 FAILED: org.apache.kafka.connect.errors.ConnectException: An exception occurred in the change event producer. This connector will be stopped. (caused by: org.apache.kafka.connect.errors.ConnectException: Publication autocreation is disabled, please create one and restart the connector.)',
    );
  });
});

describe('the archive line of make status', () => {
  const base = {
    archivedCount: 40,
    lastArchivedAt: 1_000_000,
    lastFailedAt: 0,
    lastFailedWal: '',
    lastArchivedWal: '000000010000000000000027',
    currentWal: '000000010000000000000028',
  };
  it('says ok while the open segment is the only one not archived', () => {
    expect(archiverLine(base, 1_000_030)).toMatch(
      /archive: ok, the newest segment archived .* ago \(40 since Postgres started\)/,
    );
  });
  it('flags FAILING when the newest attempt failed', () => {
    expect(
      archiverLine({ ...base, lastFailedAt: 1_000_100, lastFailedWal: '000000010000000000000028' }, 1_000_200),
    ).toMatch(/archive: FAILING since .* \(segment 000000010000000000000028\)/);
  });
  it('flags BEHIND when closed segments wait for minutes, counting across a log file boundary', () => {
    expect(
      archiverLine(
        { ...base, lastArchivedWal: '0000000100000000000000FE', currentWal: '000000010000000100000002' },
        1_000_300,
      ),
    ).toMatch(/archive: BEHIND: 3 closed segment\(s\) waiting/);
  });
});
