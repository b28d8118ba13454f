package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// adminAt returns when node's administrative state first became to.
func adminAt(tr *trace.Trace, node, to string) (time.Duration, bool) {
	for _, e := range tr.Events {
		if e.Kind == trace.Admin && e.Node == node && e.To == to {
			return e.At, true
		}
	}
	return 0, false
}

const adminBase = `name: admin
seed: 11
duration: 20m
cluster: {datanodes: 9, racks: 3}
heartbeat: {interval: 3s, check_interval: 3s, miss_threshold: 10, stale_after: 30s}
data: {blocks: 900, block_size: 128MiB, replication: 3}
`

// TestDecommission follows TestDecommission#testDecommission end to end:
// a decommission event reaches the NameNode through the fault
// interpreter; the node is DECOMMISSIONING at once, its replicas are
// copied elsewhere while it serves them, and the admin monitor (every
// 30s) finds it DECOMMISSIONED once no block needs it. It is never
// declared dead and no block is lost. Figure (9 nodes, 900 blocks rf 3,
// dn3 holding 302): requested at 2m, the 302 copies are done by 3m03.5s
// and the monitor's 3m30s run decommissions dn3: 90s.
func TestDecommission(t *testing.T) {
	tr := run(t, adminBase+"events:\n  - {at: 2m, decommission: dn3}\n")
	if at, ok := adminAt(tr, "dn3", "decommissioning"); !ok || at != 2*time.Minute {
		t.Fatalf("decommissioning at %v (%v), want at the request, 2m", at, ok)
	}
	at, ok := adminAt(tr, "dn3", "decommissioned")
	if !ok || at != 3*time.Minute+30*time.Second {
		t.Fatalf("decommissioned at %v (%v), want 3m30s, the monitor's run after the copies", at, ok)
	}
	if d := deaths(tr, ""); d != nil || tr.Blocks.Lost != 0 || tr.Blocks.ReReplicated != 302 {
		t.Errorf("deaths %v, lost %d, re-replicated %d; want none, 0 and dn3's 302", d, tr.Blocks.Lost, tr.Blocks.ReReplicated)
	}
	// Recommissioned: back in service, the copies now in excess deleted.
	tr = run(t, adminBase+"events:\n  - {at: 2m, decommission: dn3}\n  - {at: 5m, recommission: dn3}\n")
	if at, ok := adminAt(tr, "dn3", "in_service"); !ok || at != 5*time.Minute {
		t.Errorf("back in service at %v (%v), want 5m", at, ok)
	}
	if tr.Blocks.Invalidated == 0 {
		t.Error("recommissioned: no excess replica deleted")
	}
}

// TestMaintenanceState follows TestMaintenanceState
// #testNodeDeadWhenInEnteringMaintenance and #testExpectedReplications: a
// node in maintenance that goes down keeps its replicas in the block map,
// so nothing is re-replicated (maintenance.replication.min 1 of 3); the
// maintenance expires by itself. The same restart without maintenance
// re-replicates every block the node held. Figure: 0 copies against 302.
func TestMaintenanceState(t *testing.T) {
	restart := "  - {at: 3m, kill: dn3}\n  - {at: 6m, restart: dn3}\n"
	tr := run(t, adminBase+"events:\n  - {at: 2m, maintenance: dn3, for: 15m}\n"+restart)
	if _, ok := adminAt(tr, "dn3", "in_maintenance"); !ok {
		t.Fatal("dn3 never in maintenance")
	}
	if at, ok := adminAt(tr, "dn3", "in_service"); !ok || at != 17*time.Minute {
		t.Errorf("maintenance ended at %v (%v), want at its expiry, 17m", at, ok)
	}
	if tr.Blocks.ReReplicated != 0 || tr.Blocks.Lost != 0 {
		t.Errorf("in maintenance: re-replicated %d, lost %d; want 0 and 0", tr.Blocks.ReReplicated, tr.Blocks.Lost)
	}
	plain := run(t, adminBase+"events:\n"+restart)
	if plain.Blocks.ReReplicated != 302 {
		t.Errorf("without maintenance: re-replicated %d, want dn3's 302", plain.Blocks.ReReplicated)
	}
}

