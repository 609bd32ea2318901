#!/usr/bin/env bash
# Fills $OUT with the operators' CRDs (see ../operator-crds.sh, which caches the result):
#   strimzi/   generated with Strimzi's own generator and arguments (its api module's pom: io.strimzi:api
#              carries no CRD files), so it needs Maven and Java 21 or newer;
#   cnpg/      copied from CloudNativePG's Go module (config/crd/bases).
# Usage: OUT=<dir> build.sh STRIMZI_VERSION CNPG_VERSION
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
strimzi=$1 cnpg=$2
command -v mvn >/dev/null 2>&1 ||
  { echo "operator-crds: mvn is missing: Strimzi's CRDs are generated from its Maven artifacts; install Maven and a JDK 21 or newer (Debian: apt-get install maven)" >&2; exit 1; }
# Strimzi's generator is built for Java 21: the first java that is at least that, from JAVA_HOME, PATH or /usr/lib/jvm.
major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'; }
java=
for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  [ -x "$candidate" ] && [ "$(major "$candidate")" -ge 21 ] 2>/dev/null && { java=$candidate; break; }
done
[ -n "$java" ] || { echo "operator-crds: Strimzi's CRD generator needs Java 21 or newer; found $(major "$(command -v java || echo java)" || echo none): install one (Debian trixie: openjdk-21-jdk; or set JAVA_HOME)" >&2; exit 1; }
mkdir -p "$OUT/strimzi" "$OUT/cnpg"
lib=$(mktemp -d)
trap 'rm -rf "$lib"' EXIT

mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -Dstrimzi.version="$strimzi" dependency:copy-dependencies -DoutputDirectory="$lib"
model=io.strimzi.api.kafka.model
"$java" -cp "$lib/*" io.strimzi.crdgenerator.CrdGenerator \
  --label app:strimzi --label strimzi.io/crd-install:true \
  --target-kube 1.16+ --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml \
  "$model.kafka.Kafka=$OUT/strimzi/040-Crd-kafka.yaml" \
  "$model.connect.KafkaConnect=$OUT/strimzi/041-Crd-kafkaconnect.yaml" \
  "$model.nodepool.KafkaNodePool=$OUT/strimzi/045-Crd-kafkanodepool.yaml" \
  "$model.connector.KafkaConnector=$OUT/strimzi/047-Crd-kafkaconnector.yaml"

# `go mod download` asks the module proxy for this one version (the proxy here does not list CloudNativePG's
# versions, but serves each); the file is copied out of Go's read-only module cache.
module=$(cd "$lib" && GOFLAGS=-mod=mod go mod download -json "github.com/cloudnative-pg/cloudnative-pg@v$cnpg" | awk -F'"' '$2 == "Dir" {print $4}')
[ -n "$module" ] || { echo "operator-crds: the Go module proxy did not give github.com/cloudnative-pg/cloudnative-pg@v$cnpg" >&2; exit 1; }
cp "$module/config/crd/bases/postgresql.cnpg.io_clusters.yaml" "$OUT/cnpg/"
chmod -R u+w "$OUT"
