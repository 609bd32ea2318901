#!/usr/bin/env bash
# docker-library's own image tests (official-images' test/run.sh) against the look-alikes that stand in for
# official images: Postgres, Node, Valkey (which takes the Redis tests: same commands, same data files) and
# Caddy (which has no tests of its own there),
# each with the global tests (utc, no-hard-coded-passwords, override-cmd). The suite comes from the Go
# module proxy (the repository as a module zip, pinned and checked by its SHA-256 in versions.env), so no
# GitHub access is needed; it is kept in ~/.cache/chorus once checked.
# Usage: official-tests.sh [IMAGE ...]   (no argument: the four look-alikes versions.env names)
set -euo pipefail
infra=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../pin.sh
. "$infra/pin.sh"
say() { printf 'official-tests: %s\n' "$*" >&2; }

version=$(pin OFFICIAL_IMAGES_TESTS_VERSION)
sum=$(pin OFFICIAL_IMAGES_TESTS_SHA256)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/official-images-$version
if [ ! -x "$cache/test/run.sh" ]; then
  command -v unzip >/dev/null || {
    say "unzip is needed to unpack the suite and is not installed: install it (apt-get install unzip)"
    exit 1
  }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  url="https://proxy.golang.org/github.com/docker-library/official-images/@v/$version.zip"
  curl -fsSL --retry 3 -o "$work/suite.zip" "$url" || { say "could not fetch $url (the Go module proxy)"; exit 1; }
  echo "$sum  $work/suite.zip" | sha256sum -c --quiet - || { say "$url is not the pinned suite (its SHA-256 differs)"; exit 1; }
  unzip -q "$work/suite.zip" -d "$work/x"
  # A module zip keeps no file modes and no links: the suite's scripts are made runnable again, and the
  # tests run here that are links in the repository are linked again as it has them.
  find "$work/x" -path '*/test/*' -type f -exec chmod +x {} +
  tests="$work/x/github.com/docker-library/official-images@$version/test/tests"
  ln -s ../run-node-in-container.sh "$tests/node-hello-world/run.sh"
  ln -s ../redis-basics/run.sh "$tests/redis-basics-config/real-run.sh"
  rm -rf "$cache" && mkdir -p "$(dirname "$cache")"
  mv "$work/x/github.com/docker-library/official-images@$version" "$cache"
fi

# Valkey answers to the Redis tests (the redis-* commands and data files are the same), but for the TLS
# one: it builds its certificates in an alpine image, which only a registry has.
config=$(mktemp)
trap 'rm -f "$config"' EXIT
printf '%s\n' "testAlias+=( [valkey]='redis' )" "globalExcludeTests+=( [redis_redis-basics-tls]=1 )" > "$config"

[ $# -gt 0 ] || set -- "$(pin POSTGRES_LOCAL)" "$(pin NODE_LOCAL)" "$(pin REDIS_LOCAL)" "$(pin CADDY_LOCAL)"
"$cache/test/run.sh" -c "$cache/test/config.sh" -c "$config" "$@"
