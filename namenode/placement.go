package namenode

import (
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// DefaultRack is the rack of a node the topology does not name (HDFS's
// /default-rack).
const DefaultRack = "default-rack"

// topology places registered nodes on racks, for HDFS's rack-aware
// placement (BlockPlacementPolicyDefault). A node is in the topology from
// its registration until it is declared dead (NetworkTopology.add and
// remove in DatanodeManager).
type topology struct {
	rackOf        []int32   // per node
	members       [][]int32 // per rack, every registered node
	names         []string
	index         map[string]int32
	liveNodes     []int32 // per rack, nodes not dead
	liveRacks     int     // racks with a node not dead
	everMultiRack bool    // hasClusterEverBeenMultiRack
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
		t.everMultiRack = t.everMultiRack || t.liveRacks > 1
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
	maxLoad    float64 // considerLoad's bound; 0: none
	rnd        draws
	excluded   []int32 // holders and pending targets: never targets
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

// good is isGoodDatanode: node i may take a replica of the block if it is
// in service, not stale while avoiding stale nodes, not busier than
// considerLoad allows (when load is set), not on a full rack, and has
// room.
func (c *chooser) good(i int32, load bool) bool {
	n := c.n
	nd := &n.nodes[i]
	if nd.state == Dead || nd.state == Unregistered || nd.admin != InService || slices.Contains(c.excluded, i) {
		return false
	}
	if c.avoidStale && n.staleAt(int(i), c.now) {
		return false
	}
	st := n.statsOf(int(i))
	if load && c.maxLoad > 0 && float64(st.Xceivers) > c.maxLoad {
		return false
	}
	if cap := st.Capacity; cap > 0 && st.Used+n.cfg.Blocks.BlockSize > cap {
		return false
	}
	r := n.topo.rackOf[i]
	onRack := 1
	for _, x := range c.results {
		if x == i {
			return false
		}
		if n.topo.rackOf[x] == r {
			onRack++
		}
	}
	return onRack <= c.maxPerRack
}

// random picks a good node from cands (nil: every node), on rack only
// (−1: any) and not on rack skip (−1: none): a few random draws, then a
// scan from a random start, so every good node can be picked.
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
	ok := func(i int32) bool {
		return (skip < 0 || c.n.topo.rackOf[i] != skip) && c.good(i, c.n.cfg.Blocks.ConsiderLoad)
	}
	for try := 0; try < 8; try++ {
		if i := at(c.rnd.intN(size)); ok(i) {
			return i
		}
	}
	start := c.rnd.intN(size)
	for k := 0; k < size; k++ {
		if i := at((start + k) % size); ok(i) {
			return i
		}
	}
	return -1
}

func (c *chooser) onRack(of int32) int32 { return c.random(c.n.topo.members[c.n.topo.rackOf[of]], -1) }

// localRack is chooseLocalRack: a node on of's rack; failing that, on the
// rack of the first other replica (chooseFromNextRack); failing that,
// anywhere. of −1 means anywhere.
func (c *chooser) localRack(of int32) int32 {
	if of < 0 {
		return c.random(nil, -1)
	}
	if i := c.onRack(of); i >= 0 {
		return i
	}
	for _, x := range c.results {
		if x != of {
			if i := c.onRack(x); i >= 0 {
				return i
			}
			break
		}
	}
	return c.random(nil, -1)
}

// remoteRack is chooseRemoteRack: a node off of's rack; failing that, one
// on it.
func (c *chooser) remoteRack(of int32) int32 {
	if i := c.random(nil, c.n.topo.rackOf[of]); i >= 0 {
		return i
	}
	return c.onRack(of)
}

// local is chooseLocalStorage with its fallback: the writer itself if it
// is a good target (its load not considered), else a node on its rack.
func (c *chooser) local(writer int32) int32 {
	if writer >= 0 && c.good(writer, false) {
		return writer
	}
	return c.localRack(writer)
}

// inOrder is chooseTargetInOrder for need more targets after the results
// so far: the first replica local to the writer, the second off the first's
// rack, the third on the second's rack (for a new block) or the writer's
// (for re-replication) unless the first two share a rack, the rest
// anywhere. It stops at the first replica it cannot place.
func (c *chooser) inOrder(need int, writer int32, newBlock bool) {
	add := func(i int32) bool {
		if i < 0 {
			return false
		}
		c.results = append(c.results, i)
		need--
		return need > 0
	}
	results := len(c.results)
	if results == 0 {
		i := c.local(writer)
		writer = i
		if !add(i) {
			return
		}
	}
	dn0 := c.results[0]
	if results <= 1 {
		if !add(c.remoteRack(dn0)) {
			return
		}
	}
	if results <= 2 {
		dn1 := c.results[1]
		var i int32
		switch rack := c.n.topo.rackOf; {
		case rack[dn0] == rack[dn1]:
			i = c.remoteRack(dn0)
		case newBlock:
			i = c.localRack(dn1)
		default:
			i = c.localRack(writer)
		}
		if !add(i) {
			return
		}
	}
	for add(c.random(nil, -1)) {
	}
}

// chooseTargets is BlockPlacementPolicyDefault.chooseTarget: need new
// targets for block b, whose live replicas are chosen (counted as already
// placed) and whose holders and pending targets are excluded; writer is
// the writer or the source, −1 for a client outside the cluster. Stale
// nodes are avoided while the NameNode avoids them for writes, and if too
// few targets are found that way the rest are chosen again without
// avoidance.
func (n *NameNode) chooseTargets(now time.Duration, b int32, need int, chosen, excluded []int32, writer int32, newBlock bool) []int32 {
	return n.place(n.draws(rng.Placement, uint64(b), now), now, need, chosen, excluded, writer, newBlock)
}

// place is chooseTargets with the decision's random numbers given.
func (n *NameNode) place(rnd draws, now time.Duration, need int, chosen, excluded []int32, writer int32, newBlock bool) []int32 {
	// getMaxNodesPerRack: never more replicas than nodes.
	total := min(len(chosen)+need, n.count[Live]+n.count[Stale])
	need = total - len(chosen)
	if need <= 0 {
		return nil
	}
	c := chooser{n: n, now: now, avoidStale: n.WriteAvoidsStale(), rnd: rnd, excluded: excluded,
		maxPerRack: maxPerRack(total, n.topo.liveRacks),
		results:    append(make([]int32, 0, total), chosen...)}
	if n.cfg.Blocks.ConsiderLoad && n.inService > 0 {
		c.maxLoad = n.cfg.Blocks.ConsiderLoadFactor * float64(n.xceivers) / float64(n.inService)
	}
	c.inOrder(need, writer, newBlock)
	if len(c.results) < total && c.avoidStale {
		c.avoidStale = false
		c.inOrder(total-len(c.results), writer, newBlock)
	}
	return c.results[len(chosen):]
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
		for _, t := range n.place(n.draws(rng.Layout, uint64(b), 0), 0, n.bm.rf, nil, nil, -1, true) {
			out[t] = append(out[t], int32(b))
		}
	}
	return out, nil
}
