#!/usr/bin/env bash
# Provides `docker compose` (v2). Builds the CLI plugin from its Go module with the local Go toolchain
# when no plugin is installed; the build is cached by the module's checksums, so a warm machine pays nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins

if docker compose version >/dev/null 2>&1; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "docker compose: the v2 plugin is missing and there is no Go toolchain to build it; install docker-compose-plugin" >&2
  exit 1
fi

version=$(awk '$1 == "require" && $2 == "github.com/docker/compose/v2" {print $3}' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/docker-compose-$version-$key
if [ ! -x "$cache" ]; then
  echo "docker compose: building the $version plugin from source (a few minutes, once)" >&2
  mkdir -p "$(dirname "$cache")"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
    -o "$cache.tmp" github.com/docker/compose/v2/cmd)
  mv "$cache.tmp" "$cache"
fi
mkdir -p "$plugins"
ln -sf "$cache" "$plugins/docker-compose"
docker compose version >&2
