package report

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// View states as reports name them; ViewUnregistered is the state before a
// node's first registration.
const (
	ViewUnregistered = ""
	ViewLive         = "live"
	ViewStale        = "stale"
	ViewDead         = "dead"
)

// Ground-truth bands: stretches when the process was not running normally.
// Killed, paused and partitioned silence a node; slow, lossy and drifting
// only degrade it (heartbeats late, some lost, or on a wrong clock); split
// cuts it from the other side of a group partition while the NameNode
// still hears it.
const (
	BandKilled      = "killed"
	BandPaused      = "paused"
	BandPartitioned = "partitioned"
	BandSlow        = "slow"
	BandLossy       = "lossy"
	BandDrifting    = "drifting"
	BandSplit       = "split"
	// BandOverloaded is the NameNode's own: its RPC queue is too slow.
	BandOverloaded = "overloaded"
)

// truthKinds maps each ground-truth event kind to the band it opens or
// closes. It is the one place a new fault kind needs adding for every
// timeline (terminal strip, HTML, explanations) to draw it.
var truthKinds = map[string]struct {
	Band string
	Open bool
}{
	"kill":        {BandKilled, true},
	"shutdown":    {BandKilled, true},
	"restart":     {BandKilled, false},
	"pause":       {BandPaused, true},
	"resume":      {BandPaused, false},
	"partition":   {BandPartitioned, true},
	"heal":        {BandPartitioned, false},
	"slow":        {BandSlow, true},
	"slow-end":    {BandSlow, false},
	"loss":        {BandLossy, true},
	"loss-end":    {BandLossy, false},
	"clock_drift": {BandDrifting, true},
	"drift-end":   {BandDrifting, false},
	// The NameNode's own fault; it opens a band on the NameNode's lane.
	"namenode_overload": {BandOverloaded, true},
	"overload-end":      {BandOverloaded, false},
}

// GroupPartition is a partition between two groups of nodes, as the
// scenario states it. The trace records one NameNode-wide event for it
// (Node "namenode", the groups only in words), so whoever has the scenario
// (the CLI) passes its members in Meta, and the members get bands of
// their own. It is not part of the JSON report.
type GroupPartition struct {
	FromMs, ToMs float64 // ToMs is the run's end when the cut never heals
	Groups       [2][]string
	// NameNodeSide is 1 or 2 for the group the NameNode is in; 0 when
	// the NameNode reaches both.
	NameNodeSide int
	Direction    string // both, to or from, as in the scenario
}

// bandFor says which band a member of g gets and why: the side away from
// the NameNode is partitioned (cut from the NameNode, as a per-node
// partition is); with the NameNode reaching both sides, both are split
// from each other only.
func (g GroupPartition) bandFor(side int) (band, why string) {
	other := g.Groups[1-side]
	switch {
	case g.NameNodeSide == 0:
		return BandSplit, fmt.Sprintf("group partition (%s): cut from %s; the NameNode still hears both sides", g.Direction, strings.Join(other, ", "))
	case g.NameNodeSide == side+1:
		return "", ""
	}
	return BandPartitioned, fmt.Sprintf("group partition (%s): cut, with %s, from the NameNode and %s",
		g.Direction, strings.Join(g.Groups[side], ", "), strings.Join(other, ", "))
}

// TruthBand says which ground-truth band an event kind opens or closes;
// ok is false for kinds that are not ground truth (transitions, verdicts).
func TruthBand(kind string) (band string, open, ok bool) {
	k, ok := truthKinds[kind]
	return k.Band, k.Open, ok
}

// Span is a stretch of time a node spent in one state, [FromMs, ToMs).
type Span struct {
	FromMs, ToMs float64
	State        string
	// Reason is why the state began: the transition's or fault's reason.
	Reason string
	// Mistake marks a dead span declared while the process was running
	// (not killed): a false positive.
	Mistake bool
}

// NodeSpans is one node's run as two lanes: what the NameNode believed and
// what really happened.
type NodeSpans struct {
	ID string
	// View covers the whole run, from 0 to the end, without gaps; its
	// first span is ViewUnregistered until the node registers.
	View []Span
	// Truth holds only the faults (killed, paused, partitioned, slow,
	// lossy, drifting, split); between them the process ran normally.
	// Different bands may overlap.
	Truth []Span
	// Watchers holds, for each detector that only watched (the report's
	// Detectors after the first, in that order), what it would have
	// believed, built from its verdicts like View from transitions.
	Watchers []WatcherSpans
}

