#!/usr/bin/env bash
# Kafka's own Docker sanity suite (apache/kafka's docker/test) against a Kafka image, usually the look-alike:
# two clusters (combined and isolated KRaft modes), each with a broker metrics (JMX), an SSL, a file-input
# and a restart flow. Its fixtures are brought to Kafka 4.x first: a controller-only node takes no
# inter-broker listener, and the console tools take 4.x's options. The tools the suite expects from a
# Kafka distribution run from the image under test, on the host's network; ports bind to 127.0.0.1.
# Usage: sanity.sh <apache/kafka checkout> <image>     Needs python3 (venv) and PyPI for the suite's runner.
set -euo pipefail
kafka=${1:?usage: sanity.sh <apache/kafka checkout> <image>}
image=${2:?usage: sanity.sh <apache/kafka checkout> <image>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$kafka/docker/test" "$work/test"
mkdir -p "$work/run/fixtures/kafka/bin" "$work/shim"
cp -r "$work/test/fixtures/." "$work/run/fixtures/"
chmod -R a+rX "$work"

# 4.x: options renamed (the old ones print a deprecation line that the suite reads as the message).
sed -i -e 's/"--producer.config"/"--command-config"/g; s/"--consumer.config"/"--command-config"/g' \
  -e 's/"--property", "auto.offset.reset=earliest"/"--command-property", "auto.offset.reset=earliest"/g' \
  -e 's/"--property", "client.id=host"/"--command-property", "client.id=host"/g' \
  -e "s/KAFKA_CONSOLE_PRODUCER}\", \"--topic\", topic, \"--property\", \"'parse.key=true'\", \"--property\"/KAFKA_CONSOLE_PRODUCER}\", \"--topic\", topic, \"--reader-property\", \"'parse.key=true'\", \"--reader-property\"/" \
  -e "s/KAFKA_CONSOLE_CONSUMER}\", \"--topic\", topic, \"--property\", \"'print.key=true'\", \"--property\"/KAFKA_CONSOLE_CONSUMER}\", \"--topic\", topic, \"--formatter-property\", \"'print.key=true'\", \"--formatter-property\"/" \
  "$work/test/docker_sanity_test.py"
# 4.x: a controller-only node has no inter-broker listener.
sed -i "/KAFKA_INTER_BROKER_LISTENER_NAME: 'CONTROLLER'/d" "$work/run/fixtures/mode/isolated/docker-compose.yml"
# Test traffic stays on this machine.
sed -i -E 's/^(\s*- )"([0-9]+:[0-9]+)"/\1"127.0.0.1:\2"/' "$work/run/fixtures/mode/"*/docker-compose.yml

for tool in kafka-topics.sh kafka-console-producer.sh kafka-console-consumer.sh kafka-run-class.sh; do
  printf '#!/usr/bin/env bash\nexec docker run --rm -i --network host -v %s:%s -w %s -e KAFKA_HEAP_OPTS=-Xmx256m %s /opt/kafka/bin/%s "$@"\n' \
    "$work/run" "$work/run" "$work/run" "$image" "$tool" > "$work/run/fixtures/kafka/bin/$tool"
  chmod +x "$work/run/fixtures/kafka/bin/$tool"
done
printf '#!/usr/bin/env bash\nexec docker compose "$@"\n' > "$work/shim/docker-compose"
chmod +x "$work/shim/docker-compose"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q HTMLTestRunner-Python3 requests
cd "$work"
PATH="$work/shim:$PATH" "$work/venv/bin/python" - "$image" "$work/run" <<'PY'
import sys, unittest
import test.docker_sanity_test as t
t.DockerSanityTest.IMAGE, t.DockerSanityTest.FIXTURES_DIR = sys.argv[1], sys.argv[2]
loader = unittest.TestLoader()
suite = unittest.TestSuite(loader.loadTestsFromTestCase(c) for c in (t.DockerSanityTestCombinedMode, t.DockerSanityTestIsolatedMode))
result = unittest.TextTestRunner(verbosity=2).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
PY
