#!/usr/bin/env bash
# Prints the path of actionlint, the GitHub Actions workflow linter.
set -euo pipefail
version=v1.7.12
dir=$(bash "$(dirname "$0")/../go-tool.sh" actionlint "$version" "a minute" \
  sh -c 'GOBIN="$OUT" go install "github.com/rhysd/actionlint/cmd/actionlint@$0"' "$version")
echo "$dir/actionlint"
