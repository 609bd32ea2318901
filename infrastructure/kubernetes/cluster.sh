#!/usr/bin/env bash
# A two-node Kubernetes cluster in Docker containers on this machine, for make k8s-check: the release
# pinned in infrastructure/versions.env, built from source (install.sh), with Debian's containerd, runc,
# CNI plugins and etcd in each node (node/Dockerfile). Node 1 runs the control plane and workloads, node 2
# workloads only. Nothing is pulled from a registry: the pause and CoreDNS images are built here too.
#
#   cluster.sh up NAME        start the cluster; prints the path of its kubeconfig (NAME.kubeconfig in $TMPDIR)
#   cluster.sh load NAME IMAGE...   copy images from this Docker engine into both nodes' containerd
#   cluster.sh down NAME      remove its containers, volumes and network (safe to run any number of times)
#   cluster.sh tools          build (or find cached) the Kubernetes and CoreDNS binaries; needs no Docker
#
# Everything it makes is named NAME-… and labelled org.chorus.k8s-check=NAME, and nothing else is touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command=${1:-} name=${2:-}
[ "$command" = tools ] && name=tools
[[ $name =~ ^[a-z][a-z0-9-]{0,40}$ ]] || { echo "cluster: usage: cluster.sh up|load|down NAME (lower-case letters, digits and hyphens), or cluster.sh tools; got '$name'" >&2; exit 2; }
label=org.chorus.k8s-check=$name
nodes=("$name-node-1" "$name-node-2")
kubeconfig=${TMPDIR:-/tmp}/$name.kubeconfig
bin=
binaries() { [ -n "$bin" ] || bin=$(bash "$here/install.sh"); }
coredns_dir() {
  bash "$root/tools/go-tool.sh" coredns "$(pin COREDNS_VERSION)" "a few minutes" \
    sh -c 'GOBIN="$OUT" go install -ldflags "-s -w" "github.com/coredns/coredns@$0"' "$(pin COREDNS_VERSION)"
}
kubectl() { binaries && "$bin/kubectl" "$@"; }
say() { printf 'cluster %s: %s\n' "$name" "$*" >&2; }
# shellcheck source=../pin.sh
source "$root/infrastructure/pin.sh"

# Pod addresses: node N owns 10.244.(N-1).0/24; Services are 10.96.0.0/16 with DNS at 10.96.0.10.
POD_CIDR=10.244.0.0/16 SERVICE_CIDR=10.96.0.0/16 DNS_IP=10.96.0.10

down() {
  local containers volumes
  containers=$(docker ps -aq --filter "label=$label")
  [ -z "$containers" ] || docker rm -f $containers >/dev/null
  volumes=$(docker volume ls -q --filter "label=$label")
  [ -z "$volumes" ] || docker volume rm -f $volumes >/dev/null
  docker network rm "$name" >/dev/null 2>&1 || true
  rm -f "$kubeconfig"
  say "removed (${containers:+$(wc -w <<<"$containers") containers, }${volumes:+$(wc -w <<<"$volumes") volumes, }its network)"
}

# build_image TAG CONTEXT [BUILD-ARG...]: the engine's own builder, quiet unless it fails.
build_image() {
  local tag=$1 context=$2 log
  shift 2
  log=$(mktemp)
  if ! DOCKER_BUILDKIT=0 docker build -q -t "$tag" "${@/#/--build-arg=}" "$context" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    say "building $tag failed (above)"
    exit 1
  fi
  rm -f "$log"
}

