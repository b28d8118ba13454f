package htmlreport

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// The gossip matrix: who suspects whom, as small multiples. Each fault of
// a gossip run gets a row of snapshots (the fault, the first suspicion,
// the first death declared, half the group knowing, the most knowing);
// each snapshot is a square of observers (rows) by subjects (columns),
// coloured where an observer suspects a subject (stale) or believes it
// dead. Rows of members that were not running are grey. The news of a
// crash is a column filling up.

const (
	matrixSide = 300.0 // px, whatever the group's size
	maxSnaps   = 5
)

type matrixFault struct {
	Title string
	Snaps []snapshot
}

type snapshot struct {
	Label, At  string
	Side, Cell float64
	// Suspect, Dead and Down are SVG paths of unit cells, one per class.
	Suspect, Dead, Down string
	// Columns outline the fault's nodes.
	Columns []matrixColumn
	Counts  string
}

type matrixColumn struct {
	X     float64
	Label string
}

// matrixFaults builds the matrix for every fault of a gossip run whose
// beliefs were recorded; nil otherwise.
func matrixFaults(r *report.Report, tr *trace.Trace) []matrixFault {
	if tr == nil || len(tr.Beliefs) == 0 {
		return nil
	}
	index := map[string]int{}
	for i, n := range r.Nodes {
		index[n.ID] = i
	}
	n := len(r.Nodes)
	cell := max(float64(int(matrixSide/float64(max(n, 1)))), 1)
	spans := r.Spans()
	var out []matrixFault
	for _, f := range faultsOf(r) {
		at := func(d time.Duration) float64 { return report.Ms(d) }
		moments := []struct {
			label string
			ms    float64
		}{{"the fault", f.atMs}}
		// The fault's nodes as others see them, over time.
		subject := map[int]bool{}
		for _, id := range f.nodes {
			subject[index[id]] = true
		}
		var firstSuspect, firstDead float64 = -1, -1
		dead, most := 0, 0
		var mostAt float64 = -1
		var halfAt float64 = -1
		var deadCounts []struct {
			ms float64
			n  int
		}
		for _, b := range tr.Beliefs {
			ms := at(b.At)
			if ms < f.atMs || ms > f.untilMs || !subject[index[b.Subject]] {
				continue
			}
			if b.To == report.ViewStale && firstSuspect < 0 {
				firstSuspect = ms
			}
			if b.To == report.ViewDead {
				if firstDead < 0 {
					firstDead = ms
				}
				dead++
			}
			if b.From == report.ViewDead {
				dead--
			}
			deadCounts = append(deadCounts, struct {
				ms float64
				n  int
			}{ms, dead})
			if dead > most {
				most, mostAt = dead, ms
			}
		}
		for _, c := range deadCounts {
			if most > 1 && halfAt < 0 && c.n*2 >= most {
				halfAt = c.ms
			}
		}
		if firstSuspect >= 0 {
			moments = append(moments, struct {
				label string
				ms    float64
			}{"first suspicion", firstSuspect})
		}
		if firstDead >= 0 {
			moments = append(moments, struct {
				label string
				ms    float64
			}{"first declared dead", firstDead})
		}
		if halfAt > firstDead {
			moments = append(moments, struct {
				label string
				ms    float64
			}{"half know", halfAt})
		}
		if mostAt > halfAt && mostAt > firstDead {
			moments = append(moments, struct {
				label string
				ms    float64
			}{"most know", mostAt})
		}
		if firstDead < 0 && f.endMs > f.atMs {
			moments = append(moments, struct {
				label string
				ms    float64
			}{"the fault ends", f.endMs})
		}
		if len(moments) > maxSnaps {
			moments = moments[:maxSnaps]
		}
		mf := matrixFault{Title: fmt.Sprintf("%s at %s", f.name, r.Clock(f.atMs))}
		for _, m := range moments {
			mf.Snaps = append(mf.Snaps, snapAt(r, tr, spans, index, subject, m.label, m.ms, cell, n))
		}
		out = append(out, mf)
	}
	return out
}

