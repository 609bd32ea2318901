// The Prometheus JMX exporter agent that Kafka and Connect load, from Maven Central, checked against the
// SHA-256 pinned in versions.env, into target/ (once; the image build copies it from there).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';

const here = dirname(fileURLToPath(import.meta.url));
const versions = parse(readFileSync(join(here, '../../infrastructure/versions.env')));
const version = versions.JMX_EXPORTER_VERSION;
const expected = versions.JMX_EXPORTER_SHA256;
const out = join(here, 'target/jmx_prometheus_javaagent.jar');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

if (existsSync(out) && sha256(readFileSync(out)) === expected) process.exit(0);
const url = `https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/${version}/jmx_prometheus_javaagent-${version}.jar`;
const fail = (why) => {
  console.error(
    `monitoring: fetching the JMX exporter agent ${version} failed: ${why}.\n  Fix: let this host reach Maven Central (${url}), or put that jar at ${out}.`,
  );
  process.exit(1);
};
// Node's own CAs and the system's bundle, as curl and npm's cafile trust it (a proxy's CA may live only there).
const system = [process.env.SSL_CERT_FILE, '/etc/ssl/certs/ca-certificates.crt'].find((f) => f && existsSync(f));
const ca = [...rootCertificates, ...(system ? [readFileSync(system, 'utf8')] : [])];
const bytes = await new Promise((resolve) => {
  const request = get(url, { ca, timeout: 120_000 }, (response) => {
    if (response.statusCode !== 200) {
      response.resume();
      fail(`HTTP ${response.statusCode}`);
    }
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', (error) => fail(error.code ?? error.message));
  });
  request.on('timeout', () => request.destroy(new Error('no answer in 120 s')));
  request.on('error', (error) => fail(error.code ?? error.message));
});
if (sha256(bytes) !== expected)
  fail(`its SHA-256 is ${sha256(bytes)}, and versions.env pins ${expected} (JMX_EXPORTER_SHA256)`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.partial`, bytes);
renameSync(`${out}.partial`, out);
console.log(`monitoring: JMX exporter agent ${version} fetched (${bytes.length} bytes)`);
