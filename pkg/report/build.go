package report

import (
	"math"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// Meta is what Build needs to know about the scenario besides its trace.
type Meta struct {
	Name        string
	Description string
	Seed        int64
	// Config is the effective configuration, as plain nested values, copied
	// into the report as is.
	Config map[string]any
	// GroupPartitions lists the scenario's partitions between groups of
	// nodes: the trace names only the NameNode for them, and the
	// timelines draw a band for each member. Optional.
	GroupPartitions []GroupPartition
	// Racks maps DataNodes to their racks, when the scenario names
	// racks; the page groups nodes by rack. Optional.
	Racks map[string]string
}

// Build turns a finished run's trace into a report. Expectations are left
// empty and Passed true (nothing failed yet); expect.CheckAll fills both.
//
// Ground truth comes from Kill and Restart events, the NameNode's view from
// Transition events; comparing the two gives detection times and false
// positives.
func Build(meta Meta, tr *trace.Trace) *Report {
	r := &Report{
		Scenario:    meta.Name,
		Description: meta.Description,
		Seed:        meta.Seed,
		Config:      meta.Config,
		// Members of group partitions, for the timelines' bands.
		GroupPartitions: meta.GroupPartitions,
		// Non-nil slices so the JSON says [] rather than null: scripts
		// can iterate without a null check.
		Events:       []Event{},
		Nodes:        []Node{},
		Expectations: []Expectation{},
		Detectors:    []string{},
		QoS:          map[string]QoS{},
		Series:       []Sample{},
		Passed:       true,
	}
	if r.Config == nil {
		r.Config = map[string]any{}
	}
	if tr == nil {
		return r
	}
	r.DurationMs = Ms(tr.End)
	r.Detectors = append([]string{}, tr.Detectors...)
	r.QoS = buildQoS(tr)
	r.Gossip = buildGossip(tr)
	r.Blocks, r.IO = buildBlocks(tr)
	if tr.End > 0 {
		r.MessagesPerSec = round3(float64(tr.Messages) / tr.End.Seconds())
	}
	for _, sm := range tr.Series {
		r.Series = append(r.Series, Sample{TMs: Ms(sm.At), Live: sm.Live, Stale: sm.Stale, Dead: sm.Dead,
			UnderReplicated: underReplicated(sm)})
	}

	r.Events = make([]Event, 0, len(tr.Events))
	for _, e := range tr.Events {
		ev := Event{
			TMs:      Ms(e.At),
			Node:     e.Node,
			Kind:     string(e.Kind),
			From:     e.From,
			To:       e.To,
			Reason:   e.Reason,
			Detector: e.Detector,
		}
		if e.ReportedAt > 0 {
			ev.ReportedAtMs = ptr(Ms(e.ReportedAt))
		}
		r.Events = append(r.Events, ev)
	}

	// Walk the trace once per node id, in the trace's node order, so the
	// report lists nodes as the scenario does. Nodes are built in place in
	// r.Nodes: a million of them are held once.
	r.Nodes = make([]Node, 0, len(tr.Nodes))
	byID := make(map[string]int, len(tr.Nodes))
	open := map[int]*Crash{} // crash episodes in progress, by index in r.Nodes
	add := func(id string) int {
		if k, ok := byID[id]; ok {
			return k
		}
		byID[id] = len(r.Nodes)
		r.Nodes = append(r.Nodes, Node{ID: id})
		return len(r.Nodes) - 1
	}
	for _, n := range tr.Nodes {
		nd := &r.Nodes[add(n.ID)]
		nd.State = n.FinalState
		nd.AdminState = n.AdminState
		nd.HeartbeatsSent = n.HeartbeatsSent
		nd.HeartbeatsReceived = n.HeartbeatsReceived
	}
	for _, e := range tr.Events {
		// A node seen only in events is still reported rather than
		// silently dropped; its counters stay zero.
		switch e.Kind {
		case trace.Kill, trace.Shutdown, trace.Restart, trace.Transition, trace.Verdict:
			k := add(e.Node)
			w := nodeWalk{n: &r.Nodes[k], open: open[k]}
			// A first registration is every node's: not a change.
			w.n.changed = w.n.changed || e.Kind != trace.Transition || e.From != ""
			w.step(e)
			if w.open != nil {
				open[k] = w.open
			} else {
				delete(open, k)
			}
		}
	}
	for k := range r.Nodes {
		w := nodeWalk{n: &r.Nodes[k], open: open[k]}
		w.finish()
		w.n.Rack = meta.Racks[w.n.ID]
	}
	return r
}

// nodeWalk follows one node through the trace.
type nodeWalk struct {
	n    *Node
	open *Crash // the crash episode in progress, nil while the process runs
}

func (w *nodeWalk) step(e trace.Event) {
	t := Ms(e.At)
	switch e.Kind {
	case trace.Kill, trace.Shutdown:
		// A kill of a process already down changes nothing on the
		// ground: the episode that began with the first kill goes on. A
		// DataNode that shut itself down (failed volumes) is down too.
		if w.open == nil {
			w.open = &Crash{KilledAtMs: t}
		}
	case trace.Restart:
		if w.open != nil {
			w.open.RestartedAtMs = ptr(t)
			w.close()
		}
	case trace.Transition:
		if e.To != "dead" {
			return
		}
		switch {
		case w.open == nil:
			w.n.FalsePositives++
		case w.open.DeadAtMs == nil:
			w.open.DeadAtMs = ptr(t)
			w.open.DetectionMs = ptr(round3(t - w.open.KilledAtMs))
			if e.ReportedAt > 0 {
				w.open.ReportedDeadAtMs = ptr(Ms(e.ReportedAt))
			}
		}
	}
}

func (w *nodeWalk) close() {
	w.n.Crashes = append(w.n.Crashes, *w.open)
	w.open = nil
}

func (w *nodeWalk) finish() {
	if w.open != nil {
		w.close() // the node stayed down until the end
	}
	if len(w.n.Crashes) > 0 {
		first := w.n.Crashes[0]
		w.n.KilledAtMs = ptr(first.KilledAtMs)
		// Copies, so editing a node's summary never edits its crash list.
		w.n.DeadAtMs = clone(first.DeadAtMs)
		w.n.DetectionMs = clone(first.DetectionMs)
		w.n.ReportedDeadAtMs = clone(first.ReportedDeadAtMs)
	}
}

// Ms converts a virtual time to the report's unit: float milliseconds,
// rounded to the microsecond so JSON numbers stay short and exact enough.
func Ms(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)/time.Microsecond) / 1e3
}

// duration converts report milliseconds back to a time.Duration.
func duration(ms float64) time.Duration {
	return time.Duration(math.Round(ms * 1e6))
}

// round3 rounds to three decimals, undoing float noise from subtraction
// (31002.001 − 0.001 must print as 31002).
func round3(ms float64) float64 { return math.Round(ms*1e3) / 1e3 }

func ptr(f float64) *float64 { return &f }

func clone(p *float64) *float64 {
	if p == nil {
		return nil
	}
	return ptr(*p)
}
