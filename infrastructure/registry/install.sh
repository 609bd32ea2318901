#!/usr/bin/env bash
# Prints the path of the distribution registry binary, built once from its Go module (pinned in go.mod)
# with the local Go toolchain and cached by the module's checksums. Only the pull-path check uses it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "registry: building the distribution registry needs a Go toolchain (https://go.dev/dl/); none is installed" >&2
  exit 1
fi
version=$(awk '$1 == "require" && $2 == "github.com/distribution/distribution/v3" {print $3}' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
bin=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/registry-$version-$key
if [ ! -x "$bin" ]; then
  echo "registry: building distribution $version from source (a minute or two, once)" >&2
  mkdir -p "$(dirname "$bin")"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin.tmp" github.com/distribution/distribution/v3/cmd/registry)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
