package report

import (
	"fmt"
	"io"
	"time"

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
func (r *Report) writeGossip(w io.Writer) error {
	fmt.Fprintf(w, "Gossip convergence (%.3g messages per node per second)\n", r.Gossip.MessagesPerNodePerSec)
	if len(r.Gossip.Convergence) == 0 {
		fmt.Fprintln(w, "no crashes")
		return nil
	}
	rows := make([][]string, 0, len(r.Gossip.Convergence))
	for _, c := range r.Gossip.Convergence {
		rows = append(rows, []string{c.Node, FormatTime(duration(c.KilledAtMs)), optSeconds(c.FirstMs), optSeconds(c.AllMs)})
	}
	return render(w, "gossip", []string{"Node", "Killed At", "First Knew After", "All Live Knew After"}, rows)
}
