#!/usr/bin/env bash
# Mailpit, an SMTP server (MIT) that keeps what it receives and shows it over an HTTP API, for make
# alert-check: it stands in for the mail server alert mail goes to. Built from the Go module proxy at the
# version versions.env pins (tools/go-tool.sh). Prints the directory that holds it: <dir>/mailpit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../pin.sh
. "$root/infrastructure/pin.sh"
version=$(pin MAILPIT_VERSION)
bash "$root/tools/go-tool.sh" mailpit "$version" "about 3 minutes" \
  sh -c 'GOBIN="$OUT" go install "github.com/axllent/mailpit@$0"' "$version"
