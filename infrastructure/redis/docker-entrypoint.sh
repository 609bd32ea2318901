#!/usr/bin/env bash
# As the upstream image's entrypoint: `redis-server [config-file] [--options]`, a first argument that is an
# option or a .conf file means redis-server, and the server drops to the redis user. Upstream builds Redis
# with protected mode off by default, so that other containers can connect; Debian's build has it on, so
# the same default is given here in a place the user's own config file and options still override.
set -euo pipefail
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = redis-server ]; then
  shift
  if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    # A config file first: the default goes in a wrapper that includes it, so the file's lines win.
    wrapper=$(mktemp /tmp/redis.XXXXXX.conf)
    printf 'protected-mode no\ninclude %s\n' "$(readlink -f "$1")" > "$wrapper"
    shift
    set -- redis-server "$wrapper" "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
fi
umask 0077
exec "$@"
