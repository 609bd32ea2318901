#!/usr/bin/env bash
# Prints the path of actionlint, the GitHub Actions workflow linter, building it from its Go module with
# the local Go toolchain on first use; cached by version, so a warm machine pays nothing.
set -euo pipefail
version=v1.7.12
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/actionlint-$version
if [ ! -x "$cache/actionlint" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "actionlint: not built yet, and there is no Go toolchain to build it; install Go (golang-go)" >&2
    exit 1
  fi
  echo "actionlint: building $version from source (once)" >&2
  mkdir -p "$cache"
  GOBIN="$cache" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
fi
echo "$cache/actionlint"
