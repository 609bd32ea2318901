/**
 * `make tls-check`: prod's proxy configuration serves prod's own CA's certificate (the default; made here with
 * @chorus/pki as prod's proxy-certs makes it), gets a certificate from an ACME CA and serves it, and serves an
 * operator's own certificate (deploy/verify/tls/compose.yml). The ACME CA is Pebble, Let's Encrypt's test server
 * (infrastructure/pebble), on the suite's internal network. In each mode: HTTPS answers through the proxy with the
 * expected certificate and HSTS, the web app is told the request came over HTTPS, and a plain-HTTP request on the
 * same port is redirected. testssl.sh scans the default mode, fetching and checking its CRL. Torn down, pass,
 * fail or Ctrl-C.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '@chorus/errors';
import { ensureCertificate } from '@chorus/pki';
import { done, notYet, timeUntil } from '@chorus/wait';
import { images } from 'env-cli/bring-up.ts';
import { cleanEnv } from 'env-cli/compose.ts';
import type { Context } from 'env-cli/context.ts';
import { readEnvFile } from 'env-cli/env-file.ts';
import { ENVIRONMENTS } from 'env-cli/environments.ts';
import { print, report } from 'env-cli/output.ts';
import { checkDocker } from 'env-cli/preflight.ts';
import { capture } from 'env-cli/processes.ts';
import { withTeardown } from 'env-cli/run-project.ts';

const FILE = 'deploy/verify/tls/compose.yml';
/** How long the proxy may take to get its certificate from Pebble. */
const ISSUE_WITHIN_MS = 90_000;
const say = (m: string) => print(`tls-check: ${m}`);
/** Separates curl's answer from what its -w prints after it. */
const MARK = '@@chorus-tls-check@@';

