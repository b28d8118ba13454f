#!/usr/bin/env bash
# netns-test.sh: live mode across "machines", on one machine.
#
# Three network namespaces stand for three hosts: one runs `hbsim namenode`,
# each of the two others runs `hbsim datanode`, connected to the NameNode's
# namespace by its own veth pair. Addresses come only from 198.18.0.0/15
# (RFC 2544's range for network tests) and exist only inside the
# namespaces this script creates. The script cuts dn1's link (ip link set
# down inside dn1's namespace), checks through the NameNode's
# /api/datanodes that dn1 is declared dead while dn2 stays live, then
# restores the link and sees dn1 come back.
#
# Usage: scripts/netns-test.sh [HBSIM_BINARY]   (default: bin/hbsim)
# Needs root and ip (iproute2). Exit status: 0 passed, 1 failed, 77
# skipped (what is missing is printed). The namespaces, veth pairs and
# processes it made are removed on every way out (trap).
set -euo pipefail

HBSIM=${1:-${HBSIM:-bin/hbsim}}
say() { echo "netns-test: $*"; }
skip() { say "skipped: $*"; exit 77; }

[[ $(id -u) -eq 0 ]] || skip "needs root"
command -v ip >/dev/null 2>&1 || skip "needs the ip command (iproute2)"
[[ -x $HBSIM ]] || { say "no hbsim binary at $HBSIM (run make build, or pass its path)"; exit 1; }
HBSIM=$(cd "$(dirname "$HBSIM")" && pwd)/$(basename "$HBSIM")

tag="hbsim$$"
NS_NN=$tag-nn
NS_DN1=$tag-dn1
NS_DN2=$tag-dn2
made=()  # namespaces this script created, and only those, are deleted
pids=()
logdir=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for ns in "${made[@]}"; do ip netns del "$ns" 2>/dev/null; done
	if [[ $rc -ne 0 && $rc -ne 77 ]]; then
		for f in "$logdir"/*.log; do
			[[ -s $f ]] && { echo "--- $(basename "$f")"; tail -n 20 "$f"; }
		done
	fi
	rm -rf "$logdir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

newns() {
	ip netns add "$1" || skip "cannot create network namespaces here (ip netns add $1 failed)"
	made+=("$1")
	ip -n "$1" link set lo up
}
newns "$NS_NN"
newns "$NS_DN1"
newns "$NS_DN2"

# One veth pair per DataNode "host", created directly inside the
# namespaces: the host's own network is never touched.
#   nn 198.18.0.1/30 <-> dn1 198.18.0.2/30
#   nn 198.18.0.5/30 <-> dn2 198.18.0.6/30
link() { # link NS_DN NN_IF DN_IF NN_ADDR DN_ADDR
	ip -n "$NS_NN" link add "$2" type veth peer name "$3" netns "$1"
	ip -n "$NS_NN" addr add "$4/30" dev "$2"
	ip -n "$1" addr add "$5/30" dev "$3"
	ip -n "$NS_NN" link set "$2" up
	ip -n "$1" link set "$3" up
}
link "$NS_DN1" to-dn1 to-nn 198.18.0.1 198.18.0.2
link "$NS_DN2" to-dn2 to-nn 198.18.0.5 198.18.0.6

# Short heartbeats: dead after 5 missed 200ms heartbeats (about 1s).
sets=(--set heartbeat.interval=200ms --set heartbeat.check_interval=100ms
	--set heartbeat.miss_threshold=5 --set heartbeat.stale_after=600ms)
HBSIM_CLUSTER_SECRET=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export HBSIM_CLUSTER_SECRET

ip netns exec "$NS_NN" "$HBSIM" namenode --listen 0.0.0.0:8020 --http 127.0.0.1:9870 "${sets[@]}" \
	>"$logdir/namenode.log" 2>&1 &
pids+=($!)
ip netns exec "$NS_DN1" "$HBSIM" datanode --namenode 198.18.0.1:8020 --id dn1 "${sets[@]}" \
	>"$logdir/dn1.log" 2>&1 &
pids+=($!)
ip netns exec "$NS_DN2" "$HBSIM" datanode --namenode 198.18.0.5:8020 --id dn2 "${sets[@]}" \
	>"$logdir/dn2.log" 2>&1 &
pids+=($!)

# state ID: the NameNode's view of a DataNode, from /api/datanodes
# (fetched inside the NameNode's namespace by hbsim report --json).
report() { ip netns exec "$NS_NN" "$HBSIM" report --namenode 127.0.0.1:9870 --json 2>/dev/null; }
state() {
	report | awk -v id="$1" '
		/"id":/ { cur = $2; gsub(/[",]/, "", cur) }
		/"state":/ && cur == id { s = $2; gsub(/[",]/, "", s); print s; exit }'
}
# await SECONDS WHAT CONDITION...: poll until the condition holds.
await() {
	local secs=$1 what=$2
	shift 2
	for _ in $(seq $((secs * 10))); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	say "FAIL: $what within ${secs}s"
	report || true
	exit 1
}
is() { [[ $(state "$1") == "$2" ]]; }
both_live() { is dn1 live && is dn2 live; }

await 15 "dn1 and dn2 live across the veth links" both_live
say "dn1 (198.18.0.2) and dn2 (198.18.0.6) are live at the NameNode (198.18.0.1, 198.18.0.5)"

ip -n "$NS_DN1" link set to-nn down
cut=$(date +%s.%N)
say "cut dn1's link (ip link set to-nn down in $NS_DN1)"
await 15 "dn1 declared dead" is dn1 dead
took=$(awk -v a="$cut" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
is dn2 live || { say "FAIL: dn2 is $(state dn2), want live"; exit 1; }
say "dn1 declared dead ${took}s after the cut; dn2 still live"

ip -n "$NS_DN1" link set to-nn up
say "restored dn1's link"
await 20 "dn1 live again after the link came back" both_live
say "dn1 live again; dn2 live"
say "PASS"