images() {
  local base bin pause_dir kube_src pause_tag coredns_version coredns_dir context
  base=$(pin DEBIAN_LOCAL)
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    bash "$root/infrastructure/images/build.sh" debian >/dev/null || { say "the Debian base image $base could not be built (above)"; exit 1; }
  fi
  build_image chorus-local/k8s-node:"$(pin KUBERNETES_VERSION)" "$here/node" "BASE=$base"
  # pause.c and its tag, from the pinned release's own source.
  kube_src=$(cd "$here" && go mod download -json k8s.io/kubernetes | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -f "$kube_src/build/pause/linux/pause.c" ] || { say "pause.c is not in the downloaded Kubernetes module ($kube_src)"; exit 1; }
  pause_tag=$(awk '$1 == "TAG" && $2 == "?=" {print $3}' "$kube_src/build/pause/Makefile")
  context=$(mktemp -d)
  cp "$here/pause/Dockerfile" "$kube_src/build/pause/linux/pause.c" "$context/"
  build_image "chorus-local/pause:$pause_tag" "$context" "BASE=$base" "VERSION=$pause_tag"
  rm -rf "$context"
  coredns_version=$(pin COREDNS_VERSION)
  context=$(mktemp -d)
  cp "$here/coredns/Dockerfile" "$(coredns_dir)/coredns" "$context/"
  build_image "chorus-local/coredns:$coredns_version" "$context"
  rm -rf "$context"
  echo "chorus-local/pause:$pause_tag chorus-local/coredns:$coredns_version"
}

node_exec() { docker exec "$@"; }
# start NODE LOGNAME COMMAND...: a component as a background process of its node, logging to /var/log/kubernetes.
start() {
  local node=$1 log=$2
  shift 2
  docker exec -d "$node" sh -c 'exec "$@" >/var/log/kubernetes/'"$log"'.log 2>&1' sh "$@"
}

