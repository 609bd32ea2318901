#!/usr/bin/env bash
# Prints the path of helm (HELM_VERSION in infrastructure/versions.env). The chart's lint and
# `make k8s-check` use it; `make test` does not (it checks the chart's schema with Node alone).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/infrastructure/pin.sh"
version=$(pin HELM_VERSION)
dir=$(bash "$root/tools/go-tool.sh" helm "$version" "about 4 minutes" \
  sh -c 'GOBIN="$OUT" go install -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@$0"' "$version")
echo "$dir/helm"
