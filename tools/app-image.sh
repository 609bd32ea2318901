#!/usr/bin/env bash
# Builds one app image from its bundle on the Node runtime image that make resolved (NODE_IMAGE: the
# upstream node image or its offline look-alike). Usage: tools/app-image.sh REPOSITORY DOCKERFILE CONTEXT
# The tag is CHORUS_APP_TAG: `local` for prod and dev, the run's own for a test run (so that two checkouts'
# runs never swap images).
set -euo pipefail
tag="$1:${CHORUS_APP_TAG:-local}" dockerfile=$2 context=$3
if [ -z "${NODE_IMAGE:-}" ]; then
  echo "app-image: NODE_IMAGE is not set. Build app images through make (make run-dev, make test), which resolves the Node image, or set NODE_IMAGE to one that is on this machine." >&2
  exit 2
fi
iid=$(mktemp)
trap 'rm -f "$iid"' EXIT
# The legacy builder (no buildx needed); its deprecation notice is noise. An app image is no look-alike,
# even on a look-alike base: that label is cleared, and the Node image it runs on is named instead.
DOCKER_BUILDKIT=0 docker build -q --iidfile "$iid" --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "POSTGRES_IMAGE=${POSTGRES_IMAGE:-}" --build-arg "PROMETHEUS_IMAGE=${PROMETHEUS_IMAGE:-}" --build-arg "CADDY_IMAGE=${CADDY_IMAGE:-}" --build-arg "PGBACKREST_VERSION=${PGBACKREST_VERSION:-}" --build-arg "CHORUS_APP_TAG=${CHORUS_APP_TAG:-local}" --label "org.chorus.node-image=$NODE_IMAGE" \
  --label org.chorus.lookalike-of= --label org.chorus.inputs= \
  -t "$tag" -f "$dockerfile" "$context" 2>&1 >/dev/null | grep -v -e DEPRECATED -e BuildKit -e buildx -e environment-variable -e '^\s*$' >&2 || true
[ -s "$iid" ] || { echo "app-image: building $tag failed (see above)" >&2; exit 1; }
