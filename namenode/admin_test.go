package namenode

// Tests of decommission and maintenance as HDFS's DatanodeAdminManager and
// DatanodeAdminDefaultMonitor do them, named after Hadoop's
// TestDecommission and TestMaintenanceState.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// cluster is a rig driven in time: every node not down heartbeats every
// 3s, each TRANSFER lands at once on every target (their IBRs), and the
// NameNode is ticked at the times it asks for.
type cluster struct {
	*rig
	now   time.Duration
	down  map[string]bool
	nodes []string
}

func newCluster(t *testing.T, cfg Config, racks int, nodes, blocks int) *cluster {
	t.Helper()
	cfg.Detectors[0].MissedCount.Threshold = 10
	var ids []string
	rackOf := map[string]string{}
	for k := 0; k < nodes; k++ {
		id := fmt.Sprintf("d%d", k)
		ids = append(ids, id)
		rackOf[id] = fmt.Sprintf("r%d", k%racks)
	}
	cfg.Blocks.Racks = rackOf
	cfg.Blocks.Blocks = blocks
	layout, err := InitialLayout(cfg, ids, blocks)
	if err != nil {
		t.Fatal(err)
	}
	rep := map[string][]int64{}
	for k, bs := range layout {
		for _, b := range bs {
			rep[ids[k]] = append(rep[ids[k]], int64(b))
		}
	}
	return &cluster{rig: newRig(t, cfg, ids, rep), down: map[string]bool{}, nodes: ids}
}

// run drives the cluster until until.
func (c *cluster) run(until time.Duration) {
	for c.now < until {
		next := min(c.n.Ready().Wake, (c.now/(3*time.Second)+1)*3*time.Second, until)
		c.now = next
		if c.n.Ready().Wake <= c.now {
			c.n.Tick(c.now)
		}
		if c.now%(3*time.Second) == 0 {
			for _, id := range c.nodes {
				if c.down[id] {
					continue
				}
				for _, cmd := range c.beat(c.now, id, 0) {
					if cmd.Action != proto.ActionTransfer {
						continue
					}
					for _, tg := range cmd.Targets {
						if !c.down[tg] {
							c.n.Step(c.now, proto.Message{Type: proto.TypeBlockReceived, Node: tg, Block: cmd.Block})
						}
					}
				}
			}
		}
		c.n.Advance()
	}
}

