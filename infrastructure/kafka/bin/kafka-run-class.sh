#!/usr/bin/env bash
# Runs a class from the Kafka jars with the environment's JVM options, as Kafka's own script does.
set -euo pipefail
log4j=${KAFKA_LOG4J_CONFIG:-/opt/kafka/config/tools-log4j2.properties}
# JMX as Kafka's own script sets it: local attach always, a remote port with JMX_PORT.
jmx=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
if [ -n "${JMX_PORT:-}" ]; then
  jmx="$jmx -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  [[ $jmx == *-Dcom.sun.management.jmxremote.rmi.port=* ]] || jmx="$jmx -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true} \
  $jmx -Dlog4j2.configurationFile="$log4j" ${KAFKA_OPTS:-} \
  -cp "/opt/kafka/libs/*" "$@"
