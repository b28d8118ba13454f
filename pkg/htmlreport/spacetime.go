package htmlreport

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// A space-time diagram (Lamport's) of the messages in a window around a
// fault: one horizontal line per process, time across, each message a
// line from its sender when sent to its receiver when it arrived; a lost
// message stops half-way at a cross. Gaps show silence, crosses loss,
// slanted lines delay, a crowd at one moment a resumed process.

const (
	stLaneTop = 14.0 // px
	stLaneGap = 30.0
	stMaxPeer = 8 // other processes shown besides the fault's own
)

type spaceTime struct {
	ID    string
	Title string
	// AtMs and Nodes identify the fault, for the links to it.
	AtMs     float64
	Nodes    []string
	From, To string
	Lanes    []stLane
	H        float64
	Msgs     []stMsg
	Lost     string // one path of crosses
	Faults   []stFault
	Marks    []mark
	Ticks    []tick
	// Notes name the moments that matter above the diagram: the fault
	// and what was decided; Rules draw them across every lane.
	Notes   []stNote
	NotesH  float64
	Rules   []float64
	Summary string
	Dropped int
	LeftOut int // messages between processes not drawn
	HasLost bool
	Gossip  bool
}

// stNote is a label above a diagram at a moment, on line Line.
type stNote struct {
	Pos   float64
	Label string
	Class string
	Line  int
}

// Pct is the note's position as a share of the width.
func (n stNote) Pct() string { return num(n.Pos / spanW * 100) }

// Top is the note's offset from the top of the notes.
func (n stNote) Top() string { return num(float64(n.Line) * 17) }

// stFault is a fault on one lane of a diagram.
type stFault struct {
	X, W, Y      float64
	Class, Title string
}

type stLane struct {
	Name string
	Y    float64
}

// Top is a lane label's offset, centred on its line.
func (l stLane) Top() string { return num(l.Y - 8) }

type stMsg struct {
	X1, Y1, X2, Y2 float64
	Class, Title   string
}

// spaceTimes draws every window the trace recorded.
func spaceTimes(r *report.Report, tr *trace.Trace) []spaceTime {
	if tr == nil {
		return nil
	}
	order := map[string]int{trace.NameNodeID: -1}
	for i, n := range r.Nodes {
		order[n.ID] = i
	}
	spans := map[string]report.NodeSpans{}
	for _, n := range r.Spans() {
		spans[n.ID] = n
	}
	var out []spaceTime
	for k, w := range tr.Windows {
		from, to := report.Ms(w.From), report.Ms(w.To)
		if to <= from {
			continue
		}
		st := spaceTime{ID: fmt.Sprintf("st-%d", k+1), AtMs: report.Ms(w.At), Nodes: w.Nodes,
			Title: fmt.Sprintf("%s (scenario line %d)", w.Fault, w.Line), From: r.Clock(from), To: r.Clock(to), Dropped: w.Dropped}
		lanes := pickLanes(w, order)
		y := map[string]float64{}
		for i, name := range lanes {
			y[name] = stLaneTop + float64(i)*stLaneGap
			label := name
			if name == trace.NameNodeID {
				label = "NameNode"
			}
			st.Lanes = append(st.Lanes, stLane{Name: label, Y: y[name]})
		}
		st.H = stLaneTop*2 + float64(len(lanes)-1)*stLaneGap
		x := func(ms float64) float64 { return round1((min(max(ms, from), to) - from) / (to - from) * spanW) }
		counts := map[string]int{}
		lost := 0
		var cross strings.Builder
		for _, m := range w.Messages {
			y1, ok1 := y[m.From]
			y2, ok2 := y[m.To]
			if !ok1 || !ok2 {
				st.LeftOut++
				continue
			}
			counts[m.Type]++
			sent := report.Ms(m.Sent)
			title := fmt.Sprintf("%s %s → %s, sent %s", m.Type, laneName(m.From), laneName(m.To), r.Clock(sent))
			if m.Lost {
				lost++
				mx, my := x(sent)+2, (y1+y2)/2
				st.Msgs = append(st.Msgs, stMsg{X1: x(sent), Y1: y1, X2: mx, Y2: my, Class: "m-lost", Title: title + ", lost"})
				fmt.Fprintf(&cross, "M%s %sl6 6m0 -6l-6 6", num(mx-3), num(my-3))
				continue
			}
			recv := report.Ms(m.Received)
			st.Msgs = append(st.Msgs, stMsg{X1: x(sent), Y1: y1, X2: x(recv), Y2: y2, Class: msgClass(m.Type),
				Title: fmt.Sprintf("%s, received %s (%s later)", title, r.Clock(recv), shortMs(recv-sent))})
		}
		st.Lost, st.HasLost = cross.String(), lost > 0
		st.Gossip = counts["gossip"] > 0
		st.Summary = summary(counts, lost)
		// The fault on its nodes' lanes, and what was decided meanwhile.
		for _, id := range w.Nodes {
			ly, ok := y[id]
			if !ok {
				continue
			}
			for _, s := range spans[id].Truth {
				if s.ToMs <= from || s.FromMs >= to {
					continue
				}
				st.Faults = append(st.Faults, stFault{X: x(s.FromMs), W: max(round1(x(s.ToMs)-x(s.FromMs)), 1), Y: ly - 7, Class: bandClass[s.State],
					Title: fmt.Sprintf("%s %s from %s to %s", id, s.State, r.Clock(s.FromMs), r.Clock(s.ToMs))})
			}
		}
		var notes []stNote
		for _, e := range r.Events {
			if e.TMs < from || e.TMs > to || !contains(w.Nodes, e.Node) {
				continue
			}
			if _, _, truth := report.TruthBand(e.Kind); truth {
				notes = append(notes, stNote{Pos: x(e.TMs), Label: e.Kind + " " + e.Node, Class: "n-fault"})
				continue
			}
			if e.Kind != "transition" && e.Kind != "verdict" {
				continue
			}
			if e.Kind == "transition" && (e.To == report.ViewDead || e.To == report.ViewStale || e.From == report.ViewDead) {
				notes = append(notes, stNote{Pos: x(e.TMs), Label: e.Node + " " + e.To, Class: "n-" + e.To})
			}
			who := e.Node
			if e.Kind == "verdict" {
				who = e.Detector + " on " + e.Node
			}
			ly := y[trace.NameNodeID]
			if _, central := y[trace.NameNodeID]; !central {
				ly = y[e.Node]
			}
			st.Marks = append(st.Marks, mark{X: x(e.TMs), Y1: ly - 9, Y2: ly + 9, Class: "m-" + e.To,
				Title: fmt.Sprintf("%s %s: %s → %s (%s)", r.Clock(e.TMs), who, orDash(e.From), e.To, r.Words(e.Reason))})
		}
		st.Notes, st.NotesH = stackNotes(notes)
		for _, n := range st.Notes {
			st.Rules = append(st.Rules, n.Pos)
		}
		st.Ticks = windowTicks(from, to)
		out = append(out, st)
	}
	return out
}

