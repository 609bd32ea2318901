/** How the operator's checks speak: `<name>: ok|FAIL <what>` lines, a verdict, and an exit code. */
export function checklist(name: string) {
  const say = (m: string) => void process.stdout.write(`${name}: ${m}\n`);
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  /** Runs the checks, prints the verdict and exits: 0 when every check passed, 1 otherwise or on an error. */
  const run = (checks: () => Promise<number | void>) =>
    checks().then(
      (code) => {
        if (failures.length > 0) say(`${failures.length} check(s) failed`);
        else say(code ? 'stopped before its checks (the line above says why)' : 'passed');
        process.exit(failures.length === 0 ? (code ?? 0) : 1);
      },
      (error: Error) => {
        say(`error: ${error.message}`);
        process.exit(1);
      },
    );
  return { say, check, run };
}
