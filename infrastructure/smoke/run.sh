#!/usr/bin/env bash
# Smoke test of the container substrate. Needs the engine, the compose plugin, the env CLI and the built
# bundles (make smoke provides them). Tears everything down, pass or fail.
set -euo pipefail
cd "$(dirname "$0")"
# The third-party images, as make resolves them (present, pulled or built offline), for the Compose file.
images=$(node ../../deploy/env-cli/dist/env.cjs images --env test --print) || exit 1
while IFS= read -r line; do export "$line"; done < <(grep -E '^[A-Z_]+_IMAGE=' <<<"$images")
compose=(docker compose --ansi never --progress plain -f compose.yml)
ms() { date +%s%3N; }

cleanup() { "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup

t0=$(ms)
"${compose[@]}" up -d --wait postgres kafka kafka-connect >/dev/null 2>&1 || {
  echo "smoke: services did not become healthy" >&2
  "${compose[@]}" ps -a >&2
  "${compose[@]}" logs --tail 40 >&2
  exit 1
}
t1=$(ms)
echo "smoke: postgres, kafka and kafka-connect healthy in $((t1 - t0)) ms"

if ! "${compose[@]}" run --rm --no-deps migrate; then
  echo "smoke: migrations failed" >&2
  exit 1
fi
if ! "${compose[@]}" run --rm --no-deps setup-connector; then
  "${compose[@]}" logs --tail 60 kafka-connect >&2
  exit 1
fi
t2=$(ms)
echo "smoke: connector registered and RUNNING in $((t2 - t1)) ms"

"${compose[@]}" run --rm --no-deps smoke
t3=$(ms)
echo "smoke: insert followed to Kafka in $((t3 - t2)) ms"
echo "smoke: passed in $((t3 - t0)) ms"
