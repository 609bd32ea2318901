#!/usr/bin/env bash
# Versity S3 Gateway, an S3-compatible object store (Apache-2.0) on a plain directory, for make disaster-drill:
# it stands in for the object storage off the host that prod's backups go to. Built from the Go module proxy at
# the version versions.env pins, into a cache by version outside the clone. Prints the directory that holds it:
#   <dir>/versitygw   the server (static)
set -euo pipefail
infra=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../pin.sh
. "$infra/pin.sh"
version=$(pin VERSITYGW_VERSION)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/versitygw-$version
if [ ! -x "$cache/versitygw" ]; then
  command -v go >/dev/null || {
    echo "object-store: Go is needed to build Versity S3 Gateway $version from the Go module proxy: install it (apt-get install golang-go)" >&2
    exit 1
  }
  gopath=$(mktemp -d)
  trap 'chmod -R u+w "$gopath"; rm -rf "$gopath"' EXIT
  echo "object-store: building Versity S3 Gateway $version (once per version, about 3 minutes)" >&2
  GOPATH=$gopath GOBIN=$gopath/bin CGO_ENABLED=0 GOFLAGS=-trimpath go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
  mkdir -p "$cache"
  mv "$gopath/bin/versitygw" "$cache/versitygw.new" && mv "$cache/versitygw.new" "$cache/versitygw"
fi
echo "$cache"
