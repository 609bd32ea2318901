#!/usr/bin/env bash
# Versity S3 Gateway, an S3-compatible object store (Apache-2.0) on a plain directory, for make disaster-drill:
# it stands in for the object storage off the host that prod's backups go to. Built from the Go module proxy at
# the version versions.env pins (tools/go-tool.sh). Prints the directory that holds it: <dir>/versitygw.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../pin.sh
. "$root/infrastructure/pin.sh"
version=$(pin VERSITYGW_VERSION)
bash "$root/tools/go-tool.sh" versitygw "$version" "about 3 minutes" \
  sh -c 'GOBIN="$OUT" go install "github.com/versity/versitygw/cmd/versitygw@$0"' "$version"
