/** How the operator's checks speak: `<name>: ok|FAIL <what>` lines, a verdict, and an exit code. */
import { print } from 'env-cli/output.ts';

export interface Checklist {
  say(message: string): void;
  check(ok: boolean, what: string): void;
}

/**
 * Runs `checks` and prints the verdict; resolves to 0 when every check passed, else 1 (or the code the checks
 * stopped with). An error ends them, printed as the check's own line.
 */
export async function checklist(name: string, checks: (list: Checklist) => Promise<number | void>): Promise<number> {
  const say = (m: string) => print(`${name}: ${m}`);
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  try {
    const code = await checks({ say, check });
    if (failures.length > 0) say(`${failures.length} check(s) failed`);
    else say(code ? 'stopped before its checks (the line above says why)' : 'passed');
    return failures.length === 0 ? (code ?? 0) : 1;
  } catch (error) {
    say(`error: ${(error as Error).message}`);
    return 1;
  }
}
