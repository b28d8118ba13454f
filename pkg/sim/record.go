package sim

import (
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/trace"
)

// recorder keeps, when asked (Options.Windows), the messages sent in a
// window around each fault of the run: trace.Window. Endpoints are model
// handles (nameNode for the NameNode).
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

// newRecorder opens a window per fault: from two heartbeat intervals
// before it to the acting detector's dead time (and three intervals)
// after it ends, at most windowAfter, within the run.
func newRecorder(m *model.Run) *recorder {
	ids := m.IDs()
	r := &recorder{nodes: ids}
	iv := m.DataNode.HeartbeatInterval
	before := 2 * iv
	after := min(deadTime(m)+3*iv, windowAfter)
	for _, f := range m.Faults {
		end := f.At
		if f.For > 0 {
			end = f.End()
		}
		nodes := faultNodes(f, ids)
		name := f.Kind.String()
		if len(nodes) > 0 {
			name += " " + strings.Join(nodes, ", ")
		}
		w := trace.Window{Fault: name, Line: sourceLine(f.Source), Nodes: nodes,
			At: f.At, End: end, From: max(f.At-before, 0), To: min(end+after, m.Duration)}
		var keep map[int]bool
		if len(ids) > keepAll {
			// The fault's nodes, and the first few others to compare.
			keep = map[int]bool{}
			for _, h := range faultHandles(f) {
				keep[int(h)] = true
			}
			for i := 0; i < len(ids) && len(keep) < len(f.Nodes)+3; i++ {
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
func deadTime(m *model.Run) time.Duration {
	iv := m.DataNode.HeartbeatInterval
	if m.Acting() == "gossip" {
		return 3 * m.Gossip.SuspicionTimeout
	}
	cfg, ok := m.NameNodeConfig()
	if !ok || len(cfg.Detectors) == 0 {
		return 10 * iv
	}
	d := cfg.Detectors[0]
	switch d.Name {
	case "hdfs":
		return namenode.HDFSExpiry(iv, d.HDFS.Recheck)
	case "phi":
		return d.Phi.AcceptablePause + 10*iv
	}
	return time.Duration(d.MissedCount.Threshold)*iv + d.MissedCount.CheckInterval
}

// faultHandles are the nodes a fault touches: its targets, or both
// groups of a partition between groups.
func faultHandles(f model.Fault) []int32 {
	return append(append(append([]int32(nil), f.Nodes...), f.Groups[0]...), f.Groups[1]...)
}

func faultNodes(f model.Fault, ids []string) []string {
	var out []string
	for _, h := range faultHandles(f) {
		out = append(out, ids[h])
	}
	return out
}

// sourceLine is the line of a source label "file:line" (0 if none).
func sourceLine(src string) int {
	k := strings.LastIndexByte(src, ':')
	if k < 0 {
		return 0
	}
	n, _ := strconv.Atoi(src[k+1:])
	return n
}

// message records a message sent now from endpoint a to b (nameNode or a
// DataNode's handle), which takes d to arrive unless lost.
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

// nameNode is the NameNode's endpoint in recorded messages.
const nameNode = -1

func (r *recorder) name(i int) string {
	if i == nameNode {
		return trace.NameNodeID
	}
	return r.nodes[i]
}
