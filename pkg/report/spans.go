package report

import "sort"

// View states as reports name them; ViewUnregistered is the state before a
// node's first registration.
const (
	ViewUnregistered = ""
	ViewLive         = "live"
	ViewStale        = "stale"
	ViewDead         = "dead"
)

// Ground-truth bands: stretches when the process was not running normally.
const (
	BandKilled      = "killed"
	BandPaused      = "paused"
	BandPartitioned = "partitioned"
)

// truthKinds maps each ground-truth event kind to the band it opens or
// closes. It is the one place a new fault kind needs adding for every
// timeline (terminal strip, HTML, explanations) to draw it.
var truthKinds = map[string]struct {
	Band string
	Open bool
}{
	"kill":      {BandKilled, true},
	"restart":   {BandKilled, false},
	"pause":     {BandPaused, true},
	"resume":    {BandPaused, false},
	"partition": {BandPartitioned, true},
	"heal":      {BandPartitioned, false},
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
	// Truth holds only the faults (killed, paused, partitioned); between
	// them the process ran normally. Different bands may overlap.
	Truth []Span
}

// Spans splits the report's events into per-node lanes, one per report
// node, in the report's order; events about anything else are left out. Zero-length spans are dropped: they cannot be drawn and
// carry no time.
func (r *Report) Spans() []NodeSpans {
	idx := make(map[string]int, len(r.Nodes))
	out := make([]NodeSpans, 0, len(r.Nodes))
	for _, n := range r.Nodes {
		idx[n.ID] = len(out)
		out = append(out, NodeSpans{ID: n.ID})
	}
	type walk struct {
		view Span            // the view span in progress
		open map[string]Span // truth bands in progress
	}
	walks := make([]walk, len(out))
	get := func(id string) *walk {
		i := idx[id]
		w := &walks[i]
		if w.open == nil {
			w.open = map[string]Span{}
		}
		return w
	}
	end := r.DurationMs
	for _, e := range r.Events {
		i, ok := idx[e.Node]
		if !ok {
			// Not a DataNode of the report: the NameNode itself
			// (overload, a partition between groups) has no row.
			continue
		}
		w := get(e.Node)
		if band, open, ok := TruthBand(e.Kind); ok {
			s, running := w.open[band]
			switch {
			case open && !running:
				w.open[band] = Span{FromMs: e.TMs, State: band, Reason: e.Reason}
			case !open && running:
				s.ToMs = e.TMs
				out[i].Truth = appendSpan(out[i].Truth, s)
				delete(w.open, band)
			}
			continue
		}
		if e.Kind != "transition" {
			continue
		}
		w.view.ToMs = e.TMs
		out[i].View = appendSpan(out[i].View, w.view)
		w.view = Span{FromMs: e.TMs, State: e.To, Reason: e.Reason}
		// As Build counts false positives: a dead declaration while the
		// process is not known to be killed.
		_, killed := w.open[BandKilled]
		w.view.Mistake = e.To == ViewDead && !killed
	}
	for i := range out {
		if i >= len(walks) || walks[i].open == nil {
			out[i].View = appendSpan(nil, Span{FromMs: 0, ToMs: end})
			continue
		}
		w := &walks[i]
		w.view.ToMs = end
		out[i].View = appendSpan(out[i].View, w.view)
		bands := make([]string, 0, len(w.open))
		for b := range w.open {
			bands = append(bands, b)
		}
		sort.Strings(bands) // map order is random; output must not be
		for _, b := range bands {
			s := w.open[b]
			s.ToMs = end
			out[i].Truth = appendSpan(out[i].Truth, s)
		}
		sort.SliceStable(out[i].Truth, func(a, b int) bool { return out[i].Truth[a].FromMs < out[i].Truth[b].FromMs })
	}
	return out
}

func appendSpan(spans []Span, s Span) []Span {
	if s.ToMs <= s.FromMs {
		return spans
	}
	return append(spans, s)
}
