import { describe, expect, it } from 'vitest';
import { costOf, sampleOf, summarize } from '../src/idle-cost.ts';

describe('idle cost', () => {
  it("reads CPU time and memory without the page cache from the engine's stats, cgroup v1 and v2", () => {
    const v1 = {
      cpu_stats: { cpu_usage: { total_usage: 5e9 } },
      memory_stats: { usage: 300e6, stats: { total_cache: 100e6 } },
    };
    const v2 = {
      cpu_stats: { cpu_usage: { total_usage: 5e9 } },
      memory_stats: { usage: 300e6, stats: { file: 120e6 } },
    };
    expect(sampleOf(v1)).toEqual({ cpuNs: 5e9, memoryBytes: 200e6 });
    expect(sampleOf(v2)).toEqual({ cpuNs: 5e9, memoryBytes: 180e6 });
  });

  it('counts CPU time over the window as a share of one core, and sums each environment', () => {
    // 6 s of CPU in 60 s is a tenth of a core.
    const connect = {
      project: 'chorus-dev',
      service: 'kafka-connect',
      ...costOf({ cpuNs: 1e9, memoryBytes: 0 }, { cpuNs: 7e9, memoryBytes: 400e6 }, 60_000),
    };
    const web = {
      project: 'chorus-dev',
      service: 'chorus-web',
      ...costOf({ cpuNs: 0, memoryBytes: 0 }, { cpuNs: 0.6e9, memoryBytes: 80e6 }, 60_000),
    };
    expect(connect.cpu).toBeCloseTo(0.1);
    const [dev] = summarize([web, connect]);
    expect(dev).toMatchObject({ project: 'chorus-dev', memoryBytes: 480e6 });
    expect(dev!.cpu).toBeCloseTo(0.11);
    expect(dev!.top.map((c) => c.service)).toEqual(['kafka-connect', 'chorus-web']);
  });
});
