package report

import "strings"

// A fold stands for a run of repeated transitions of one node as one
// timeline row: threshold-too-low declares each of its nodes dead and
// alive again about ninety times, and ninety pairs of rows per node hide
// everything else.
type fold struct {
	// Events are the indexes of the folded events in the report, in
	// order; the row stands where the first one was.
	Events []int
	// Cycle is the states the node went round, from the first ("live",
	// "dead"); Times counts the cycle's first transition.
	Cycle []string
	Times int
}

// item is one row of a timeline: an event alone (Fold nil) or a fold of
// several, led by event Index.
type item struct {
	Index int
	Fold  *fold
}

// minCycles is how often a cycle must repeat to fold: twice is still a
// story worth reading row by row ("dead, back, dead again").
const minCycles = 3

// foldEvents lists the events of the timeline as rows. skip marks events
// shown elsewhere (the start-up registrations). With full every event is
// its own row; otherwise runs of at least minCycles repeats of a cycle of
// two or three states, by one detector about one node with no fault of
// that node (or of the NameNode) in between, become one row.
func foldEvents(events []Event, skip func(int) bool, full bool) []item {
	folded := map[int]*fold{} // first event index → its fold
	inFold := map[int]bool{}
	if !full {
		for _, seq := range transitionRuns(events, skip) {
			for _, fd := range findFolds(events, seq) {
				folded[fd.Events[0]] = fd
				for _, i := range fd.Events {
					inFold[i] = true
				}
			}
		}
	}
	var out []item
	for i := range events {
		if skip != nil && skip(i) {
			continue
		}
		if fd, ok := folded[i]; ok {
			out = append(out, item{Index: i, Fold: fd})
			continue
		}
		if !inFold[i] {
			out = append(out, item{Index: i})
		}
	}
	return out
}

// transitionRuns splits the transitions and verdicts into sequences per
// node and detector, cut wherever a fault of that node or of the NameNode
// starts or ends: a fold never hides the moment a fault changed things.
// Faults are counted, per node and for the NameNode, rather than cutting
// every open sequence at once: a sequence ends when a count moved since
// its last event, so each event costs the same however many are open.
func transitionRuns(events []Event, skip func(int) bool) [][]int {
	type key struct{ node, kind, detector string }
	type run struct {
		events        []int
		node, cluster int // the fault counts at its last event
	}
	open := map[key]*run{}
	var order []key // in order of their first event
	faults := map[string]int{}
	cluster := 0 // the NameNode's faults
	var out [][]int
	for i, e := range events {
		if _, _, truth := TruthBand(e.Kind); truth {
			if e.Node == NameNodeID {
				cluster++
			} else {
				faults[e.Node]++
			}
			continue
		}
		if (e.Kind != "transition" && e.Kind != "verdict") || (skip != nil && skip(i)) {
			continue
		}
		k := key{e.Node, e.Kind, e.Detector}
		ru, ok := open[k]
		switch {
		case !ok:
			ru = &run{}
			open[k] = ru
			order = append(order, k)
		case ru.node != faults[e.Node] || ru.cluster != cluster:
			out = append(out, ru.events)
			ru.events = nil
		}
		ru.node, ru.cluster = faults[e.Node], cluster
		ru.events = append(ru.events, i)
	}
	for _, k := range order {
		out = append(out, open[k].events)
	}
	return out
}

// findFolds finds, left to right, the longest runs of seq that repeat a
// cycle of two or three distinct states at least minCycles times.
func findFolds(events []Event, seq []int) []*fold {
	same := func(a, b int) bool {
		return events[seq[a]].From == events[seq[b]].From && events[seq[a]].To == events[seq[b]].To
	}
	var out []*fold
	for s := 0; s < len(seq); {
		bestP, bestLen := 0, 0
		for _, p := range []int{2, 3} {
			if s+p > len(seq) || !isCycle(events, seq[s:s+p]) {
				continue
			}
			n := p
			for s+n < len(seq) && same(s+n, s+n-p) {
				n++
			}
			if n >= minCycles*p && n > bestLen {
				bestP, bestLen = p, n
			}
		}
		if bestP == 0 {
			s++
			continue
		}
		fd := &fold{Events: append([]int(nil), seq[s:s+bestLen]...)}
		for _, i := range seq[s : s+bestP] {
			fd.Cycle = append(fd.Cycle, events[i].From)
		}
		for k := s; k < s+bestLen; k += bestP {
			fd.Times++
		}
		out = append(out, fd)
		s += bestLen
	}
	return out
}

// isCycle says whether transitions go round distinct states back to the
// first: live → dead, dead → live.
func isCycle(events []Event, idx []int) bool {
	seen := map[string]bool{}
	for k, i := range idx {
		e := events[i]
		if seen[e.From] || e.From == e.To {
			return false
		}
		seen[e.From] = true
		if k+1 < len(idx) && events[idx[k+1]].From != e.To {
			return false
		}
	}
	return events[idx[len(idx)-1]].To == events[idx[0]].From
}

// cycle names the states gone round, with name for each: "live ↔ dead",
// "live → stale → dead → live".
func (fd *fold) cycle(name func(string) string) string {
	if len(fd.Cycle) == 2 {
		return name(fd.Cycle[0]) + " ↔ " + name(fd.Cycle[1])
	}
	parts := make([]string, 0, len(fd.Cycle)+1)
	for _, s := range fd.Cycle {
		parts = append(parts, name(s))
	}
	return strings.Join(append(parts, name(fd.Cycle[0])), " → ")
}

// ends names the state a fold left the node in when it is not where the
// cycle started ("dead"), else "".
func (fd *fold) ends(events []Event) string {
	last := events[fd.Events[len(fd.Events)-1]].To
	if last == fd.Cycle[0] {
		return ""
	}
	return last
}