// stackNotes puts each note on the first line where it stays clear of
// the notes already there, judging a label at about 1% of the width a
// character (7px in a 700px diagram, the narrowest page), and returns the
// notes' height.
func stackNotes(notes []stNote) ([]stNote, float64) {
	var ends []float64 // per line, where its last label ends
	for k := range notes {
		w := float64(len([]rune(notes[k].Label))+2) * spanW / 100
		line := 0
		for line < len(ends) && notes[k].Pos < ends[line] {
			line++
		}
		if line == len(ends) {
			ends = append(ends, 0)
		}
		ends[line] = notes[k].Pos + w
		notes[k].Line = line
	}
	return notes, float64(len(ends)) * 17
}

// pickLanes chooses the processes of a window: the NameNode when it
// took part, the fault's nodes, then the others that exchanged the most
// messages with them, at most stMaxPeer, in the scenario's order.
func pickLanes(w trace.Window, order map[string]int) []string {
	busy := map[string]int{}
	central := false
	for _, m := range w.Messages {
		if m.From == trace.NameNodeID || m.To == trace.NameNodeID {
			central = true
		}
		busy[m.From]++
		busy[m.To]++
	}
	chosen := map[string]bool{}
	for _, id := range w.Nodes {
		chosen[id] = true
	}
	if central {
		chosen[trace.NameNodeID] = true
	}
	var others []string
	for id := range busy {
		if !chosen[id] {
			others = append(others, id)
		}
	}
	sort.Slice(others, func(a, b int) bool {
		if busy[others[a]] != busy[others[b]] {
			return busy[others[a]] > busy[others[b]]
		}
		return order[others[a]] < order[others[b]]
	})
	for i := 0; i < len(others) && i < stMaxPeer; i++ {
		chosen[others[i]] = true
	}
	var out []string
	for id := range chosen {
		out = append(out, id)
	}
	sort.Slice(out, func(a, b int) bool { return order[out[a]] < order[out[b]] })
	return out
}

func laneName(id string) string {
	if id == trace.NameNodeID {
		return "NameNode"
	}
	return id
}

// msgClass colours messages by kind; the stylesheet has one rule each.
func msgClass(typ string) string {
	switch typ {
	case "heartbeat":
		return "m-hb"
	case "heartbeat-reply":
		return "m-reply"
	case "register", "register-reply":
		return "m-reg"
	case "lifeline":
		return "m-life"
	case "gossip":
		return "m-gossip"
	}
	return "m-other"
}

func summary(counts map[string]int, lost int) string {
	var kinds []string
	total := 0
	for k, n := range counts {
		kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
		total += n
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%d messages (%s), %d lost", total, strings.Join(kinds, ", "), lost)
}

func shortMs(ms float64) string {
	if ms < 1000 {
		return num(ms) + "ms"
	}
	return num(ms/1000) + "s"
}

// windowTicks labels a window's time every round step, about six labels.
func windowTicks(from, to float64) []tick {
	span := to - from
	step := 1000.0
	for _, s := range []float64{1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000} {
		step = s
		if span/s <= 7 {
			break
		}
	}
	var out []tick
	first := step * float64(int((from+step-1)/step))
	for t := first; t <= to; t += step {
		out = append(out, tick{Pos: round1((t - from) / span * spanW), Label: short(duration(t))})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ToLower(s)
}
