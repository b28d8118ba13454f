package sim

import (
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

// recorder keeps, when asked (Options.Windows), the messages sent in a
// window around each fault of the scenario: trace.Window. See
// /work/notes/views.md for the contract a runtime fills.
type recorder struct {
	nodes   []string
	windows []trace.Window
	// keep is, per window, the DataNodes whose messages are kept; nil
	// keeps every node's (small clusters).
	keep []map[int]bool
}

// keepAll is the cluster size up to which a window keeps every node's
// messages: a diagram of a dozen lanes still reads.
const keepAll = 12

// newRecorder opens a window per fault event: from two heartbeat
// intervals before it to the detector's dead time (and three intervals)
// after it ends, at most windowAfter, within the run.
func newRecorder(scn *scenario.Scenario) *recorder {
	r := &recorder{nodes: scn.Nodes}
	cfg := scn.Config.Heartbeat
	before := 2 * cfg.Interval
	after := min(deadTime(cfg)+3*cfg.Interval, windowAfter)
	for _, ev := range scn.Events {
		end := ev.At
		if ev.For > 0 {
			end = ev.End()
		}
		w := trace.Window{Fault: faultName(ev), Line: ev.Line, Nodes: faultNodes(ev),
			At: ev.At, End: end, From: max(ev.At-before, 0), To: min(end+after, scn.Duration)}
		var keep map[int]bool
		if len(scn.Nodes) > keepAll {
			// The fault's nodes, and the first few others to compare.
			keep = map[int]bool{}
			for i, id := range scn.Nodes {
				if contains(faultNodes(ev), id) {
					keep[i] = true
				}
			}
			for i := 0; i < len(scn.Nodes) && len(keep) < len(ev.Nodes)+3; i++ {
				keep[i] = true
			}
		}
		r.windows = append(r.windows, w)
		r.keep = append(r.keep, keep)
	}
	return r
}

// windowAfter bounds how long after a fault messages are kept: HDFS's
// ten minutes would be tens of thousands of messages nobody can read.
const windowAfter = 3 * time.Minute

// deadTime is about how long the acting detector takes to declare a
// silent node dead.
func deadTime(h config.Heartbeat) time.Duration {
	switch h.Detector {
	case "hdfs":
		return 2*h.HDFS.RecheckInterval + 10*h.Interval
	case "phi":
		return h.Phi.AcceptablePause + 10*h.Interval
	case "gossip":
		return 3 * h.Gossip.SuspicionTimeout
	}
	return time.Duration(h.MissThreshold)*h.Interval + h.CheckInterval
}

// faultNodes are the nodes a fault touches: its targets, or both groups
// of a partition between groups.
func faultNodes(ev scenario.Event) []string {
	return append(append(append([]string(nil), ev.Nodes...), ev.Groups[0]...), ev.Groups[1]...)
}

func faultName(ev scenario.Event) string {
	nodes := faultNodes(ev)
	if len(nodes) == 0 {
		return string(ev.Action)
	}
	return string(ev.Action) + " " + strings.Join(nodes, ", ")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// message records a message sent now from endpoint a to b (nameNode or a
// DataNode's index), which takes d to arrive unless lost.
func (r *recorder) message(now time.Duration, a, b int, typ string, d time.Duration, lost bool) {
	for k := range r.windows {
		w := &r.windows[k]
		if now < w.From || now > w.To {
			continue
		}
		if keep := r.keep[k]; keep != nil && !keep[a] && !keep[b] {
			continue
		}
		if len(w.Messages) >= trace.WindowCap {
			w.Dropped++
			continue
		}
		m := trace.Message{Sent: now, From: r.name(a), To: r.name(b), Type: typ, Lost: lost}
		if !lost {
			m.Received = now + d
		}
		w.Messages = append(w.Messages, m)
	}
}

func (r *recorder) name(i int) string {
	if i == nameNode {
		return trace.NameNodeID
	}
	return r.nodes[i]
}
