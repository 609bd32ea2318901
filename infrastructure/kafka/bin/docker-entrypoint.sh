#!/usr/bin/env bash
# Writes server.properties from the defaults and KAFKA_* variables, formats the KRaft log dir once, starts the broker.
set -euo pipefail
if [ $# -gt 0 ]; then exec "$@"; fi
props=/tmp/server.properties
declare -A merged
while IFS='=' read -r key value; do
  [ -n "$key" ] && [ "${key:0:1}" != '#' ] && merged[$key]=$value
done < <(cat /opt/kafka/config/server.properties; /opt/kafka/bin/env-to-properties.sh KAFKA \
  KAFKA_HEAP_OPTS KAFKA_JVM_PERFORMANCE_OPTS KAFKA_OPTS KAFKA_LOG4J_OPTS KAFKA_LOG4J_CONFIG KAFKA_GC_LOG_OPTS KAFKA_JMX_OPTS)
: > "$props"
for key in "${!merged[@]}"; do printf '%s=%s\n' "$key" "${merged[$key]}" >> "$props"; done

cluster_id=${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}
log_dirs=${merged[log.dirs]}
if [ ! -f "${log_dirs%%,*}/meta.properties" ]; then
  /opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$cluster_id" -c "$props" >/dev/null
fi
exec /opt/kafka/bin/kafka-server-start.sh "$props"
