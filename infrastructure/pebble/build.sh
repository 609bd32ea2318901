#!/usr/bin/env bash
# Pebble, Let's Encrypt's ACME test server, for make tls-check: built from the Go module proxy at the version
# versions.env pins, with its own test configuration and certificates (its HTTPS listener's, and the root
# that signs them), into a cache by version outside the clone. Prints the directory that holds them:
#   <dir>/pebble                   the server (static)
#   <dir>/test/config/pebble-config.json, <dir>/test/certs/...   as the module ships them
set -euo pipefail
infra=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../pin.sh
. "$infra/pin.sh"
version=$(pin PEBBLE_VERSION)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/pebble-$version
if [ ! -x "$cache/pebble" ]; then
  command -v go >/dev/null || {
    echo "pebble: Go is needed to build Pebble $version from the Go module proxy: install it (apt-get install golang-go)" >&2
    exit 1
  }
  gopath=$(mktemp -d)
  trap 'chmod -R u+w "$gopath"; rm -rf "$gopath"' EXIT
  GOPATH=$gopath GOBIN=$gopath/bin CGO_ENABLED=0 GOFLAGS=-trimpath go install "github.com/letsencrypt/pebble/v2/cmd/pebble@$version" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  cp -R "$gopath/pkg/mod/github.com/letsencrypt/pebble/v2@$version/test" "$cache/test"
  chmod -R u+w,a+rX "$cache/test"
  mv "$gopath/bin/pebble" "$cache/pebble"
fi
echo "$cache"
