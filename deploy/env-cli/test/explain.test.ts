import { describe, expect, it } from 'vitest';
import { type ContainerFacts, transientTrouble } from '../src/explain.ts';

const UP_AT = Date.parse('2026-11-23T18:00:00Z');
const running = (service: string, extra: Partial<ContainerFacts> = {}): ContainerFacts => ({
  service,
  id: `${service}-id`,
  status: 'running',
  exitCode: 0,
  health: 'healthy',
  restartPolicy: 'unless-stopped',
  restartCount: 0,
  startedAt: '2026-11-23T18:00:05Z',
  probes: [],
  ...extra,
});
const setupDone: ContainerFacts = { ...running('setup-connector'), status: 'exited', health: '', restartPolicy: 'no' };

describe('a failed up --wait whose trouble has passed (Compose gives up at the first exit or failed probe it sees)', () => {
  it('names a service its restart policy brought back during this start', () => {
    const processor = running('chorus-stream-processor', {
      health: 'starting',
      restartCount: 1,
      startedAt: '2026-11-23T18:00:31Z',
    });
    expect(transientTrouble([running('postgres'), setupDone, processor], UP_AT)).toEqual([
      'chorus-stream-processor exited while starting and its restart policy started it again (1×)',
    ]);
  });

  it('names a service that failed probes after passing (a flap) and passes again, but not failures while it started', () => {
    const probe = (at: string, ok: boolean, output = '') => ({ at: `2026-11-23T18:00:${at}Z`, ok, output });
    const web = running('chorus-web', {
      probes: [
        probe('38', true),
        probe('40', false, 'connection reset'),
        probe('42', false, 'connection refused'),
        probe('44', false, 'connection refused'),
        probe('46', true),
      ],
    });
    const connect = running('kafka-connect', {
      probes: [
        probe('10', false, 'refused'),
        probe('12', false, 'refused'),
        probe('14', true),
        probe('16', true),
        probe('18', true),
      ],
    });
    expect(transientTrouble([running('postgres'), connect, web], UP_AT)).toEqual([
      'chorus-web failed 3 healthcheck probe(s) after passing and passes again (last: connection refused)',
    ]);
  });

  it('is not fooled by a restart from before this start, and says when nothing failed', () => {
    const yesterday = running('chorus-web', { restartCount: 3, startedAt: '2026-11-22T09:00:00Z' });
    expect(transientTrouble([running('postgres'), setupDone, yesterday], UP_AT)).toEqual([
      'no service failed: postgres running healthy, setup-connector exited, chorus-web running healthy',
    ]);
  });

  it('does not try again when something failed for good: an unhealthy service, or a one-shot that exited non-zero', () => {
    const processor = running('chorus-stream-processor', { restartCount: 1, startedAt: '2026-11-23T18:00:31Z' });
    expect(transientTrouble([processor, running('kafka-connect', { health: 'unhealthy' })], UP_AT)).toBeUndefined();
    expect(transientTrouble([processor, { ...setupDone, exitCode: 1 }], UP_AT)).toBeUndefined();
  });

  it('does not try again when a container was never started and nothing explains it', () => {
    expect(
      transientTrouble([running('postgres'), running('chorus-web', { status: 'created', health: '' })], UP_AT),
    ).toBeUndefined();
  });

  it('leaves a test run alone: with no restart policy an exit is a failure', () => {
    const crashed = running('chorus-web', { status: 'exited', exitCode: 1, restartPolicy: 'no' });
    expect(transientTrouble([running('postgres', { restartPolicy: 'no' }), crashed], UP_AT)).toBeUndefined();
  });
});
