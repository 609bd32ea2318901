#!/usr/bin/env bash
# Builds chorus/browser:local (Dockerfile beside this file) on NODE_IMAGE, the Node image make resolved;
# rebuilt only when the Dockerfile or the base image changed. Containers reach Debian's mirror for chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tag=chorus/browser:local
if [ -z "${NODE_IMAGE:-}" ]; then
  echo "browser image: NODE_IMAGE is not set. Build it through make (make test-images), which resolves the Node image." >&2
  exit 2
fi
inputs=$( { sha256sum <"$here/Dockerfile"; docker image inspect --format '{{.Id}}' "$NODE_IMAGE"; } | sha256sum | cut -c1-32)
if [ "$(docker image inspect --format '{{ index .Config.Labels "org.chorus.inputs" }}' "$tag" 2>/dev/null)" = "$inputs" ]; then exit 0; fi
started=$SECONDS
iid=$(mktemp)
trap 'rm -f "$iid"' EXIT
DOCKER_BUILDKIT=0 docker build -q --iidfile "$iid" --build-arg "NODE_IMAGE=$NODE_IMAGE" --label "org.chorus.inputs=$inputs" -t "$tag" "$here" 2>&1 >/dev/null \
  | grep -v -e DEPRECATED -e BuildKit -e buildx -e environment-variable -e '^\s*$' >&2 || true
[ -s "$iid" ] || { echo "browser image: building $tag failed (see above)" >&2; exit 1; }
echo "browser image: $tag built in $((SECONDS - started))s on $NODE_IMAGE" >&2
