package network

import "time"

// Endpoint is a party on the simulated network: a DataNode's index (0 and
// up), the NameNode, or the HDFS client.
type Endpoint int32

// Endpoints that are not DataNodes.
const (
	NameNode Endpoint = -1
	Client   Endpoint = -2
)

// GroupCut is a partition between two groups of DataNodes. Side holds,
// per DataNode, 1 or 2 for members and 0 for others; NameNode is the
// NameNode's side (0: reachable from both). Dir is Both, Down (messages
// into side 2 are lost) or Up (messages out of side 2 are).
type GroupCut struct {
	Side     []uint8
	NameNode uint8
	Dir      Dir
	// ID names the cut, to lift it again.
	ID int
}

func (g *GroupCut) sideOf(e Endpoint) uint8 {
	switch {
	case e == NameNode:
		return g.NameNode
	case e < 0:
		return 0 // clients stand outside any group
	}
	return g.Side[e]
}

func (g *GroupCut) cuts(from, to Endpoint) bool {
	sa, sb := g.sideOf(from), g.sideOf(to)
	if sa == 0 || sb == 0 || sa == sb {
		return false
	}
	switch g.Dir {
	case Down:
		return sb == 2
	case Up:
		return sa == 2
	}
	return true
}

// Net is the simulator's network: the network: section's impairment on
// every message, plus the faults in force on DataNodes' links and between
// groups. A fault on a DataNode's link applies to every message it sends
// (Up) or receives (Down), whoever the other end is: a partitioned node
// is cut from the NameNode, clients and peers alike.
type Net struct {
	base Fault
	// baseBad is each DataNode's Gilbert–Elliott state under the base
	// burst model (nil when bursts are off).
	baseBad []bool
	links   map[Endpoint]*Link
	groups  []GroupCut
	// faulty counts faults in force on links; at zero a message touches
	// no per-node state.
	faulty int
}

// NewNet returns a network of nodes DataNodes with base on every message.
func NewNet(base Fault, nodes int) *Net {
	n := &Net{base: base, links: map[Endpoint]*Link{}}
	if base.Burst.Enter > 0 {
		n.baseBad = make([]bool, nodes)
	}
	return n
}

// Base is the impairment every message gets.
func (n *Net) Base() Fault { return n.base }

// Quiet reports whether no fault is in force anywhere: every message then
// gets the base impairment only.
func (n *Net) Quiet() bool { return n.faulty == 0 && len(n.groups) == 0 }

// QuietAt reports whether no fault is in force on e's link.
func (n *Net) QuietAt(e Endpoint) bool {
	l := n.links[e]
	return l == nil || l.Len() == 0
}

// AddFault puts f in force on DataNode e's link.
func (n *Net) AddFault(e Endpoint, f Fault) {
	l := n.links[e]
	if l == nil {
		l = &Link{}
		n.links[e] = l
	}
	l.Add(f)
	n.faulty++
}

// RemoveFault lifts one fault equal to f from e's link.
func (n *Net) RemoveFault(e Endpoint, f Fault) {
	if l := n.links[e]; l != nil && l.Remove(f) {
		n.faulty--
		if l.Len() == 0 {
			delete(n.links, e)
		}
	}
}

// AddGroupCut puts a partition between groups in force.
func (n *Net) AddGroupCut(g GroupCut) { n.groups = append(n.groups, g) }

// RemoveGroupCut lifts the group cut with id.
func (n *Net) RemoveGroupCut(id int) {
	for k, g := range n.groups {
		if g.ID == id {
			n.groups = append(n.groups[:k], n.groups[k+1:]...)
			return
		}
	}
}

// Cut reports whether a partition in force loses messages from one
// endpoint to another (the simulator drops; it never holds).
func (n *Net) Cut(from, to Endpoint) bool {
	if n.faulty > 0 {
		if l := n.link(from); l != nil {
			if lost, held := l.cut(Up, true); lost || held {
				return true
			}
		}
		if l := n.link(to); l != nil {
			if lost, held := l.cut(Down, true); lost || held {
				return true
			}
		}
	}
	for k := range n.groups {
		if n.groups[k].cuts(from, to) {
			return true
		}
	}
	return false
}

func (n *Net) link(e Endpoint) *Link {
	if e < 0 {
		return nil
	}
	return n.links[e]
}

// Fate decides one message from one endpoint to another, with d its draws.
func (n *Net) Fate(from, to Endpoint, d *Draws) Verdict {
	if !n.Quiet() && n.Cut(from, to) {
		return Verdict{Lost: true}
	}
	b := &n.base
	if b.Loss > 0 && d.Float64() < b.Loss {
		return Verdict{Lost: true}
	}
	if n.baseBad != nil {
		for _, e := range [2]Endpoint{from, to} {
			if e >= 0 && step(&n.baseBad[e], b.Burst, d) {
				return Verdict{Lost: true}
			}
		}
	}
	var lf, lt *Link
	if n.faulty > 0 {
		lf, lt = n.link(from), n.link(to)
		if lf != nil && lf.lose(Up, d) || lt != nil && lt.lose(Down, d) {
			return Verdict{Lost: true}
		}
	}
	t := b.delay(d)
	if lf != nil {
		t += lf.delay(Up, d)
	}
	if lt != nil {
		t += lt.delay(Down, d)
	}
	return Verdict{Delay: max(t, 0)}
}

// GroupCut reports whether a partition between groups is in force.
func (n *Net) GroupCut() bool { return len(n.groups) > 0 }

// CutOff reports whether a partition on e's own link drops every message
// it sends and every message sent to it: until a fault step changes the
// network, nothing e does reaches another endpoint and nothing reaches e.
func (n *Net) CutOff(e Endpoint) bool {
	if n.faulty == 0 || len(n.groups) > 0 {
		return false
	}
	l := n.link(e)
	if l == nil {
		return false
	}
	upLost, upHeld := l.cut(Up, true)
	downLost, downHeld := l.cut(Down, true)
	return (upLost || upHeld) && (downLost || downHeld)
}

// QuietFor reports whether messages to and from e get the base impairment
// only: no group cut and no fault on e's link in force.
func (n *Net) QuietFor(e Endpoint) bool {
	return len(n.groups) == 0 && (n.faulty == 0 || n.QuietAt(e))
}

// Stateless reports whether a message's fate depends on its draws alone:
// no Gilbert–Elliott chain carries state from one message to the next.
// Faults on links may have chains of their own; QuietFor excludes those.
func (n *Net) Stateless() bool { return n.baseBad == nil }

// Bounds returns the least and the greatest delay any message can get and
// reports whether the network promises them with no loss to every
// endpoint it is quiet for (QuietFor): no partition between groups, no
// loss or burst in the base impairment, and a latency whose draws are
// bounded (constant or uniform, jitter or not). A runtime may then reason
// about many messages without drawing each one.
func (n *Net) Bounds() (lo, hi time.Duration, ok bool) {
	b := &n.base
	if n.GroupCut() || !n.Stateless() || b.Loss > 0 || b.Burst.Enter > 0 {
		return 0, 0, false
	}
	switch l := b.Latency; l.Dist {
	case "uniform":
		lo, hi = l.Min, l.Max
		if l.Max <= l.Min {
			lo = clamp(float64(l.Min))
			hi = lo
		}
	case "normal", "lognormal", "pareto":
		return 0, 0, false
	default:
		lo = clamp(float64(l.Value))
		hi = lo
	}
	return max(lo-b.Jitter, 0), hi + b.Jitter, true
}
