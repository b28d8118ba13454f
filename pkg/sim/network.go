package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

// nameNode is the NameNode's endpoint number; DataNodes are 0..n-1.
const nameNode = -1

// network decides the fate of each message: lost, or delivered after a
// delay. Every draw comes from the simulation's one seeded source, in
// event order, so runs repeat exactly.
type network struct {
	cfg config.Network
	rng *rand.Rand
	// Per DataNode link (to and from the NameNode, and to peers):
	bad     []bool             // Gilbert–Elliott state
	cutTo   []int              // active partitions losing messages to the node
	cutFrom []int              // ... and from it
	loss    [][]float64        // active loss faults' probabilities
	slow    [][]config.Latency // active slow faults' added latencies
	groups  []groupCut         // active partitions between two groups
	// faulty counts active per-node faults (partitions, loss, slow
	// links). At zero a message touches no per-node state: with ten
	// thousand nodes that is the difference between cache hits and misses.
	faulty int
	// isolate makes a node's partition cut it from every peer, not only
	// from the NameNode (the gossip detector has none).
	isolate bool
}

// groupCut is a partition between two groups of nodes. side[i] is 1 or 2
// for members, 0 for others; nn is the NameNode's side (0: both).
type groupCut struct {
	side      []uint8
	nn        uint8
	direction string // both, to (into side 2 lost), from (out of side 2 lost)
	line      int    // the scenario event, to find it again at its end
}

func newNetwork(cfg config.Network, rng *rand.Rand, nodes int) *network {
	return &network{
		cfg:     cfg,
		rng:     rng,
		bad:     make([]bool, nodes),
		cutTo:   make([]int, nodes),
		cutFrom: make([]int, nodes),
		loss:    make([][]float64, nodes),
		slow:    make([][]config.Latency, nodes),
	}
}

// send decides one message from endpoint a to endpoint b: ok is false when
// it is lost.
func (n *network) send(a, b int) (delay time.Duration, ok bool) {
	if n.faulty > 0 || len(n.groups) > 0 {
		if n.cut(a, b) {
			return 0, false
		}
	}
	if n.cfg.Loss > 0 && n.rng.Float64() < n.cfg.Loss {
		return 0, false
	}
	if n.cfg.Burst.Enter > 0 || n.faulty > 0 {
		for _, end := range [2]int{a, b} {
			if end == nameNode {
				continue
			}
			if n.cfg.Burst.Enter > 0 && n.burstLost(end) {
				return 0, false
			}
			for _, p := range n.loss[end] {
				if n.rng.Float64() < p {
					return 0, false
				}
			}
		}
	}
	d := n.sample(n.cfg.Latency)
	if j := n.cfg.Jitter; j > 0 {
		d += time.Duration(n.rng.Int64N(2*int64(j)+1)) - j
	}
	if n.faulty > 0 {
		for _, end := range [2]int{a, b} {
			if end != nameNode {
				for _, l := range n.slow[end] {
					d += n.sample(l)
				}
			}
		}
	}
	return max(d, 0), true
}

// partition cuts node's messages to and/or from its peers (the NameNode,
// or everyone when isolating); heal undoes one partition.
func (n *network) partition(node int, direction string) {
	if direction != "from" {
		n.cutTo[node]++
	}
	if direction != "to" {
		n.cutFrom[node]++
	}
	n.faulty++
}

func (n *network) heal(node int, direction string) {
	if direction != "from" {
		n.cutTo[node]--
	}
	if direction != "to" {
		n.cutFrom[node]--
	}
	n.faulty--
}

func (n *network) addSlow(node int, l config.Latency) {
	n.slow[node] = append(n.slow[node], l)
	n.faulty++
}

func (n *network) removeSlow(node int, l config.Latency) {
	n.slow[node] = removeOne(n.slow[node], l)
	n.faulty--
}

func (n *network) addLoss(node int, p float64) {
	n.loss[node] = append(n.loss[node], p)
	n.faulty++
}

func (n *network) removeLoss(node int, p float64) {
	n.loss[node] = removeOne(n.loss[node], p)
	n.faulty--
}

// cut reports whether a partition loses messages from a to b.
func (n *network) cut(a, b int) bool {
	if a != nameNode && n.cutFrom[a] > 0 && (b == nameNode || n.isolate) {
		return true
	}
	if b != nameNode && n.cutTo[b] > 0 && (a == nameNode || n.isolate) {
		return true
	}
	for _, g := range n.groups {
		sa, sb := g.sideOf(a), g.sideOf(b)
		if sa == 0 || sb == 0 || sa == sb {
			continue
		}
		switch g.direction {
		case "both":
			return true
		case "to":
			if sb == 2 {
				return true
			}
		case "from":
			if sa == 2 {
				return true
			}
		}
	}
	return false
}

func (g groupCut) sideOf(end int) uint8 {
	if end == nameNode {
		return g.nn
	}
	return g.side[end]
}

// burstLost steps node's Gilbert–Elliott chain and draws the loss.
func (n *network) burstLost(node int) bool {
	b := n.cfg.Burst
	if n.bad[node] {
		if n.rng.Float64() < b.Leave {
			n.bad[node] = false
		}
	} else if n.rng.Float64() < b.Enter {
		n.bad[node] = true
	}
	return n.bad[node] && n.rng.Float64() < b.Loss
}

// z99 is the 99th percentile of the standard normal distribution.
const z99 = 2.3263478740408408

// sample draws one delay from a latency distribution.
func (n *network) sample(l config.Latency) time.Duration {
	switch l.Dist {
	case "uniform":
		if l.Max == l.Min {
			return l.Min
		}
		return l.Min + time.Duration(n.rng.Int64N(int64(l.Max-l.Min)+1))
	case "normal":
		return max(time.Duration(float64(l.Mean)+n.rng.NormFloat64()*float64(l.Stddev)), 0)
	case "lognormal":
		// median = e^μ; p99 = e^(μ + z99·σ)
		mu := math.Log(float64(l.Median))
		sigma := (math.Log(float64(l.P99)) - mu) / z99
		return time.Duration(math.Exp(mu + sigma*n.rng.NormFloat64()))
	case "pareto":
		// inverse CDF: x = min / U^(1/α), capped so one draw cannot stall
		// the run for ever
		u := 1 - n.rng.Float64() // (0, 1]
		x := float64(l.Min) / math.Pow(u, 1/l.Alpha)
		return time.Duration(min(x, float64(time.Hour)))
	default:
		return l.Value
	}
}
