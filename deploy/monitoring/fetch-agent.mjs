// The Prometheus JMX exporter agent that Kafka and Connect load, from Maven Central, checked against the
// SHA-256 pinned in versions.env, into target/ (once; the image build copies it from there).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  console.error(`monitoring: fetching the JMX exporter agent ${version} failed: ${why}.\n  Fix: let this host reach Maven Central (${url}), or put that jar at ${out}.`);
  process.exit(1);
};
const response = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((error) => fail(error.cause?.code ?? error.message));
if (!response.ok) fail(`HTTP ${response.status}`);
const bytes = Buffer.from(await response.arrayBuffer());
if (sha256(bytes) !== expected) fail(`its SHA-256 is ${sha256(bytes)}, and versions.env pins ${expected} (JMX_EXPORTER_SHA256)`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.partial`, bytes);
renameSync(`${out}.partial`, out);
console.log(`monitoring: JMX exporter agent ${version} fetched (${bytes.length} bytes)`);
