#!/usr/bin/env bash
# Prints the directory holding the test cluster's binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy, kubeadm, kubectl), built from the release pinned in go.mod and
# cached by the module's checksums. Only `make k8s-check` uses them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$here/go.mod")
key=$version-$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
cd "$here"
bash ../../tools/go-tool.sh kubernetes "$key" "about 11 minutes on 2 cores" \
  sh -c 'go build -ldflags "-s -w" -o "$OUT/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubectl'
