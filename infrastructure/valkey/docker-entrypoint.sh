#!/usr/bin/env bash
# As the upstream image's entrypoint: a first argument that is an option or a .conf file means valkey-server;
# the server drops to the valkey user; VALKEY_EXTRA_FLAGS are appended. Upstream builds Valkey with protected
# mode off by default, so that other containers can connect; Debian's build has it on, so the same default is
# given here in a place the user's own config file and options still override.
set -euo pipefail
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- valkey-server "$@"; fi
if [ "$1" = valkey-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user valkey -exec chown valkey '{}' +
  exec setpriv --reuid=valkey --regid=valkey --clear-groups -- "$0" "$@"
fi
if [ "$1" = valkey-server ]; then
  if [ ! -w . ]; then
    echo >&2 "error: directory is not writable by current user ($(id -u))"
    echo >&2 "  Check mount permissions or run as root to allow chown"
    exit 1
  fi
  shift
  if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    # A config file first: the default goes in a wrapper that includes it, so the file's lines win.
    wrapper=$(mktemp /tmp/valkey.XXXXXX.conf)
    printf 'protected-mode no\ninclude %s\n' "$(readlink -f "$1")" > "$wrapper"
    shift
    set -- valkey-server "$wrapper" "$@"
  else
    set -- valkey-server --protected-mode no "$@"
  fi
fi
[ "$(umask)" != 0022 ] || umask 0077
# shellcheck disable=SC2086 # split as upstream does
exec "$@" ${VALKEY_EXTRA_FLAGS:-}
