package liverun

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/faults"
	"github.com/hbsim/hbsim/pkg/model"
)

// Progress is how far a live run has got, for a person waiting.
type Progress struct {
	// At is the scenario time reached, of Of; Wall the real time since
	// the scenario started.
	At, Of, Wall time.Duration
	// Up counts the DataNode processes running (not killed, not paused),
	// of Nodes.
	Up, Nodes int
	// Live, Stale and Dead are the DataNodes as the NameNode's acting
	// detector holds them.
	Live, Stale, Dead int
	// Events counts the trace's events so far: faults and decisions.
	Events int
	// Next is the next fault step ("kill dn3", "pause ends dn2"), due at
	// NextAt; "" when none is left.
	Next   string
	NextAt time.Duration
}

// progress reports to Options.Progress.
func (r *run) progress() {
	if r.opts.Progress == nil {
		return
	}
	now := time.Now()
	p := Progress{At: min(r.clk.at(now), r.m.Duration), Of: r.m.Duration, Wall: now.Sub(r.clk.t0), Nodes: len(r.m.Nodes)}
	for i := range r.m.Nodes {
		if r.interp.State(int32(i)) == faults.Running {
			p.Up++
		}
	}
	var decisions int
	p.Live, p.Stale, p.Dead, decisions = r.col.counts()
	p.Events = len(r.truth) + decisions
	if r.next < len(r.steps) {
		p.Next, p.NextAt = describe(r.m, r.steps[r.next]), r.steps[r.next].At
	}
	r.errw.mu.Lock()
	defer r.errw.mu.Unlock()
	r.opts.Progress(p)
}

// describe names a fault step in a few words: its kind and its targets
// (the first three).
func describe(m *model.Run, s faults.Step) string {
	f := m.Faults[s.Fault]
	var b strings.Builder
	b.WriteString(f.Kind.String())
	if s.End {
		b.WriteString(" ends")
	}
	nodes := f.Nodes
	if f.IsGroupCut() {
		nodes = append(append([]int32(nil), f.Groups[0]...), f.Groups[1]...)
	}
	for k, i := range nodes {
		if k == 3 {
			b.WriteString(" …")
			break
		}
		b.WriteString(" " + m.Nodes[i].ID)
	}
	return b.String()
}

// Clock renders scenario time as a clock does, to the second: "0:20",
// "12:05", "1:02:03".
func Clock(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
