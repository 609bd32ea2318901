#!/usr/bin/env bash
# Prints the path of the distribution registry binary, built from its Go module (pinned in go.mod) and
# cached by the module's checksums. Only the pull-path check uses it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "require" && $2 == "github.com/distribution/distribution/v3" {print $3}' "$here/go.mod")
key=$version-$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
dir=$(cd "$here" && bash ../../tools/go-tool.sh registry "$key" "a minute or two" \
  sh -c 'go build -ldflags "-s -w" -o "$OUT/registry" github.com/distribution/distribution/v3/cmd/registry')
echo "$dir/registry"