// WatcherSpans is one watching detector's view of one node.
type WatcherSpans struct {
	Detector string
	View     []Span
}

// NameNodeSpans are the NameNode's own faults (overloaded), and the group
// partitions it records as its events, as ground-truth bands over the run;
// nil when it had none.
func (r *Report) NameNodeSpans() []Span {
	var out []Span
	open := map[string]Span{}
	depth := map[string]int{}
	for _, e := range r.Events {
		if e.Node != NameNodeID {
			continue
		}
		band, isOpen, ok := TruthBand(e.Kind)
		if !ok {
			continue
		}
		if isOpen {
			if depth[band] == 0 {
				open[band] = Span{FromMs: e.TMs, State: band, Reason: e.Reason}
			}
			depth[band]++
			continue
		}
		if depth[band] == 0 {
			continue
		}
		if depth[band]--; depth[band] == 0 {
			s := open[band]
			s.ToMs = e.TMs
			out = appendSpan(out, s)
		}
	}
	for _, b := range sortedKeys(depth) {
		if depth[b] > 0 {
			s := open[b]
			s.ToMs = r.DurationMs
			out = appendSpan(out, s)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].FromMs < out[b].FromMs })
	return out
}

// NameNodeID names the NameNode in events about it, as trace.NameNodeID.
const NameNodeID = "namenode"

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Spans splits the report's events into per-node lanes, one per report
// node, in the report's order; events about anything else (the NameNode's
// own, see NameNodeSpans) are left out. Members of a group partition get
// its band from r.GroupPartitions. Zero-length spans are dropped: they
// cannot be drawn and carry no time.
func (r *Report) Spans() []NodeSpans {
	l := r.lanes()
	out := make([]NodeSpans, len(r.Nodes))
	for i := range out {
		l.lane(i, &out[i])
	}
	return out
}

// lanes indexes a report's events by node, so that one node's spans are
// built alone, in time and memory proportional to its own events: the
// strip of a million nodes draws them one at a time instead of holding
// every node's spans at once. Not safe for concurrent use.
type lanes struct {
	r        *Report
	watchers []string       // the detectors that only watched, in order
	watcher  map[string]int // index in watchers, by name
	// The events of node i are r.Events[k] for k in ev[start[i]:start[i+1]],
	// in the report's order.
	start, ev []int
	// groups holds the group partitions' bands of their members.
	groups map[int][]Span
	walk   laneWalk // reused from node to node
}

// laneWalk is one node's walk through its events.
type laneWalk struct {
	view  Span       // the view span in progress
	bands []openBand // truth bands seen, open or not
	watch []Span     // each watcher's span in progress
}

// openBand is a truth band in progress: faults of one band may overlap,
// depth counts those open; the band is open while depth > 0.
type openBand struct {
	band  string
	depth int
	span  Span
}

// band finds the walk's entry for a band, adding it closed.
func (w *laneWalk) band(band string) *openBand {
	for k := range w.bands {
		if w.bands[k].band == band {
			return &w.bands[k]
		}
	}
	w.bands = append(w.bands, openBand{band: band})
	return &w.bands[len(w.bands)-1]
}

func (r *Report) lanes() *lanes {
	l := &lanes{r: r, start: make([]int, len(r.Nodes)+1)}
	if len(r.Detectors) > 1 {
		l.watchers = r.Detectors[1:]
	}
	l.watcher = make(map[string]int, len(l.watchers))
	for k, d := range l.watchers {
		l.watcher[d] = k
	}
	idx := make(map[string]int, len(r.Nodes))
	for i, n := range r.Nodes {
		idx[n.ID] = i
	}
	// A counting sort of the events by node: count, sum, place.
	of := make([]int, len(r.Events)) // node index of each event, -1 for none
	for k, e := range r.Events {
		i, ok := idx[e.Node]
		if !ok {
			// Not a DataNode of the report: the NameNode itself
			// (overload, a partition between groups) has no row.
			of[k] = -1
			continue
		}
		of[k] = i
		l.start[i+1]++
	}
	for i := range r.Nodes {
		l.start[i+1] += l.start[i]
	}
	l.ev = make([]int, l.start[len(r.Nodes)])
	next := append([]int(nil), l.start[:len(r.Nodes)]...)
	for k, i := range of {
		if i >= 0 {
			l.ev[next[i]] = k
			next[i]++
		}
	}
	for _, g := range r.GroupPartitions {
		for side, ids := range g.Groups {
			band, why := g.bandFor(side)
			if band == "" {
				continue
			}
			for _, id := range ids {
				if i, ok := idx[id]; ok {
					if l.groups == nil {
						l.groups = map[int][]Span{}
					}
					l.groups[i] = append(l.groups[i], Span{FromMs: g.FromMs, ToMs: min(g.ToMs, r.DurationMs), State: band, Reason: why})
				}
			}
		}
	}
	return l
}

