#!/usr/bin/env bash
# Builds, without pulling, the third-party images the Compose files name. Each image carries a label with
# the hash of its inputs (build context and base image) and is rebuilt only when that hash changes.
set -euo pipefail
infra=$(cd "$(dirname "$0")/.." && pwd)
export DOCKER_BUILDKIT=0 # the engine's own builder: no buildx plugin needed

# Names the upstream images that the Compose files use, so that they run here unedited.
DEBIAN=chorus/debian:bookworm
POSTGRES=postgres:15-bookworm
REDIS=redis:7.0-bookworm
KAFKA=apache/kafka:3.9.0
CONNECT=quay.io/debezium/connect:3.0.8.Final
NODE=node:18-bookworm-slim

label() { docker image inspect --format '{{ index .Config.Labels "chorus.inputs" }}' "$1" 2>/dev/null || true; }
hash_dir() { (cd "$1" && find . -type f ! -name '.*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32); }

# build_image TAG CONTEXT BASE_TAG [BUILD_ARG]
build_image() {
  local tag=$1 context=$2 base=$3 arg=${4:-BASE}
  local inputs
  inputs=$( { hash_dir "$context"; docker image inspect --format '{{.Id}}' "$base"; } | sha256sum | cut -c1-32)
  if [ "$(label "$tag")" = "$inputs" ]; then
    echo "image $tag: up to date"
    return
  fi
  local started=$SECONDS
  docker build -q --build-arg "$arg=$base" --label "chorus.inputs=$inputs" -t "$tag" "$context" >/dev/null
  echo "image $tag: built in $((SECONDS - started))s"
}

# maven_fetch DIR: the jars a pom lists, into DIR/target, when the pom changed.
maven_fetch() {
  local dir=$1 stamp=$1/target/.pom.sha256 sum
  sum=$(sha256sum "$dir/pom.xml" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then return; fi
  if ! command -v mvn >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "error: Maven (mvn) is needed to fetch the Kafka and Debezium jars: install it (apt-get install maven)" >&2
      exit 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  fi
  rm -rf "$dir/target"
  mvn -q -B -f "$dir/pom.xml" dependency:copy-dependencies
  echo "$sum" > "$stamp"
}

debian_inputs=$(sha256sum "$infra/images/debian/build.sh" | cut -c1-32)
if [ "$(label "$DEBIAN")" != "$debian_inputs" ]; then
  started=$SECONDS
  bash "$infra/images/debian/build.sh" "$DEBIAN" "chorus.inputs=$debian_inputs" >/dev/null
  echo "image $DEBIAN: built in $((SECONDS - started))s"
else
  echo "image $DEBIAN: up to date"
fi

maven_fetch "$infra/kafka"
maven_fetch "$infra/debezium"

build_image "$POSTGRES" "$infra/postgres" "$DEBIAN"
build_image "$REDIS" "$infra/redis" "$DEBIAN"
build_image "$NODE" "$infra/node" "$DEBIAN"
build_image "$KAFKA" "$infra/kafka" "$DEBIAN"
build_image "$CONNECT" "$infra/debezium" "$KAFKA" KAFKA_IMAGE