up() {
  local started=$SECONDS extra_images ip=() i node
  down >/dev/null 2>&1 || true
  binaries
  extra_images=$(images)
  say "images ready after $((SECONDS - started))s"
  docker network create --label "$label" "$name" >/dev/null
  for i in 0 1; do
    node=${nodes[$i]}
    docker volume create --label "$label" "$node-containerd" >/dev/null
    docker volume create --label "$label" "$node-kubelet" >/dev/null
    # --privileged is refused on this kind of host: every capability but SYS_RESOURCE, and no seccomp,
    # AppArmor or masked /proc paths, is what a node needs; and the kernel log, which the kubelet watches
    # for OOM kills.
    docker run -d --name "$node" --hostname "$node" --network "$name" --label "$label" \
      --cap-add ALL --cap-drop SYS_RESOURCE \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
      --cgroupns private --sysctl net.ipv4.ip_forward=1 --device /dev/kmsg \
      --tmpfs /run --tmpfs /tmp \
      -v "$node-containerd:/var/lib/containerd" -v "$node-kubelet:/var/lib/kubelet" \
      -v "$bin:/opt/kubernetes/bin:ro" \
      chorus-local/k8s-node:"$(pin KUBERNETES_VERSION)" >/dev/null
    ip[$i]=$(docker inspect -f "{{ (index .NetworkSettings.Networks \"$name\").IPAddress }}" "$node")
  done
  say "nodes ${nodes[*]} at ${ip[*]}"

  # Certificates and kubeconfigs, made by kubeadm on node 1; node 2 gets its kubelet's and kube-proxy's.
  docker exec -i "${nodes[0]}" sh -c 'mkdir -p /etc/kubernetes && cat >/etc/kubernetes/kubeadm.yaml' <<EOF
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint: { advertiseAddress: ${ip[0]}, bindPort: 6443 }
nodeRegistration: { name: ${nodes[0]} }
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: $(pin KUBERNETES_VERSION)
clusterName: $name
controlPlaneEndpoint: ${ip[0]}:6443
networking: { serviceSubnet: $SERVICE_CIDR, podSubnet: $POD_CIDR, dnsDomain: cluster.local }
apiServer: { certSANs: [127.0.0.1, localhost, ${ip[0]}] }
EOF
  docker exec "${nodes[0]}" sh -c '
    kubeadm init phase certs all --config /etc/kubernetes/kubeadm.yaml >/dev/null &&
    kubeadm init phase kubeconfig all --config /etc/kubernetes/kubeadm.yaml >/dev/null &&
    kubeadm kubeconfig user --config /etc/kubernetes/kubeadm.yaml --client-name system:kube-proxy >/etc/kubernetes/kube-proxy.conf 2>/dev/null &&
    kubeadm kubeconfig user --config /etc/kubernetes/kubeadm.yaml --client-name "system:node:$1" --org system:nodes >/etc/kubernetes/kubelet-node-2.conf 2>/dev/null' sh "${nodes[1]}"
  docker exec "${nodes[0]}" tar -C /etc/kubernetes -cf - pki/ca.crt kube-proxy.conf kubelet-node-2.conf |
    docker exec -i "${nodes[1]}" sh -c 'mkdir -p /etc/kubernetes && tar -C /etc/kubernetes -xf - && mv /etc/kubernetes/kubelet-node-2.conf /etc/kubernetes/kubelet.conf'

  # The control plane, on node 1.
  local pki=/etc/kubernetes/pki
  start "${nodes[0]}" etcd etcd --name "${nodes[0]}" --data-dir /var/lib/kubelet/etcd \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "${nodes[0]}=http://127.0.0.1:2380"
  start "${nodes[0]}" kube-apiserver kube-apiserver --advertise-address "${ip[0]}" --secure-port 6443 \
    --etcd-servers http://127.0.0.1:2379 --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file $pki/ca.crt --tls-cert-file $pki/apiserver.crt --tls-private-key-file $pki/apiserver.key \
    --kubelet-client-certificate $pki/apiserver-kubelet-client.crt --kubelet-client-key $pki/apiserver-kubelet-client.key \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file $pki/sa.pub --service-account-signing-key-file $pki/sa.key \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true
  docker exec "${nodes[0]}" sed "s#server: https://.*:6443#server: https://127.0.0.1:6443#" /etc/kubernetes/super-admin.conf >"$kubeconfig"
  # The kubeconfig reaches the API server through node 1's address from this host (no port is published).
  sed -i "s#server: https://127.0.0.1:6443#server: https://${ip[0]}:6443#" "$kubeconfig"
  for i in $(seq 120); do
    kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1 && break
    [ "$i" -lt 120 ] || { docker exec "${nodes[0]}" tail -20 /var/log/kubernetes/kube-apiserver.log >&2; say "the API server did not become ready in 120 s (its log above)"; exit 1; }
    sleep 1
  done
  say "API server ready after $((SECONDS - started))s"
  # The API server reaches the kubelets (logs, exec) with this identity, as kubeadm binds it.
  kubectl --kubeconfig "$kubeconfig" create clusterrolebinding kubeadm:apiserver-kubelet-client \
    --clusterrole system:kubelet-api-admin --user kube-apiserver-kubelet-client >/dev/null
  # The controllers read what the API server makes at its first start (RBAC roles, the authentication
  # config map), so they start once it is ready.
  # Nodes that stop answering are marked NotReady after 20 s (default 50): the node-loss step waits less.
  start "${nodes[0]}" kube-controller-manager kube-controller-manager --kubeconfig /etc/kubernetes/controller-manager.conf \
    --authentication-kubeconfig /etc/kubernetes/controller-manager.conf --authorization-kubeconfig /etc/kubernetes/controller-manager.conf \
    --bind-address 127.0.0.1 --cluster-signing-cert-file $pki/ca.crt --cluster-signing-key-file $pki/ca.key \
    --root-ca-file $pki/ca.crt --service-account-private-key-file $pki/sa.key --use-service-account-credentials \
    --node-monitor-grace-period 20s
  start "${nodes[0]}" kube-scheduler kube-scheduler --kubeconfig /etc/kubernetes/scheduler.conf \
    --authentication-kubeconfig /etc/kubernetes/scheduler.conf --authorization-kubeconfig /etc/kubernetes/scheduler.conf \
    --bind-address 127.0.0.1

  # The workers: kubelet and kube-proxy on both nodes, pod routes between them.
  for i in 0 1; do
    node=${nodes[$i]}
    docker exec -i "$node" sh -c 'cat >/etc/kubernetes/kubelet.yaml' <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: $pki/ca.crt } }
