#!/usr/bin/env bash
# Prints PREFIX_* environment variables as properties, by the upstream images' rule:
# strip the prefix, lower-case, "___" -> "-", "__" -> "_", "_" -> ".".  Usage: env-to-properties.sh PREFIX [EXCLUDED...]
set -euo pipefail
prefix=$1; shift
excluded=" $* "
{ env | grep -E "^${prefix}_[A-Z0-9_]+=" || true; } | sort | while IFS='=' read -r name value; do
  case "$excluded" in *" $name "*) continue ;; esac
  key=${name#"${prefix}"_}
  key=$(printf '%s' "$key" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  printf '%s=%s\n' "$key" "$value"
done
