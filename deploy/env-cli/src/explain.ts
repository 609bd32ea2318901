import { logs, services } from './compose.ts';

/** Shows why a project did not come up: the state of every service, and the logs of those that failed. */
export async function explainFailure(root: string, project: string): Promise<string[]> {
  const list = await services(root, project);
  const failed = list.filter((s) => (s.State === 'exited' && s.ExitCode !== 0) || s.Health === 'unhealthy');
  for (const s of list) process.stderr.write(`  ${s.Service.padEnd(26)} ${s.State === 'exited' ? `exited (${s.ExitCode})` : s.State} ${s.Health}\n`);
  for (const s of failed) {
    process.stderr.write(`--- last lines of ${s.Service} ---\n`);
    await logs(root, project, { service: s.Service, tail: 15 });
  }
  return failed.map((s) => s.Service);
}