/** A self-signed certificate for `name` and its key, made by openssl in `dir`: the operator's own files. */
function ownCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, 'own.crt');
  const key = join(dir, 'own.key');
  const made = capture('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '90',
    '-subj',
    `/CN=${name}`,
    '-addext',
    `subjectAltName=DNS:${name}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (!made.ok)
    throw new OperatorError(
      `openssl is needed to make the test certificate and failed or is missing (${made.err.split('\n').at(-1) || 'not found'}): install it (apt-get install openssl)`,
    );
  return { cert, key };
}

interface Answer {
  status: string;
  redirect: string;
  issuer: string;
  subject: string;
  hsts: boolean;
  body: string;
}

export async function tlsCheck(ctx: Context): Promise<number> {
  checkDocker();
  const built = capture('bash', [join(ctx.root, 'infrastructure/pebble/build.sh')]);
  if (!built.ok) throw new OperatorError(`building Pebble failed: ${built.err.split('\n').slice(-3).join(' ')}`);
  const work = mkdtempSync(join(tmpdir(), 'chorus-tls-check-'));
  const own = ownCertificate(work, 'own.test');
  // prod's default mode: its CA, certificate and CRL, as the proxy-certs one-shot makes them in prod's volume.
  const internalPki = join(work, 'internal');
  await ensureCertificate({
    dir: internalPki,
    names: ['internal.test', 'localhost', '127.0.0.1'],
    port: 443,
    caName: 'CHORUS tls-check',
  });
  const vars = await images(ctx, { envFile: readEnvFile(ctx.root, ENVIRONMENTS.test), vars: {} });
  const scanDir = join(work, 'scan');
  mkdirSync(scanDir);
  chmodSync(scanDir, 0o777);
  const env = {
    ...cleanEnv(),
    ...vars,
    PEBBLE_DIR: built.out.trim(),
    OWN_CERT: own.cert,
    OWN_KEY: own.key,
    SCAN_DIR: scanDir,
    INTERNAL_PKI: internalPki,
  };
  const compose = (args: string[]) =>
    capture('docker', ['compose', '--ansi', 'never', '--progress', 'plain', '-f', join(ctx.root, FILE), ...args], {
      env,
    });
  /** One request from the client container: status, redirect, the served certificate, HSTS and the body. */
  const ask = (script: string): Answer | undefined => {
    const r = compose(['run', '--rm', '--no-deps', 'client', 'sh', '-c', script]);
    if (!r.ok) return undefined;
    const [answer = '', chain = ''] = r.out.split(MARK);
    const [status = '', redirect = ''] = chain.split('\n')[0]!.trim().split(' ');
    return {
      status,
      redirect,
      issuer: /^Issuer:\s*(.+)$/m.exec(chain)?.[1]?.trim() ?? '',
      subject: /^Subject:\s*(.+)$/m.exec(chain)?.[1]?.trim() ?? '',
      hsts: /^strict-transport-security: max-age=\d+/im.test(answer),
      body: /^\{.*\}$/m.exec(answer)?.[0] ?? '',
    };
  };
  // The headers (-D -) and the body, then after MARK (curl's -w) the status, the redirect and the chain (%{certs}).
  const https = (host: string, ca: string) =>
    `curl -sS --cacert ${ca} -D - -w '\n${MARK}%{http_code} %{redirect_url}\n%{certs}' https://${host}/`;
  const plain = (host: string) =>
    `curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' http://${host}:443/tasks?x=1`;
  const down = async () => void compose(['--profile', 'client', 'down', '-v', '--remove-orphans']);

  // The scanner's image: Debian's testssl.sh on the resolved Node image (the legacy builder: no buildx needed).
  const scanner = capture(
    'docker',
    [
      'build',
      '-q',
      '--build-arg',
      `NODE_IMAGE=${vars.NODE_IMAGE}`,
      '-t',
      'chorus-local/testssl:tls-check',
      join(ctx.root, 'deploy/verify/tls/testssl'),
    ],
    { env: { ...cleanEnv(), DOCKER_BUILDKIT: '0' } },
  );
  if (!scanner.ok)
    throw new OperatorError(`building testssl.sh's image failed: ${scanner.err.split('\n').slice(-3).join(' ')}`);
  await down();
  return withTeardown(
    async () => {
      await down();
      rmSync(work, { recursive: true, force: true });
    },
    async () => {
      const problems: string[] = [];
      if (!compose(['up', '-d', 'pebble', 'chorus-web', 'proxy-internal', 'proxy-acme', 'proxy-files']).ok)
        throw new OperatorError(`starting the suite's services failed: ${compose(['ps', '-a']).out}`);
      // ACME: the proxy orders chorus.test's certificate from Pebble; Pebble's issuing root is on its management port.
      let acme: Answer | undefined;
      const issued = await timeUntil(
        async () => {
          acme = ask(
            `curl -sSk https://pebble:15000/roots/0 > /tmp/root.pem && ${https('chorus.test', '/tmp/root.pem')}`,
          );
          return acme?.status === '200' ? done(acme) : notYet(acme ? `HTTP ${acme.status}` : 'no answer');
        },
        { what: "chorus.test's certificate from Pebble", limitMs: ISSUE_WITHIN_MS, everyMs: 2000 },
      );
      if (acme?.status !== '200') {
        report(compose(['logs', '--tail', '30', 'proxy-acme', 'pebble']).out);
        problems.push(
          `chorus.test never answered over HTTPS with a certificate Pebble issued (within ${ISSUE_WITHIN_MS / 1000} s)`,
        );
      } else {
        say(
          `ACME: chorus.test served a certificate issued by "${acme.issuer}" after ${((issued.ms ?? 0) / 1000).toFixed(1)} s`,
        );
        if (!/Pebble/i.test(acme.issuer))
          problems.push(`chorus.test's certificate was issued by "${acme.issuer}", not Pebble`);
        if (!acme.hsts) problems.push('chorus.test answered without Strict-Transport-Security');
        if (!acme.body.includes('"proto":"https"'))
          problems.push(`the web app was not told the request came over HTTPS: ${acme.body}`);
      }
      const internal = ask(https('internal.test', '/ca.crt'));
      if (internal?.status !== '200')
        problems.push(
          `internal.test did not answer over HTTPS with a certificate from prod's own CA (${internal ? `HTTP ${internal.status}` : 'no answer'})`,
        );
      else {
        say(`prod's own CA: internal.test served a certificate issued by "${internal.issuer}"`);
        if (!/CHORUS tls-check Root CA/.test(internal.issuer))
          problems.push(`internal.test's certificate was issued by "${internal.issuer}", not the CA made for it`);
        if (!internal.hsts) problems.push('internal.test answered without Strict-Transport-Security');
        if (!internal.body.includes('"proto":"https"'))
          problems.push(`the web app was not told the request came over HTTPS: ${internal.body}`);
      }
      const own = ask(https('own.test', '/own.crt'));
      if (own?.status !== '200')
        problems.push(
          `own.test did not answer over HTTPS with the supplied certificate (${own ? `HTTP ${own.status}` : 'no answer'})`,
        );
      else {
        say(`own files: own.test served the supplied certificate (subject "${own.subject}")`);
        if (!/own\.test/.test(own.subject))
          problems.push(`own.test served "${own.subject}", not the supplied certificate`);
        if (!own.hsts) problems.push('own.test answered without Strict-Transport-Security');
      }
      for (const host of ['internal.test', 'chorus.test', 'own.test']) {
        const r = compose(['run', '--rm', '--no-deps', 'client', 'sh', '-c', plain(host)]);
        const [status = '', location = ''] = r.out.trim().split(' ');
        say(`plain HTTP to ${host}:443 answered ${status} ${location}`);
        if (!/^30[178]$/.test(status) || !location.startsWith(`https://${host}:443/tasks?x=1`))
          problems.push(
            `plain HTTP to ${host}:443 answered ${status} ${location}, not a redirect to https://${host}:443/tasks?x=1`,
          );
      }
      // testssl.sh on what prod serves by default, trusting its CA (as make ca-prod says), fetching its CRL.
      const scanned = compose([
        'run',
        '--rm',
        '--no-deps',
        'testssl',
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'off',
        '--add-ca',
        '/ca.crt',
        '--phone-out',
        '--jsonfile',
        '/scan/testssl.json',
        'internal.test:443',
      ]);
      const findings =
        scanned.ok || existsSync(join(scanDir, 'testssl.json'))
          ? (JSON.parse(readFileSync(join(scanDir, 'testssl.json'), 'utf8')) as {
              id: string;
              severity: string;
              finding: string;
            }[])
          : undefined;
      if (!findings) problems.push(`testssl.sh did not finish: ${scanned.err.split('\n').slice(-3).join(' ')}`);
      else {
        const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
        const counts = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map(
          (s) => `${findings.filter((f) => f.severity === s).length} ${s}`,
        );
        say(`testssl.sh ${findings.length} findings: ${counts.join(', ')}`);
        for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2', 'TLS1_3', 'overall_grade'])
          for (const f of findings.filter((f) => f.id === id)) say(`  ${f.id}: ${f.finding}`);
        for (const f of findings.filter((f) => f.severity === 'MEDIUM' || f.severity === 'LOW'))
          say(`  ${f.severity} ${f.id}: ${f.finding}`);
        for (const f of serious) problems.push(`testssl.sh rates ${f.id} ${f.severity}: ${f.finding}`);
        // The CRL the certificate names was fetched, verified against the CA, and does not revoke it.
        const crl = findings.find((f) => f.id.startsWith('cert_crlRevoked'));
        say(`  CRL: ${crl ? `${crl.severity} ${crl.finding}` : 'not checked'}`);
        if (crl?.severity !== 'OK')
          problems.push(`testssl.sh could not check the certificate against its CRL: ${crl?.finding ?? 'no finding'}`);
      }
      for (const p of problems) report(`tls-check: FAIL: ${p}`);
      say(problems.length ? `${problems.length} problem(s)` : 'passed');
      return problems.length ? 1 : 0;
    },
  );
}