// snapAt is the matrix at ms: every belief held then (the last change of
// each observer about each subject up to and including ms).
func snapAt(r *report.Report, tr *trace.Trace, spans []report.NodeSpans, index map[string]int, subject map[int]bool,
	label string, ms float64, cell float64, n int) snapshot {
	held := map[[2]int]string{}
	for _, b := range tr.Beliefs {
		if report.Ms(b.At) > ms {
			break
		}
		held[[2]int{index[b.Observer], index[b.Subject]}] = b.To
	}
	keys := make([][2]int, 0, len(held))
	for k := range held {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		return keys[a][0] < keys[b][0] || keys[a][0] == keys[b][0] && keys[a][1] < keys[b][1]
	})
	var suspect, dead, down strings.Builder
	nSuspect, nDead := 0, 0
	for _, k := range keys {
		b := &suspect
		switch held[k] {
		case report.ViewStale:
			nSuspect++
		case report.ViewDead:
			b = &dead
			nDead++
		default:
			continue
		}
		fmt.Fprintf(b, "M%s %sh%sv%sh-%sz", num(float64(k[1])*cell), num(float64(k[0])*cell), num(cell), num(cell), num(cell))
	}
	for i, s := range spans {
		if truth := truthAt(s.Truth, ms); strings.Contains(truth, report.BandKilled) || strings.Contains(truth, report.BandPaused) {
			fmt.Fprintf(&down, "M0 %sh%sv%sh-%sz", num(float64(i)*cell), num(float64(n)*cell), num(cell), num(float64(n)*cell))
		}
	}
	sn := snapshot{Label: label, At: r.Clock(ms), Side: cell * float64(n), Cell: cell,
		Suspect: suspect.String(), Dead: dead.String(), Down: down.String(),
		Counts: fmt.Sprintf("%d suspect, %d dead", nSuspect, nDead)}
	cols := make([]int, 0, len(subject))
	for i := range subject {
		cols = append(cols, i)
	}
	sort.Ints(cols)
	for _, i := range cols {
		sn.Columns = append(sn.Columns, matrixColumn{X: float64(i) * cell, Label: r.Nodes[i].ID})
	}
	return sn
}

// fault is one fault of the run as the matrix and the diagrams see it:
// the faults of one kind starting at one moment (a kill of three nodes).
type fault struct {
	name                 string
	nodes                []string
	atMs, endMs, untilMs float64
}

// faultsOf lists the run's faults on nodes, in time order: events that
// open a ground-truth band, grouped by moment and kind. untilMs is how
// far the matrix follows the news: a minute past the fault's end.
func faultsOf(r *report.Report) []fault {
	var out []fault
	spans := map[string]report.NodeSpans{}
	for _, n := range r.Spans() {
		spans[n.ID] = n
	}
	for _, e := range r.Events {
		band, open, ok := report.TruthBand(e.Kind)
		if !ok || !open || e.Node == report.NameNodeID {
			continue
		}
		end := e.TMs
		for _, s := range spans[e.Node].Truth {
			if s.State == band && s.FromMs == e.TMs {
				end = s.ToMs
			}
		}
		if k := len(out) - 1; k >= 0 && out[k].atMs == e.TMs && strings.HasPrefix(out[k].name, e.Kind+" ") {
			out[k].nodes = append(out[k].nodes, e.Node)
			out[k].name += ", " + e.Node
			out[k].endMs = max(out[k].endMs, end)
			continue
		}
		out = append(out, fault{name: e.Kind + " " + e.Node, nodes: []string{e.Node}, atMs: e.TMs, endMs: end})
	}
	for k := range out {
		out[k].untilMs = min(max(out[k].endMs, out[k].atMs)+60_000, r.DurationMs)
		if k+1 < len(out) {
			out[k].untilMs = min(out[k].untilMs, out[k+1].atMs)
		}
	}
	return out
}

func duration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }
