#!/usr/bin/env bash
# Provides `docker compose` (v2). Any plugin Docker already finds is used: the user's own
# (~/.docker/cli-plugins) or a system-wide one (/usr/local/lib/docker/cli-plugins, /usr/lib/docker/cli-plugins,
# as Docker Desktop and the docker-compose-plugin package install it). Only when none is found, the plugin
# is built from its Go module with the local Go toolchain, cached by the module's checksums, and installed
# system-wide when root (so every user of the docker group finds it), else for this user.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then
  plugins=/usr/local/lib/docker/cli-plugins
else
  plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
fi

system_dirs=(/usr/local/lib/docker/cli-plugins /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins)
if [ "$(id -u)" = 0 ]; then
  # Root provides it for everyone: a plugin only in root's own home is not enough.
  for dir in "${system_dirs[@]}"; do [ -x "$dir/docker-compose" ] && exit 0; done
elif docker compose version >/dev/null 2>&1; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "docker compose: the v2 plugin is missing (docker compose version failed) and there is no Go toolchain to build it; install Docker's docker-compose-plugin package, or Docker Desktop, which includes it" >&2
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
# A copy, not a link: the cache may sit in a home other users cannot read.
install -m 0755 "$cache" "$plugins/docker-compose.tmp"
mv "$plugins/docker-compose.tmp" "$plugins/docker-compose"
docker compose version >&2
