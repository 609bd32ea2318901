import { spawn } from 'node:child_process';
import { OperatorError } from '@chorus/errors';

/**
 * Builds the app images through Nx (each from its bundle, on the resolved Node image); resolves to the
 * time it took.
 */
export async function buildAppImages(root: string, projects: string[], nodeImage: string): Promise<number> {
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npx', ['nx', 'run-many', '-t', 'image', '-p', ...projects, '--output-style=static'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_IMAGE: nodeImage },
    });
    child.on('exit', (exit) => resolve(exit ?? 1));
  });
  if (code !== 0) throw new OperatorError(`building the images failed (nx run-many -t image exited ${code}); the lines above say why`);
  return Date.now() - started;
}
