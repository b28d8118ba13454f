package namenode

import (
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// DefaultRack is the rack of a node the topology does not name (HDFS's
// /default-rack).
const DefaultRack = "default-rack"

// topology places registered nodes on racks, for HDFS's rack-aware
// placement (BlockPlacementPolicyDefault).
type topology struct {
	rackOf    []int32   // per node
	members   [][]int32 // per rack, every registered node
	names     []string
	index     map[string]int32
	liveNodes []int32 // per rack, nodes not dead
	liveRacks int     // racks with a node not dead
}

func (t *topology) add(rack string) int32 {
	r, ok := t.index[rack]
	if !ok {
		if t.index == nil {
			t.index = map[string]int32{}
		}
		r = int32(len(t.names))
		t.index[rack] = r
		t.names = append(t.names, rack)
		t.members = append(t.members, nil)
		t.liveNodes = append(t.liveNodes, 0)
	}
	node := int32(len(t.rackOf))
	t.rackOf = append(t.rackOf, r)
	t.members[r] = append(t.members[r], node)
	return r
}

// alive counts node i in (or out of) its rack's live nodes.
func (t *topology) alive(i int, up bool) {
	r := t.rackOf[i]
	if up {
		t.liveNodes[r]++
		if t.liveNodes[r] == 1 {
			t.liveRacks++
		}
		return
	}
	t.liveNodes[r]--
	if t.liveNodes[r] == 0 {
		t.liveRacks--
	}
}

// chooser picks targets for one block under HDFS's default policy.
type chooser struct {
	n          *NameNode
	now        time.Duration
	avoidStale bool
	maxPerRack int
	rnd        draws
	results    []int32 // replicas already held, then the targets chosen
}

// maxPerRack is HDFS's getMaxNodesPerRack: (total−1)/racks + 2, one less
// if that equals total; no cap on one rack.
func maxPerRack(total, racks int) int {
	if racks <= 1 || total <= 1 {
		return total
	}
	m := (total-1)/racks + 2
	if m == total {
		m--
	}
	return m
}

// good says whether node i may take a replica of the block.
func (c *chooser) good(i int32) bool {
	n := c.n
	nd := &n.nodes[i]
	if nd.State == Dead || nd.State == Unregistered {
		return false
	}
	if c.avoidStale && n.staleAt(int(i), c.now) {
		return false
	}
	if cap := nd.Stats.Capacity; cap > 0 && nd.Stats.Used+n.cfg.Blocks.BlockSize > cap {
		return false
	}
	r := n.topo.rackOf[i]
	onRack := 0
	for _, x := range c.results {
		if x == i {
			return false
		}
		if n.topo.rackOf[x] == r {
			onRack++
		}
	}
	return onRack < c.maxPerRack
}

// random picks a good node from cands (nil: every node), skipping those on
// rack skip (−1: none). A few random draws, then a scan from a random start.
func (c *chooser) random(cands []int32, skip int32) int32 {
	size := len(c.n.nodes)
	if cands != nil {
		size = len(cands)
	}
	if size == 0 {
		return -1
	}
	at := func(k int) int32 {
		if cands != nil {
			return cands[k]
		}
		return int32(k)
	}
	for try := 0; try < 8; try++ {
		i := at(c.rnd.intN(size))
		if (skip < 0 || c.n.topo.rackOf[i] != skip) && c.good(i) {
			return i
		}
	}
	start := c.rnd.intN(size)
	for k := 0; k < size; k++ {
		i := at((start + k) % size)
		if (skip < 0 || c.n.topo.rackOf[i] != skip) && c.good(i) {
			return i
		}
	}
	return -1
}

func (c *chooser) localRack(of int32) int32 {
	if i := c.random(c.n.topo.members[c.n.topo.rackOf[of]], -1); i >= 0 {
		return i
	}
	return c.random(nil, -1)
}

func (c *chooser) remoteRack(of int32) int32 {
	if i := c.random(nil, c.n.topo.rackOf[of]); i >= 0 {
		return i
	}
	return c.localRack(of)
}

// next chooses one more target, as BlockPlacementPolicyDefault's
// chooseTarget does for the number of results so far.
func (c *chooser) next(writer int32, newBlock bool) int32 {
	res := c.results
	switch len(res) {
	case 0:
		if writer >= 0 {
			if c.good(writer) {
				return writer
			}
			return c.localRack(writer)
		}
		return c.random(nil, -1)
	case 1:
		return c.remoteRack(res[0])
	case 2:
		rack := c.n.topo.rackOf
		switch {
		case rack[res[0]] == rack[res[1]]:
			return c.remoteRack(res[0])
		case newBlock || writer < 0:
			return c.localRack(res[1])
		default:
			return c.localRack(writer)
		}
	}
	return c.random(nil, -1)
}

// chooseTargets returns up to need new targets for a block whose replicas
// are on existing (treated as already chosen, as HDFS does for
// re-replication). writer is the writing or source node, −1 for none.
// With avoidStale, stale nodes are skipped; fallback, when set, retries
// once without that if too few were found (HDFS's behaviour for writes).
func (n *NameNode) chooseTargets(now time.Duration, b int32, need int, existing []int32, writer int32, avoidStale, fallback bool) []int32 {
	return n.place(n.draws(rng.Placement, uint64(b), now), now, need, existing, writer, avoidStale, fallback)
}

// place is chooseTargets with the decision's random numbers given.
func (n *NameNode) place(rnd draws, now time.Duration, need int, existing []int32, writer int32, avoidStale, fallback bool) []int32 {
	if need <= 0 {
		return nil
	}
	c := chooser{n: n, now: now, avoidStale: avoidStale, rnd: rnd,
		results: append(make([]int32, 0, len(existing)+need), existing...)}
	total := len(existing) + need
	c.maxPerRack = maxPerRack(total, n.topo.liveRacks)
	for len(c.results) < total {
		i := c.next(writer, len(existing) == 0)
		if i < 0 && c.avoidStale && fallback {
			c.avoidStale = false
			i = c.next(writer, len(existing) == 0)
		}
		if i < 0 {
			break
		}
		c.results = append(c.results, i)
	}
	return c.results[len(existing):]
}

// InitialLayout places blocks 0..blocks−1 on nodes (all up, racks by id as
// in racks; absent means DefaultRack) by the default policy, as if each had
// been written by a client outside the cluster. It returns each node's
// blocks, in node order. Block b's draws are keyed by cfg.Seed, the layout
// stream and b.
func InitialLayout(cfg Config, nodes []string, blocks int) ([][]int32, error) {
	cfg.Blocks.Enable = true
	cfg.Blocks.Blocks = 0
	n, err := New(cfg)
	if err != nil {
		return nil, err
	}
	for _, id := range nodes {
		n.register(0, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	out := make([][]int32, len(nodes))
	per := blocks * n.cfg.Blocks.Replication / max(len(nodes), 1)
	for i := range out {
		out[i] = make([]int32, 0, per+per/4+4)
	}
	for b := 0; b < blocks; b++ {
		for _, t := range n.place(n.draws(rng.Layout, uint64(b), 0), 0, n.bm.rf, nil, -1, false, false) {
			out[t] = append(out[t], int32(b))
		}
	}
	return out, nil
}
