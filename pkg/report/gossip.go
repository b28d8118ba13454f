package report

import (
	"fmt"
	"io"
	"time"

	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
)

func buildGossip(tr *trace.Trace) *Gossip {
	if tr.Gossip == nil {
		return nil
	}
	g := &Gossip{Convergence: []Convergence{}}
	var first, all []time.Duration
	for _, c := range tr.Gossip {
		row := Convergence{Node: c.Node, KilledAtMs: Ms(c.KillAt)}
		if c.FirstAt >= 0 {
			row.FirstMs = ptr(Ms(c.FirstAt - c.KillAt))
			first = append(first, c.FirstAt-c.KillAt)
		}
		if c.AllAt >= 0 {
			row.AllMs = ptr(Ms(c.AllAt - c.KillAt))
			all = append(all, c.AllAt-c.KillAt)
		}
		g.Convergence = append(g.Convergence, row)
	}
	g.FirstMs, g.AllMs = dist(first), dist(all)
	if n := len(tr.Nodes); n > 0 && tr.End > 0 {
		g.MessagesPerNodePerSec = round3(float64(tr.Messages) / float64(n) / tr.End.Seconds())
	}
	return g
}

// writeGossip is the table of how each death spread through the group.
func (f *fit) writeGossip(w io.Writer) error {
	g := f.r.Gossip
	fmt.Fprintf(w, "Gossip convergence (%.3g messages per node per second)\n", g.MessagesPerNodePerSec)
	if len(g.Convergence) == 0 {
		fmt.Fprintln(w, "no crashes")
		return nil
	}
	rows := make([][]string, 0, len(g.Convergence))
	for _, c := range g.Convergence {
		rows = append(rows, []string{c.Node, f.clock(c.KilledAtMs), optSeconds(c.FirstMs), optSeconds(c.AllMs)})
	}
	return f.table(w, "gossip", screen.Table{
		Columns: []screen.Column{{Header: "NODE"}, {Header: "KILLED AT"}, {Header: "FIRST KNEW AFTER"}, {Header: "ALL LIVE KNEW AFTER"}},
		Rows:    rows,
	})
}
