#!/usr/bin/env bash
# Runs a class from the Kafka jars with the environment's JVM options, as Kafka's own script does.
set -euo pipefail
log4j=${KAFKA_LOG4J_CONFIG:-/opt/kafka/config/tools-log4j2.properties}
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true} \
  -Dlog4j2.configurationFile="$log4j" ${KAFKA_OPTS:-} \
  -cp "/opt/kafka/libs/*" "$@"