func (c *cluster) admin(id string) AdminState {
	info, err := c.n.Node(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return info.Admin
}

// TestDecommission reproduces TestDecommission#testDecommission's
// figures: a decommissioning node's replicas stop counting as live, the
// admin monitor (every dfs.namenode.decommission.interval, 30s) schedules
// its blocks, the node is preferred as a source only in being exempt from
// the soft stream limit, and it becomes DECOMMISSIONED once every block it
// holds has its full replication on other nodes; its replicas stay in the
// map, listed last for readers.
func TestDecommission(t *testing.T) {
	c := newCluster(t, blockConfig(1, 0, 3, nil), 3, 9, 300)
	c.run(40 * time.Second)
	d0 := idx(t, c.n, "d0")
	held := len(c.n.liveBlocks(int(d0)))
	if err := c.n.Decommission(c.now, "d0"); err != nil {
		t.Fatal(err)
	}
	if c.admin("d0") != Decommissioning || c.n.BlockStats().UnderReplicated != held {
		t.Fatalf("after the request: %v, %d under-replicated; want decommissioning and its %d blocks under-replicated",
			c.admin("d0"), c.n.BlockStats().UnderReplicated, held)
	}
	if c.n.adm.next != 60*time.Second {
		t.Errorf("monitor's next run %v, want 60s (every 30s since start)", c.n.adm.next)
	}
	c.run(59 * time.Second)
	if st := c.n.BlockStats(); st.Scheduled != 0 {
		t.Fatalf("scheduled %d before the monitor's first run", st.Scheduled)
	}
	var done time.Duration
	for c.now < 20*time.Minute && done == 0 {
		c.run(c.now + time.Second)
		if c.admin("d0") == Decommissioned {
			done = c.now
		}
	}
	if done == 0 {
		t.Fatalf("not decommissioned after 20m: %v, %d under-replicated", c.admin("d0"), c.n.BlockStats().UnderReplicated)
	}
	if done%(30*time.Second) != 0 {
		t.Errorf("decommissioned at %v, want at a run of the monitor (every 30s)", done)
	}
	for b := int64(0); b < 300; b++ {
		reps := c.n.Replicas(b)
		live := 0
		for _, id := range reps {
			if id != "d0" {
				live++
			}
		}
		if live < 3 {
			t.Fatalf("block %d: replicas %v, want three besides d0", b, reps)
		}
		if slices.Contains(reps, "d0") {
			if locs := c.n.Locations(b, c.now, nil); locs[len(locs)-1] != "d0" {
				t.Fatalf("block %d: read order %v, want the decommissioned d0 last", b, locs)
			}
		}
	}
	if got := len(c.n.liveBlocks(int(d0))); got != held {
		t.Errorf("d0 holds %d replicas in the map, want its %d: decommissioned replicas stay", got, held)
	}
	t.Logf("%d blocks on d0: decommissioned %v after the request", held, done-40*time.Second)
}

// DatanodeAdminManager.startDecommission on a dead node: DECOMMISSIONED at
// once ("Dead node ... is decommissioned immediately"); and Recommission
// puts a decommissioned node back in service, its excess replicas deleted.
func TestDecommissionDeadNodeAtOnce(t *testing.T) {
	c := newCluster(t, blockConfig(1, 0, 3, nil), 3, 6, 60)
	c.down["d1"] = true
	c.run(60 * time.Second)
	if info, _ := c.n.Node("d1"); info.State != Dead {
		t.Fatalf("d1 is %v, want dead", info.State)
	}
	if err := c.n.Decommission(c.now, "d1"); err != nil {
		t.Fatal(err)
	}
	if got := c.admin("d1"); got != Decommissioned {
		t.Fatalf("dead d1: %v, want decommissioned at once", got)
	}
	if err := c.n.Decommission(c.now, "nobody"); err == nil {
		t.Error("decommissioning an unknown node succeeded")
	}
}

// TestMaintenanceState reproduces TestMaintenanceState's figures: with
// dfs.namenode.maintenance.replication.min 1, a node whose blocks all keep
// a live replica elsewhere goes IN_MAINTENANCE at the monitor's first run
// with nothing re-replicated; dying in maintenance re-replicates nothing,
// since its replicas stay in the map (live + maintenance ≥ expected); when
// the maintenance expires on the dead node they leave the map and are
// re-replicated (testExpectedReplications, testDeadNodeInMaintenance,
// testTakeDeadNodeOutOfMaintenance).
func TestMaintenanceState(t *testing.T) {
	c := newCluster(t, blockConfig(1, 0, 3, nil), 3, 9, 300)
	c.run(40 * time.Second)
	if err := c.n.StartMaintenance(c.now, "d2", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := c.admin("d2"); got != EnteringMaintenance {
		t.Fatalf("after the request: %v", got)
	}
	if st := c.n.BlockStats(); st.UnderReplicated != 0 {
		t.Errorf("entering maintenance made %d blocks under-replicated, want none (live + maintenance = expected)", st.UnderReplicated)
	}
	c.run(60 * time.Second)
	if got := c.admin("d2"); got != InMaintenance || c.n.BlockStats().Scheduled != 0 {
		t.Fatalf("at the monitor's run: %v, %d scheduled; want in maintenance with nothing scheduled", got, c.n.BlockStats().Scheduled)
	}
	c.down["d2"] = true // shut down for its maintenance
	c.run(5 * time.Minute)
	if info, _ := c.n.Node("d2"); info.State != Dead || c.n.BlockStats().Scheduled != 0 || c.n.BlockStats().UnderReplicated != 0 {
		t.Fatalf("d2 dead in maintenance: %v, %d scheduled, %d under; want dead with no re-replication",
			info.State, c.n.BlockStats().Scheduled, c.n.BlockStats().UnderReplicated)
	}
	// Read order: a replica in maintenance is not offered to readers.
	for b := int64(0); b < 300; b++ {
		if slices.Contains(c.n.Locations(b, c.now, nil), "d2") {
			t.Fatalf("block %d: d2 in maintenance offered to readers", b)
		}
	}
	c.run(10*time.Minute + 31*time.Second)
	if got := c.admin("d2"); got != InService {
		t.Fatalf("after the expiry at 10m: %v, want in service", got)
	}
	if c.n.BlockStats().Scheduled == 0 {
		t.Fatal("the dead node's replicas left no work when its maintenance expired")
	}
	c.run(15 * time.Minute)
	if st := c.n.BlockStats(); st.UnderReplicated != 0 {
		t.Errorf("%d blocks still under-replicated 5 minutes after the expiry", st.UnderReplicated)
	}
}

// With dfs.namenode.maintenance.replication.min 0 a node is in maintenance
// at once (HeartbeatManager.startMaintenance); with it at 2, entering
// maintenance waits for blocks to have two live replicas elsewhere, and
// re-replicates those with fewer.
func TestMaintenanceMinReplication(t *testing.T) {
	cfg := blockConfig(1, 0, 3, nil)
	cfg.Admin.MaintenanceMinReplication = 0
	c := newCluster(t, cfg, 3, 6, 30)
	c.run(10 * time.Second)
	if err := c.n.StartMaintenance(c.now, "d0", 0); err != nil {
		t.Fatal(err)
	}
	if got := c.admin("d0"); got != InMaintenance {
		t.Errorf("maintenance min 0: %v, want in maintenance at once", got)
	}
	cfg = blockConfig(1, 0, 2, nil)
	cfg.Admin.MaintenanceMinReplication = 2
	c = newCluster(t, cfg, 2, 6, 60)
	c.run(10 * time.Second)
	if err := c.n.StartMaintenance(c.now, "d0", 0); err != nil {
		t.Fatal(err)
	}
	c.run(34 * time.Second) // the monitor at 30s queues, the round at 33s schedules
	if got := c.admin("d0"); got != EnteringMaintenance || c.n.BlockStats().Scheduled == 0 {
		t.Fatalf("RF 2, min 2: %v with %d scheduled after the first run; want entering and its blocks scheduled",
			got, c.n.BlockStats().Scheduled)
	}
	c.run(5 * time.Minute)
	if got := c.admin("d0"); got != InMaintenance {
		t.Fatalf("after re-replication: %v, want in maintenance", got)
	}
}

// dfs.namenode.decommission.max.concurrent.tracked.nodes: beyond the
// limit, a node waits in the queue until a tracked one is done.
func TestDecommissionTrackedNodesLimit(t *testing.T) {
	cfg := blockConfig(1, 0, 3, nil)
	cfg.Admin.MaxTrackedNodes = 1
	c := newCluster(t, cfg, 3, 9, 90)
	c.run(10 * time.Second)
	for _, id := range []string{"d0", "d1"} {
		if err := c.n.Decommission(c.now, id); err != nil {
			t.Fatal(err)
		}
	}
	c.run(31 * time.Second)
	if len(c.n.adm.tracked) != 1 || len(c.n.adm.queue) != 1 {
		t.Fatalf("tracked %d, queued %d; want 1 and 1", len(c.n.adm.tracked), len(c.n.adm.queue))
	}
	var first, second time.Duration
	for c.now < 30*time.Minute && second == 0 {
		c.run(c.now + time.Second)
		if first == 0 && c.admin("d0") == Decommissioned {
			first = c.now
		}
		if c.admin("d1") == Decommissioned {
			second = c.now
		}
	}
	if first == 0 || second <= first {
		t.Fatalf("d0 decommissioned at %v, d1 at %v; want d1 after d0", first, second)
	}
}

// The monitor checks at most dfs.namenode.decommission.blocks.per.interval
// blocks per run: with a limit below one node's blocks, the second tracked
// node waits a run.
func TestDecommissionBlocksPerInterval(t *testing.T) {
	cfg := blockConfig(1, 0, 3, nil)
	cfg.Admin.BlocksPerInterval = 10
	c := newCluster(t, cfg, 3, 9, 300)
	c.run(10 * time.Second)
	for _, id := range []string{"d0", "d1"} {
		if err := c.n.Decommission(c.now, id); err != nil {
			t.Fatal(err)
		}
	}
	c.run(31 * time.Second)
	scanned := 0
	for _, tr := range c.n.adm.tracked {
		if tr.full {
			scanned++
		}
	}
	if scanned != 1 {
		t.Fatalf("%d nodes scanned at the first run, want 1 (its full scan exceeds 10 blocks)", scanned)
	}
	c.run(61 * time.Second)
	for _, tr := range c.n.adm.tracked {
		if !tr.full {
			t.Fatalf("node %d still unscanned at the second run", tr.node)
		}
	}
}

// Read order (DatanodeManager.sortLocatedBlock): in service first, then
// entering maintenance, decommissioning, decommissioned.
func TestReadOrderAdminStates(t *testing.T) {
	r := newRig(t, blockConfig(1, 1, 4, nil), []string{"a", "b", "c", "d"},
		map[string][]int64{"a": {0}, "b": {0}, "c": {0}, "d": {0}})
	n := r.n
	n.nodes[idx(t, n, "a")].admin = Decommissioned
	n.nodes[idx(t, n, "b")].admin = Decommissioning
	n.nodes[idx(t, n, "c")].admin = EnteringMaintenance
	for trial := 0; trial < 10; trial++ {
		if got := n.Locations(0, time.Duration(trial), nil); fmt.Sprint(got) != "[d c b a]" {
			t.Fatalf("read order %v, want [d c b a]", got)
		}
	}
}
