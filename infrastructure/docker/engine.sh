#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs Debian's docker.io if needed and starts dockerd.
# Safe to run twice. Copes with a dockerd that died and left its pid file or socket behind.
set -euo pipefail

log=/var/log/chorus-dockerd.log
say() { printf 'docker engine: %s\n' "$*" >&2; }
# A process that is running, not a zombie left by a killed parent.
running() { [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
dockerd_running() { local pid; for pid in $(pgrep -x dockerd); do running "$pid" && return 0; done; return 1; }

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    say "not installed, and installing it needs root: install Docker (https://docs.docker.com/engine/install/) and start it"
    exit 1
  fi
  say "installing Debian's docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  say "dockerd is installed but not answering, and starting it needs root: run 'sudo systemctl start docker' (or this script as root)"
  exit 1
fi

# A killed dockerd leaves its pid files and socket; a live one would have answered above.
for pidfile in /var/run/docker.pid /run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ] && ! running "$(cat "$pidfile")"; then
    say "removing stale $pidfile"
    rm -f "$pidfile"
  fi
done
if [ -S /var/run/docker.sock ] && ! dockerd_running; then
  rm -f /var/run/docker.sock
fi

if ! dockerd_running; then
  say "starting dockerd (log: $log)"
  nohup dockerd >"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    say "ready ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  if ! dockerd_running; then break; fi
  sleep 0.5
done

say "dockerd did not come up. Last lines of $log:"
tail -n 20 "$log" >&2 || true
exit 1
