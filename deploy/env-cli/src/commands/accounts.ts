/**
 * `make users-prod`, `make user-add-prod`, `make token-add-prod` …: the web app's account commands, run in
 * prod's chorus-web container (where its Postgres and Redis are reachable), and `make reset-admin-prod`,
 * which writes a new admin password into .env.prod first, so that the file stays where to read it.
 */
import { randomBytes } from 'node:crypto';
import { OperatorError } from '@chorus/errors';
import type { Context } from '../context.ts';
import { setEnvFileValue } from '../env-file.ts';
import type { Environment } from '../environments.ts';
import { print, say } from '../output.ts';
import { checkDocker } from '../preflight.ts';

/** Runs `chorus-web <args>` in the environment's web container and prints what it printed. */
async function inWeb(ctx: Context, e: Environment, args: string[], env?: Record<string, string>): Promise<void> {
  checkDocker();
  const result = await ctx.compose.execResult(e.project, 'chorus-web', ['node', '/app/main.cjs', ...args], { env });
  if (result.code === 0) return print(result.out);
  if (/is not running|no container found/i.test(result.err))
    throw new OperatorError(`${e.name}'s web app is not running: start it with \`make run-${e.name}\``);
  if (/unknown (command|option)/i.test(result.err))
    throw new OperatorError(`${e.name} runs a release without accounts: upgrade it with \`make run-${e.name}\``);
  throw new OperatorError(
    result.err
      .split('\n')
      .filter((l) => !/^\s*at /.test(l))
      .slice(-3)
      .join('\n') || `chorus-web ${args[0]} exited ${result.code}`,
  );
}

const needs = (value: string | undefined, what: string, example: string) => {
  if (!value) throw new OperatorError(`${what} is missing: ${example}`);
  return value;
};

export const users = (ctx: Context, e: Environment) => inWeb(ctx, e, ['users']);
export const userAdd = (ctx: Context, e: Environment, name?: string, role?: string) =>
  inWeb(ctx, e, [
    'user-add',
    needs(name, 'NAME', `make user-add-${e.name} NAME=ana ROLE=viewer`),
    '--role',
    needs(role, 'ROLE', `make user-add-${e.name} NAME=ana ROLE=viewer (or ROLE=operator)`),
  ]);
export const userRemove = (ctx: Context, e: Environment, name?: string) =>
  inWeb(ctx, e, ['user-remove', needs(name, 'NAME', `make user-remove-${e.name} NAME=ana`)]);
export const tokens = (ctx: Context, e: Environment) => inWeb(ctx, e, ['tokens']);
export const tokenAdd = (ctx: Context, e: Environment, name?: string, role?: string) =>
  inWeb(ctx, e, [
    'token-add',
    needs(name, 'NAME', `make token-add-${e.name} NAME=ci ROLE=operator`),
    '--role',
    needs(role, 'ROLE', `make token-add-${e.name} NAME=ci ROLE=operator (or ROLE=viewer)`),
  ]);
export const tokenRemove = (ctx: Context, e: Environment, name?: string) =>
  inWeb(ctx, e, ['token-remove', needs(name, 'NAME', `make token-remove-${e.name} NAME=ci`)]);

/** A new admin password, written into the env file (replacing its line), then set on the account. Never printed. */
export async function resetAdmin(ctx: Context, e: Environment): Promise<void> {
  const password = randomBytes(24).toString('base64url');
  setEnvFileValue(ctx.root, e, 'CHORUS_ADMIN_PASSWORD', password);
  await inWeb(ctx, e, ['reset-admin'], { CHORUS_ADMIN_PASSWORD: password });
  say(
    `${e.name}: the admin's new password is CHORUS_ADMIN_PASSWORD in ${e.envFile} (read it with: grep CHORUS_ADMIN_PASSWORD ${e.envFile})`,
  );
}