// TestDataNodeVolumeFailure follows TestDataNodeVolumeFailure
// #testVolumeFailure and TestDataNodeVolumeFailureToleration: with 4
// volumes and 1 tolerated, a failed volume's replicas are re-replicated
// while the node stays live; the next failure is fatal: the node shuts
// itself down and the NameNode removes it at once (FATAL_DISK_ERROR), not
// at its heartbeat expiry. Figure (6 nodes, 600 blocks rf 3, dn2 holding
// 300): the first failure loses 75 replicas, the second shuts dn2 down at
// 8m and it is dead 1ms later (the error report's latency).
func TestDataNodeVolumeFailure(t *testing.T) {
	tr := run(t, `name: volumes
seed: 7
duration: 20m
cluster: {datanodes: 6, racks: 2, volumes: 4}
heartbeat: {interval: 3s, check_interval: 3s, miss_threshold: 10, stale_after: 30s}
datanode: {failed_volumes_tolerated: 1}
data: {blocks: 600, block_size: 128MiB, replication: 3}
network: {latency: 1ms}
events:
  - {at: 3m, volume_failure: dn2, volumes: 1}
  - {at: 8m, volume_failure: dn2}
`)
	var shutdown bool
	for _, e := range tr.Events {
		shutdown = shutdown || (e.Kind == trace.Shutdown && e.Node == "dn2" && e.At == 8*time.Minute)
	}
	if !shutdown {
		t.Fatal("dn2 did not shut down at its second failure")
	}
	d := deaths(tr, "")
	if len(d) != 1 || d[0] != "dn2@480.001s" {
		t.Fatalf("deaths %v, want dn2 at once, 480.001s", d)
	}
	if tr.Blocks.Lost != 0 || tr.Blocks.ReReplicated < 295 {
		t.Errorf("lost %d, re-replicated %d; want 0 and dn2's replicas", tr.Blocks.Lost, tr.Blocks.ReReplicated)
	}
}

// TestHDFS9107PausedNameNode is HDFS-9107 end to end: the NameNode
// paused 70s (a full GC) with a 60s expiry (recheck 15s); at the resume
// the hdfs detector's monitor skips its scan after the excessive pause,
// reads the heartbeats that waited and removes nobody, while missed-count,
// watching, declares all six nodes dead. Messages that reached the paused
// NameNode are read at the resume, none lost.
func TestHDFS9107PausedNameNode(t *testing.T) {
	tr := run(t, `name: gc
seed: 3
duration: 10m
cluster: {datanodes: 6}
heartbeat: {interval: 3s, check_interval: 3s, miss_threshold: 10, detector: hdfs, hdfs: {recheck_interval: 15s}}
detectors: [hdfs, missed-count]
events:
  - {at: 5m, pause: namenode, for: 70s}
`)
	if d := deaths(tr, ""); d != nil {
		t.Errorf("hdfs declared %v dead after the pause, want nobody", d)
	}
	if d := deaths(tr, "missed-count"); len(d) != 6 {
		t.Errorf("missed-count declared %v dead, want all 6 at the resume", d)
	}
	for _, n := range tr.Nodes {
		if n.HeartbeatsSent-n.HeartbeatsReceived > 1 {
			t.Errorf("%s: %d heartbeats sent, %d received: the ones that waited were lost", n.ID, n.HeartbeatsSent, n.HeartbeatsReceived)
		}
	}
}

// The gossip detector alone has no NameNode: an operator's request, a
// failed volume or a NameNode pause is refused before the run.
func TestAdminNeedsNameNode(t *testing.T) {
	for _, ev := range []string{"{at: 1m, decommission: dn1}", "{at: 1m, maintenance: dn1}",
		"{at: 1m, volume_failure: dn1}", "{at: 1m, pause: namenode, for: 10s}"} {
		_, err := newScn(parse(t, base+"events:\n  - "+ev+"\n", "heartbeat.detector=gossip"))
		if err == nil || !strings.Contains(err.Error(), "no NameNode") {
			t.Errorf("%s with gossip alone: %v, want a refusal", ev, err)
		}
	}
}
