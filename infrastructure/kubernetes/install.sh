#!/usr/bin/env bash
# Prints the directory holding the test cluster's binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy, kubeadm, kubectl), built from the release pinned in go.mod and
# cached by the module's checksums and these flags. Only `make k8s-check` uses them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$here/go.mod")
minor=$(cut -d. -f2 <<<"$version")
# The version each component reports (the API server's /version, a node's kubelet), as a release build sets it.
stamp=
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
key=$version-$( { cat "$here/go.mod" "$here/go.sum"; echo "$stamp"; } | sha256sum | cut -c1-16)
cd "$here"
bash ../../tools/go-tool.sh kubernetes "$key" "about 11 minutes on 2 cores" \
  sh -c 'go build -ldflags "-s -w $0" -o "$OUT/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubeadm k8s.io/kubernetes/cmd/kubectl' "$stamp"
