#!/usr/bin/env bash
# Writes the distributed worker's properties from the environment, then starts Kafka Connect.
set -euo pipefail
if [ "${1:-start}" != start ]; then exec "$@"; fi

missing=()
for var in BOOTSTRAP_SERVERS CONFIG_STORAGE_TOPIC OFFSET_STORAGE_TOPIC STATUS_STORAGE_TOPIC; do
  [ -n "${!var:-}" ] || missing+=("$var")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: set ${missing[*]} to start Kafka Connect" >&2
  exit 1
fi

props=/tmp/connect-distributed.properties
{
  echo "bootstrap.servers=$BOOTSTRAP_SERVERS"
  echo "group.id=${GROUP_ID:-1}"
  echo "config.storage.topic=$CONFIG_STORAGE_TOPIC"
  echo "offset.storage.topic=$OFFSET_STORAGE_TOPIC"
  echo "status.storage.topic=$STATUS_STORAGE_TOPIC"
  echo "config.storage.replication.factor=${CONFIG_STORAGE_REPLICATION_FACTOR:-1}"
  echo "offset.storage.replication.factor=${OFFSET_STORAGE_REPLICATION_FACTOR:-1}"
  echo "status.storage.replication.factor=${STATUS_STORAGE_REPLICATION_FACTOR:-1}"
  echo "key.converter=${KEY_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}"
  echo "value.converter=${VALUE_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}"
  echo "offset.flush.interval.ms=${OFFSET_FLUSH_INTERVAL_MS:-60000}"
  echo "listeners=http://0.0.0.0:${REST_PORT:-8083}"
  echo "rest.advertised.host.name=${ADVERTISED_HOST_NAME:-$(hostname -i | awk '{print $1}')}"
  echo "rest.advertised.port=${ADVERTISED_PORT:-8083}"
  echo "plugin.path=/kafka/connect"
  /opt/kafka/bin/env-to-properties.sh CONNECT
} > "$props"

export KAFKA_LOG4J_CONFIG=/opt/kafka/config/log4j2.properties
export KAFKA_HEAP_OPTS=${HEAP_OPTS:--Xms256M -Xmx2G}
exec /opt/kafka/bin/kafka-run-class.sh org.apache.kafka.connect.cli.ConnectDistributed "$props"