authorization: { mode: Webhook }
# This host runs cgroup v1 with the cgroupfs driver, which Kubernetes 1.35 drops and 1.34 allows when asked.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: /etc/kubernetes/resolv.conf
# The nodes share this host's disk: evict only when it is truly full.
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2% }
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
EOF
    docker exec "$node" sh -c 'printf "search cluster.local\nnameserver %s\n" "$1" >/etc/kubernetes/resolv.conf' sh "$DNS_IP"
    docker exec -i "$node" sh -c 'cat >/etc/kubernetes/kube-proxy.yaml' <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
# This kernel has no IPVS; nftables it has.
mode: nftables
clientConnection: { kubeconfig: /etc/kubernetes/kube-proxy.conf }
clusterCIDR: $POD_CIDR
hostnameOverride: $node
# A node's conntrack table is the host's: leave its sysctls alone.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
    docker exec -i "$node" sh -c 'cat >/etc/cni/net.d/10-chorus.conflist' <<EOF
{
  "cniVersion": "1.0.0",
  "name": "chorus",
  "plugins": [
    { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "10.244.$i.0/24" }]], "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
    docker exec "$node" ip route add "10.244.$((1 - i)).0/24" via "${ip[$((1 - i))]}"
    start "$node" kubelet kubelet --config /etc/kubernetes/kubelet.yaml --kubeconfig /etc/kubernetes/kubelet.conf \
      --node-ip "${ip[$i]}" --hostname-override "$node" $([ "$i" = 0 ] && echo --node-labels=org.chorus/control-plane=true)
    start "$node" kube-proxy kube-proxy --config /etc/kubernetes/kube-proxy.yaml
  done
  # kube-proxy's kubeconfig names the API server as kubeadm wrote it (node 1's address): right for both.
  for i in $(seq 180); do
    [ "$(kubectl --kubeconfig "$kubeconfig" get nodes --no-headers 2>/dev/null | grep -c ' Ready ')" = 2 ] && break
    for node in "${nodes[@]}"; do
      docker exec "$node" pgrep -x kubelet >/dev/null || { docker exec "$node" tail -5 /var/log/kubernetes/kubelet.log >&2; say "the kubelet of $node stopped (the end of its log above)"; exit 1; }
    done
    [ "$i" -lt 180 ] || { for node in "${nodes[@]}"; do docker exec "$node" tail -8 /var/log/kubernetes/kubelet.log >&2; done; say "both nodes were not Ready within 180 s (the kubelets' logs above)"; exit 1; }
    sleep 1
  done
  say "2 nodes Ready after $((SECONDS - started))s"
  load_images $extra_images
  kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null <<EOF
$(sed -e "s#@DNS_IP@#$DNS_IP#" -e "s#@COREDNS_IMAGE@#chorus-local/coredns:$(pin COREDNS_VERSION)#" "$here/coredns/coredns.yaml")
EOF
  kubectl --kubeconfig "$kubeconfig" -n kube-system rollout status deployment/coredns --timeout 120s >/dev/null ||
    { say "CoreDNS did not start within 120 s: kubectl --kubeconfig $kubeconfig -n kube-system describe pods"; exit 1; }
  say "ready after $((SECONDS - started))s: kubectl --kubeconfig $kubeconfig"
  echo "$kubeconfig"
}

load_images() {
  local node started=$SECONDS archive pids=() pid
  # Saved once (shared layers once), then imported by both nodes at the same time.
  archive=$(mktemp "${TMPDIR:-/tmp}/$name-images.XXXXXX")
  docker save -o "$archive" "$@"
  for node in "${nodes[@]}"; do
    docker exec -i "$node" ctr -n k8s.io images import - <"$archive" >/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { rm -f "$archive"; say "importing the images into a node failed (above)"; exit 1; }; done
  rm -f "$archive"
  say "loaded $# images into both nodes in $((SECONDS - started))s"
}

case $command in
  up) up ;;
  load) shift 2; load_images "$@" ;;
  down) down ;;
  tools) binaries && coredns_dir >/dev/null ;;
  *) echo "cluster: usage: cluster.sh up|load|down NAME, or cluster.sh tools" >&2; exit 2 ;;
esac
