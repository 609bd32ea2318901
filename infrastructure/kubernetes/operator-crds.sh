#!/usr/bin/env bash
# Prints a directory holding the CRDs the chart's `operators` mode is validated against (make k8s-check):
#   strimzi/   Kafka, KafkaNodePool, KafkaConnect, KafkaConnector, generated from Strimzi's Maven artifacts
#              with Strimzi's own generator and arguments (its api module's pom: io.strimzi:api carries
#              no CRD files);
#   cnpg/      CloudNativePG's Cluster, from its Go module (config/crd/bases).
# Versions: STRIMZI_VERSION and CNPG_VERSION in infrastructure/versions.env. Made once per pair, outside
# the clone, as the Go tools are. Needs Maven and Java 21 or newer (Strimzi's half) and Go (CloudNativePG's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
versions=$here/../versions.env
pin() { awk -F= -v k="$1" '$1 == k {print $2}' "$versions"; }
strimzi=$(pin STRIMZI_VERSION)
cnpg=$(pin CNPG_VERSION)
dir=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/operator-crds-strimzi-$strimzi-cnpg-$cnpg
if [ -e "$dir/.built" ]; then echo "$dir"; exit 0; fi

for tool in mvn go; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "operator-crds: $tool is missing: the operators mode's CRDs need Maven and a JDK 21 or newer (Strimzi) and Go (CloudNativePG); install them (Debian: apt-get install maven golang)" >&2; exit 1; }
done
# Strimzi's generator is built for Java 21: the first java that is at least that, from JAVA_HOME, PATH or /usr/lib/jvm.
major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'; }
java=
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  [ -x "$candidate" ] && [ "$(major "$candidate")" -ge 21 ] 2>/dev/null && { java=$candidate; break; }
done
[ -n "$java" ] || { echo "operator-crds: Strimzi's CRD generator needs Java 21 or newer; found $(major "$(command -v java || echo java)" || echo none): install one (Debian trixie: openjdk-21-jdk; or set JAVA_HOME)" >&2; exit 1; }
echo "operator-crds: Strimzi $strimzi and CloudNativePG $cnpg (once, about a minute)" >&2
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/strimzi" "$dir.tmp/cnpg"

mvn -B -q -Dstyle.color=never -f "$here/operator-crds/pom.xml" -Dstrimzi.version="$strimzi" \
  dependency:copy-dependencies -DoutputDirectory="$dir.tmp/lib" >&2
model=io.strimzi.api.kafka.model
"$java" -cp "$dir.tmp/lib/*" io.strimzi.crdgenerator.CrdGenerator \
  --label app:strimzi --label strimzi.io/crd-install:true \
  --target-kube 1.16+ --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml \
  "$model.kafka.Kafka=$dir.tmp/strimzi/040-Crd-kafka.yaml" \
  "$model.connect.KafkaConnect=$dir.tmp/strimzi/041-Crd-kafkaconnect.yaml" \
  "$model.nodepool.KafkaNodePool=$dir.tmp/strimzi/045-Crd-kafkanodepool.yaml" \
  "$model.connector.KafkaConnector=$dir.tmp/strimzi/047-Crd-kafkaconnector.yaml" >&2

# Go's module cache is read-only; the file is copied out of it. `go mod download` asks the module
# proxy for this one version (the proxy here does not list CloudNativePG's versions, but serves each).
module=$(cd "$dir.tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/cloudnative-pg/cloudnative-pg@v$cnpg" | awk -F'"' '$2 == "Dir" {print $4}')
[ -n "$module" ] || { echo "operator-crds: the Go module proxy did not give github.com/cloudnative-pg/cloudnative-pg@v$cnpg" >&2; exit 1; }
cp "$module/config/crd/bases/postgresql.cnpg.io_clusters.yaml" "$dir.tmp/cnpg/"
chmod -R u+w "$dir.tmp"

rm -rf "$dir.tmp/lib"
touch "$dir.tmp/.built"
rm -rf "$dir" && mv "$dir.tmp" "$dir"
echo "$dir"
