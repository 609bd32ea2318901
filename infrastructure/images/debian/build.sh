#!/usr/bin/env bash
# Builds the offline base image, Debian SUITE (versions.env's DEBIAN_SUITE), with debootstrap and `docker import`:
# no registry needed.
# Needs root (debootstrap and chroot) and a Debian host whose apt mirror it uses.
# The mirror is the host's own apt mirror, so the image installs packages the way the host does.
set -euo pipefail
tag=${1:?usage: build.sh TAG SUITE [LABEL=VALUE]}
suite=${2:?usage: build.sh TAG SUITE [LABEL=VALUE]}
label=${3:-}

mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
if [ -z "$mirror" ]; then
  echo "error: building the offline images needs a Debian host (its apt mirror), and none was found in /etc/apt/sources*; on another system, let make pull the upstream images from a registry instead (CHORUS_IMAGES=pull)" >&2
  exit 1
fi
# Security updates come from the host's security mirror if it has one, else Debian's own.
security=$(awk '/^URIs:/ && $2 ~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$security" ] || security=$(awk '$1 == "deb" && $3 ~ /-security$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$security" ] || security=http://deb.debian.org/debian-security
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

root=$(mktemp -d /var/tmp/chorus-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >/dev/null
cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
# Keep images small: no docs, no apt caches.
cat > "$root/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'DPKG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
echo 'APT::Install-Recommends "false"; APT::Install-Suggests "false";' > "$root/etc/apt/apt.conf.d/01-norecommends"
# The base carries the release's security updates from the day it is built.
cp /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' ${label:+--change "LABEL $label"} - "$tag" >/dev/null
echo "built $tag"
