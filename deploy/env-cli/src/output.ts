/** How the env CLI speaks: `env: ` lines on stdout, durations in seconds. */
export const say = (message: string) => void process.stdout.write(`env: ${message}\n`);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
