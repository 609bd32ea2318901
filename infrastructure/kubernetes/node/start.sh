#!/usr/bin/env bash
# A node container's first process: makes the container look like a machine to the kubelet (writable
# cgroups, /dev/kmsg, shared mounts), starts containerd, and stays up. The check starts the Kubernetes
# components with docker exec once their configuration is in place.
set -euo pipefail
# Docker mounts cgroups and /sys read-only in a container that is not privileged (this host refuses
# --privileged); the kubelet and runc create cgroups for every pod.
# Each controller's mount is made writable by itself (its superblock is the host's, so a plain remount is
# refused as busy).
for controller in /sys/fs/cgroup/*; do
  mountpoint -q "$controller" && mount -o remount,bind,rw "$controller"
done
mount --make-rshared / 2>/dev/null || true
# Each node a machine of its own to the kubelet.
[ -s /etc/machine-id ] || tr -d - </proc/sys/kernel/random/uuid >/etc/machine-id
mkdir -p /var/log/kubernetes /etc/cni/net.d /run/containerd
containerd >/var/log/kubernetes/containerd.log 2>&1 &
trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT
wait
