#!/usr/bin/env bash
# The chart's checks that need helm itself (built from source once, tools/helm/install.sh): `helm lint`
# with the chart's values, the scale values and the operators mode, the templates rendered (the operators
# mode's connector from files/connector.yaml, which setup-connector wrote), and a broken values file refused
# by the schema with the reason named. CI runs it; make k8s-check also dry-runs the manifests
# on a real API server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chart=$here/chorus
helm=$(bash "$here/../../tools/helm/install.sh")
# Rendered for the cluster release the project tests on (helm's own default is far older).
source "$here/../../infrastructure/pin.sh"
kube=$(pin KUBERNETES_VERSION)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scale=(--set bundled.kafka.replicas=3 --set bundled.connect.replicas=2 --set processor.replicas=4 --set stream.partitions=4)

"$helm" lint --strict "$chart" --kube-version "$kube"
"$helm" lint --strict "$chart" --kube-version "$kube" "${scale[@]}"
"$helm" template ci "$chart" --kube-version "$kube" >"$work/default.yaml"
"$helm" template ci "$chart" --kube-version "$kube" "${scale[@]}" >"$work/scale.yaml"
echo "chart: rendered $(grep -c '^kind:' "$work/default.yaml") resources, $(grep -c '^kind:' "$work/scale.yaml") with three brokers"
grep -q '0@ci-kafka-0.ci-kafka-headless:9093,1@ci-kafka-1.ci-kafka-headless:9093,2@ci-kafka-2.ci-kafka-headless:9093' "$work/scale.yaml" ||
  { echo "chart: FAIL: three brokers do not form a three-voter quorum" >&2; exit 1; }

# The operators mode: linted, and rendered with the connector setup-connector prints.
operators=(--set mode=operators --set operators.connect.image=registry.example/chorus/connect:1)
"$helm" lint --strict "$chart" --kube-version "$kube" "${operators[@]}"
"$helm" template ci "$chart" --kube-version "$kube" "${operators[@]}" >"$work/operators.yaml"
echo "chart: rendered $(grep -c '^kind:' "$work/operators.yaml") resources in operators mode: $(grep '^kind:' "$work/operators.yaml" | grep -E 'Kafka|Cluster' | sed 's/kind: //' | tr '\n' ' ')"
npx --no-install tsx "$here/connector-config.ts" --check
grep -A40 '^kind: KafkaConnector' "$work/operators.yaml" | grep -qF 'slot.name: chorus_prod' ||
  { echo "chart: FAIL: the KafkaConnector does not carry setup-connector's slot for prod" >&2; exit 1; }
if out=$("$helm" template ci "$chart" --kube-version "$kube" --set mode=operators 2>&1); then
  echo "chart: FAIL: operators mode rendered without Connect's image" >&2
  exit 1
fi
grep -qF "/operators/connect/image" <<<"$out" || { echo "$out" >&2; echo "chart: FAIL: the refusal does not name operators.connect.image" >&2; exit 1; }

# A values file with a misspelt key and a replica count as text: helm must refuse it, and say where.
printf 'processor:\n  replica: 2\nweb:\n  replicas: "2"\n' >"$work/broken.yaml"
if out=$("$helm" template ci "$chart" --kube-version "$kube" -f "$work/broken.yaml" 2>&1); then
  echo "chart: FAIL: helm rendered the chart with a broken values file" >&2
  exit 1
fi
for expected in "additional properties 'replica' not allowed" "/web/replicas"; do
  grep -qF "$expected" <<<"$out" || { echo "$out" >&2; echo "chart: FAIL: helm's refusal does not name: $expected" >&2; exit 1; }
done
echo "chart: a broken values file is refused:"
sed 's/^/  /' <<<"$out"
