#!/usr/bin/env bash
# Upstream's documented start, so that a setting the Compose files leave out is missing here too:
#   - defaults for the short variables: GROUP_ID 1, OFFSET_FLUSH_INTERVAL_MS 60000, OFFSET_FLUSH_TIMEOUT_MS
#     5000, SHUTDOWN_TIMEOUT 10000, the JSON converters, REST and advertised port 8083 on the container's
#     address; each becomes its CONNECT_* variable (HEAP_OPTS becomes KAFKA_HEAP_OPTS), and CONNECT_PLUGIN_PATH
#     defaults to the plugins directory;
#   - the worker file starts as Kafka's default (config.orig), and every CONNECT_* variable replaces or adds
#     one line: the prefix dropped, lower-cased, each "_" a "." (nothing else is translated);
#   - `start` needs BOOTSTRAP_SERVERS (else 0.0.0.0:9092), GROUP_ID, CONFIG_STORAGE_TOPIC and OFFSET_STORAGE_TOPIC;
#     any other command runs as given.
set -euo pipefail
host=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
export CONNECT_BOOTSTRAP_SERVERS=${BOOTSTRAP_SERVERS:-0.0.0.0:9092}
export CONNECT_REST_PORT=${REST_PORT:-8083}
export CONNECT_REST_HOST_NAME=${REST_HOST_NAME:-${HOST_NAME:-$host}}
export CONNECT_REST_ADVERTISED_PORT=${ADVERTISED_PORT:-8083}
export CONNECT_REST_ADVERTISED_HOST_NAME=${ADVERTISED_HOST_NAME:-${HOST_NAME:-$host}}
export CONNECT_GROUP_ID=${GROUP_ID:-1}
export CONNECT_CONFIG_STORAGE_TOPIC=${CONFIG_STORAGE_TOPIC:-}
export CONNECT_OFFSET_STORAGE_TOPIC=${OFFSET_STORAGE_TOPIC:-}
[ -z "${STATUS_STORAGE_TOPIC:-}" ] || export CONNECT_STATUS_STORAGE_TOPIC=$STATUS_STORAGE_TOPIC
export CONNECT_KEY_CONVERTER=${KEY_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}
export CONNECT_VALUE_CONVERTER=${VALUE_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}
export CONNECT_TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS=${SHUTDOWN_TIMEOUT:-10000}
export CONNECT_OFFSET_FLUSH_INTERVAL_MS=${OFFSET_FLUSH_INTERVAL_MS:-60000}
export CONNECT_OFFSET_FLUSH_TIMEOUT_MS=${OFFSET_FLUSH_TIMEOUT_MS:-5000}
[ -z "${HEAP_OPTS:-}" ] || export KAFKA_HEAP_OPTS=$HEAP_OPTS
export CONNECT_PLUGIN_PATH=${CONNECT_PLUGIN_PATH:-${KAFKA_CONNECT_PLUGINS_DIR:-}}
unset HOST_NAME REST_PORT REST_HOST_NAME ADVERTISED_PORT ADVERTISED_HOST_NAME GROUP_ID OFFSET_FLUSH_INTERVAL_MS \
  OFFSET_FLUSH_TIMEOUT_MS SHUTDOWN_TIMEOUT KEY_CONVERTER VALUE_CONVERTER HEAP_OPTS

if [ "${1:-}" != start ]; then exec "$@"; fi
for var in CONNECT_GROUP_ID CONNECT_CONFIG_STORAGE_TOPIC CONNECT_OFFSET_STORAGE_TOPIC; do
  if [ -z "${!var}" ]; then
    echo "The ${var#CONNECT_} variable must be set to start Kafka Connect." >&2
    exit 1
  fi
done

props=$KAFKA_HOME/config/connect-distributed.properties
cp -n "$KAFKA_HOME"/config.orig/* "$KAFKA_HOME/config/"
while IFS='=' read -r name value; do
  key=$(tr '[:upper:]_' '[:lower:].' <<<"${name#CONNECT_}")
  # A line for the key, set or commented out, is replaced; otherwise one is added.
  if grep -Eq "^#?${key//./\\.}=" "$props"; then
    KEY=$key VALUE=$value awk -F= 'BEGIN { OFS = "=" } { k = $1; sub(/^#/, "", k) } k == ENVIRON["KEY"] { print k, ENVIRON["VALUE"]; next } { print }' "$props" > "$props.new"
    mv "$props.new" "$props"
  else
    printf '%s=%s\n' "$key" "$value" >> "$props"
  fi
done < <(env | grep -E '^CONNECT_[A-Za-z0-9_]+=' | grep -v '^CONNECT_LOG4J')
exec "$KAFKA_HOME/bin/connect-distributed.sh" "$props"
