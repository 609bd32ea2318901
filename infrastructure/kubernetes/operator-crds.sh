#!/usr/bin/env bash
# Prints a directory holding the CRDs the chart's `operators` mode is validated against (make k8s-check):
#   strimzi/   Kafka, KafkaNodePool, KafkaConnect, KafkaConnector, generated from Strimzi's Maven artifacts;
#   cnpg/      CloudNativePG's Cluster, from its Go module.
# Versions: STRIMZI_VERSION and CNPG_VERSION in infrastructure/versions.env. Made once per pair and cached
# outside the clone by tools/go-tool.sh, as the Go tools are (operator-crds/build.sh makes them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../pin.sh
source "$here/../pin.sh"
strimzi=$(pin STRIMZI_VERSION)
cnpg=$(pin CNPG_VERSION)
bash "$here/../../tools/go-tool.sh" operator-crds "strimzi-$strimzi-cnpg-$cnpg" "about a minute" \
  bash "$here/operator-crds/build.sh" "$strimzi" "$cnpg"
