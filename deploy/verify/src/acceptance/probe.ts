/** Probes URLs every `intervalMs` while something else runs; counts the answers that were not a 200 in time. */
export interface ProbeResult {
  url: string;
  probes: number;
  failures: number;
  worstMs: number;
  firstFailure?: string;
  /** When the first and the last failed probe started (ms since the epoch). */
  firstFailureAt?: number;
  lastFailureAt?: number;
}

export function probe(
  urls: string[],
  {
    intervalMs = 500,
    timeoutMs = 2000,
    fetch: get = (url: string, init: { signal: AbortSignal }) => fetch(url, init),
  }: {
    intervalMs?: number;
    timeoutMs?: number;
    fetch?: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  } = {},
) {
  const results = urls.map((url): ProbeResult => ({ url, probes: 0, failures: 0, worstMs: 0 }));
  let stopped = false;
  const loops = results.map(async (r) => {
    while (!stopped) {
      const started = Date.now();
      let failure: string | undefined;
      try {
        const res = await get(r.url, { signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        if (res.status !== 200) failure = `HTTP ${res.status}`;
      } catch (error) {
        failure =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : String((error as Error).message);
      }
      const ms = Date.now() - started;
      r.probes++;
      r.worstMs = Math.max(r.worstMs, ms);
      if (failure) {
        r.failures++;
        r.firstFailure ??= `${new Date(started).toISOString()}: ${failure}`;
        r.firstFailureAt ??= started;
        r.lastFailureAt = started;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - ms)));
    }
  });
  return {
    async stop(): Promise<ProbeResult[]> {
      stopped = true;
      await Promise.all(loops);
      return results;
    },
  };
}