// lane builds node i's spans into ns, reusing its slices.
func (l *lanes) lane(i int, ns *NodeSpans) {
	r := l.r
	end := r.DurationMs
	ns.ID = r.Nodes[i].ID
	ns.View, ns.Truth = ns.View[:0], ns.Truth[:0]
	watchers := ns.Watchers[:0]
	for k, d := range l.watchers {
		var view []Span
		if k < cap(ns.Watchers) {
			view = ns.Watchers[:k+1][k].View[:0]
		}
		watchers = append(watchers, WatcherSpans{Detector: d, View: view})
	}
	ns.Watchers = watchers
	w := &l.walk
	w.view = Span{}
	w.bands = w.bands[:0]
	w.watch = w.watch[:0]
	for range l.watchers {
		w.watch = append(w.watch, Span{})
	}
	for _, k := range l.ev[l.start[i]:l.start[i+1]] {
		e := &r.Events[k]
		if band, open, ok := TruthBand(e.Kind); ok {
			b := w.band(band)
			switch {
			case open:
				if b.depth == 0 {
					b.span = Span{FromMs: e.TMs, State: band, Reason: e.Reason}
				}
				b.depth++
			case b.depth > 0:
				if b.depth--; b.depth == 0 {
					s := b.span
					s.ToMs = e.TMs
					ns.Truth = appendSpan(ns.Truth, s)
				}
			}
			continue
		}
		killed := w.band(BandKilled).depth > 0
		switch e.Kind {
		case "transition":
			if len(ns.View) == 0 && w.view.State == ViewUnregistered {
				// A detector that never registers nodes (gossip: every
				// member starts trusted) says what the node was before.
				w.view.State = e.From
			}
			w.view.ToMs = e.TMs
			ns.View = appendSpan(ns.View, w.view)
			w.view = Span{FromMs: e.TMs, State: e.To, Reason: e.Reason}
			// As Build counts false positives: a dead declaration while the
			// process is not known to be killed.
			w.view.Mistake = e.To == ViewDead && !killed
			if e.From == ViewUnregistered && e.To == ViewLive {
				// The watchers hear the same registration; they send no
				// verdict for it.
				for k := range l.watchers {
					if w.watch[k].State == ViewUnregistered {
						ws := &ns.Watchers[k]
						w.watch[k].ToMs = e.TMs
						ws.View = appendSpan(ws.View, w.watch[k])
						w.watch[k] = Span{FromMs: e.TMs, State: ViewLive, Reason: e.Reason}
					}
				}
			}
		case "verdict":
			k, ok := l.watcher[e.Detector]
			if !ok {
				continue
			}
			ws := &ns.Watchers[k]
			if len(ws.View) == 0 && w.watch[k].State == ViewUnregistered {
				w.watch[k].State = e.From
			}
			w.watch[k].ToMs = e.TMs
			ws.View = appendSpan(ws.View, w.watch[k])
			w.watch[k] = Span{FromMs: e.TMs, State: e.To, Reason: e.Reason, Mistake: e.To == ViewDead && !killed}
		}
	}
	if len(ns.View) == 0 && w.view.State == ViewUnregistered {
		// No transition at all: the node stayed as the run ended
		// (a gossip member never suspected; a node never registered).
		w.view.State = r.Nodes[i].State
	}
	w.view.ToMs = end
	ns.View = appendSpan(ns.View, w.view)
	for k := range w.watch {
		w.watch[k].ToMs = end
		ns.Watchers[k].View = appendSpan(ns.Watchers[k].View, w.watch[k])
	}
	// Bands still open close at the end, in order of their names.
	slices.SortFunc(w.bands, func(a, b openBand) int { return strings.Compare(a.band, b.band) })
	for _, b := range w.bands {
		if b.depth > 0 {
			s := b.span
			s.ToMs = end
			ns.Truth = appendSpan(ns.Truth, s)
		}
	}
	for _, s := range l.groups[i] {
		ns.Truth = appendSpan(ns.Truth, s)
	}
	slices.SortStableFunc(ns.Truth, func(a, b Span) int { return cmp.Compare(a.FromMs, b.FromMs) })
}

func appendSpan(spans []Span, s Span) []Span {
	if s.ToMs <= s.FromMs {
		return spans
	}
	return append(spans, s)
}
