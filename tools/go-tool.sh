#!/usr/bin/env bash
# The one way a Go tool reaches this project: built from the Go module proxy with the local Go toolchain
# on first use, into a directory cached by NAME-KEY outside the clone (so a warm machine pays nothing,
# and a changed pin builds afresh), then its directory printed.
# Usage: tools/go-tool.sh NAME KEY ABOUT GO-ARGS...   (GO-ARGS run with $OUT, the directory to fill)
set -euo pipefail
name=$1 key=$2 about=$3
shift 3
dir=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/$name-$key
mkdir -p "$(dirname "$dir")"
# One build at a time: CI builds ahead in the background what a step may ask for meanwhile.
exec 9>"$dir.lock"
flock 9
if [ ! -e "$dir/.built" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "$name: not built yet, and building it needs a Go toolchain: install Go (https://go.dev/dl/)" >&2
    exit 1
  fi
  echo "$name: building $key from source ($about, once)" >&2
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  OUT=$dir.tmp CGO_ENABLED=0 GOFLAGS=-trimpath "$@" >&2
  touch "$dir.tmp/.built"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir"
