#!/usr/bin/env bash
# Kafka Connect's distributed worker, with the JVM options Kafka's own script reads from the environment.
set -euo pipefail
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$KAFKA_HOME/config/log4j2.properties} ${KAFKA_JMX_OPTS:-} ${KAFKA_OPTS:-} \
  -cp "$KAFKA_HOME/libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$@"
