#!/usr/bin/env bash
# pg_upgrade of the data directory on the volume mounted at $VOLUME (PGDATA's own volume), from the major
# in its PG_VERSION (its server in $PGBINOLD) to this image's, in link mode: the data files are hard-linked,
# not copied, so the volume needs room for the new catalogs only. Run as root or postgres, with the server
# stopped. Until the new server first starts, the old cluster is intact: on any failure it is put back as
# it was (exit 1); with too little room it is refused before anything moves (exit 2).
# With --check it only answers whether it would run (0) or be refused (2), changing nothing.
set -euo pipefail
check=${1:-}
VOLUME=${VOLUME:-/pgvol}
say() { printf 'postgres-upgrade: %s\n' "$*" >&2; }
# Started as root (as the image's entrypoint is): the data directory becomes the postgres user's, as that
# entrypoint makes it at each start, and pg_upgrade (which refuses root) runs as that user.
if [ "$(id -u)" = 0 ] && [ "$check" != --check ]; then
  find "$VOLUME" \! -user postgres -exec chown postgres:postgres '{}' +
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
new_major=$(postgres --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
[ -f "$VOLUME/PG_VERSION" ] || { say "no PostgreSQL data directory in $VOLUME (no PG_VERSION): nothing to upgrade"; exit 2; }
old_major=$(cat "$VOLUME/PG_VERSION")
if [ "$old_major" = "$new_major" ]; then say "the data directory is PostgreSQL $new_major already"; exit 0; fi
[ "$("$PGBINOLD/postgres" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')" = "$old_major" ] || {
  say "the data directory is PostgreSQL $old_major, and this image upgrades from $("$PGBINOLD/postgres" --version)"
  exit 2
}

# Room: the new catalogs (about the old ones' size: global/ and each database's system tables) and WAL.
need_kb=$(( $(du -sk "$VOLUME/global" | cut -f1) * 4 + 256 * 1024 ))
free_kb=$(df -Pk "$VOLUME" | awk 'NR == 2 {print $4}')
if [ "$free_kb" -lt "$need_kb" ]; then
  say "refused, nothing changed: the volume has $((free_kb / 1024)) MB free and the upgrade needs about $((need_kb / 1024)) MB; free space on the volume's disk, then run it again"
  exit 2
fi
if [ "$check" = --check ]; then
  say "PostgreSQL $old_major -> $new_major can run: $((free_kb / 1024)) MB free, about $((need_kb / 1024)) MB needed"
  exit 0
fi

restore() {
  say "the upgrade failed; putting PostgreSQL $old_major's data directory back as it was"
  rm -rf "$VOLUME/new"
  [ ! -e "$VOLUME/old/global/pg_control.old" ] || mv "$VOLUME/old/global/pg_control.old" "$VOLUME/old/global/pg_control"
  find "$VOLUME/old" -mindepth 1 -maxdepth 1 -exec mv -t "$VOLUME" {} +
  rmdir "$VOLUME/old"
}
trap restore ERR

mkdir "$VOLUME/old"
chmod 700 "$VOLUME/old"
find "$VOLUME" -mindepth 1 -maxdepth 1 ! -name old -exec mv -t "$VOLUME/old" {} +
user=$(stat -c %U "$VOLUME/old/PG_VERSION")
initdb -D "$VOLUME/new" -U "${POSTGRES_USER:-postgres}" --auth=trust >/dev/null
cd "$(mktemp -d)"
# The old server starts with logical WAL: it refuses to start with a logical slot otherwise (the slots
# themselves are not carried over before PostgreSQL 17; the caller makes them again).
pg_upgrade -b "$PGBINOLD" -B "$(dirname "$(command -v postgres)")" -d "$VOLUME/old" -D "$VOLUME/new" \
  -U "${POSTGRES_USER:-postgres}" --link -s "$PWD" --old-options '-c wal_level=logical' >upgrade.log 2>&1 || {
  cat upgrade.log "$VOLUME"/new/pg_upgrade_output.d/*/log/pg_upgrade_server.log >&2 2>/dev/null
  false
}
cp "$VOLUME/old/pg_hba.conf" "$VOLUME/old/postgresql.auto.conf" "$VOLUME/new/"
trap - ERR

# The switch: the new cluster takes the volume's root; the old one's files stay in old/ until removed.
find "$VOLUME/new" -mindepth 1 -maxdepth 1 -exec mv -t "$VOLUME" {} +
rmdir "$VOLUME/new"
say "PostgreSQL $old_major -> $new_major done (owner $user); PostgreSQL $old_major's files are in old/ until removed"
