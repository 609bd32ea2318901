# Sourced by every shell script that needs a pinned version: `pin KEY` prints KEY's value from
# infrastructure/versions.env (the one place versions are written), or fails naming the key.
pin() {
  local file value
  file="$(dirname "${BASH_SOURCE[0]}")/versions.env"
  value=$(awk -F= -v k="$1" '$1 == k {print $2; found = 1} END {exit !found}' "$file") || {
    echo "$1 is not set in infrastructure/versions.env: add it there" >&2
    return 1
  }
  printf '%s\n' "$value"
}
