// Package qos measures how well a failure detector did over one run, with
// the quality-of-service metrics of Chen, Toueg and Aguilera ("On the
// Quality of Service of Failure Detectors", IEEE ToC 51(5), 2002).
//
// The detector's output per node is Trust or Suspect; hbsim's Suspect is
// "declared dead". Ground truth is the process: alive from the start of the
// run, down from a kill to the next restart. A paused or partitioned process
// is alive, so suspecting it is a mistake.
//
// Following the paper's estimators, numerators and denominators are pooled
// over nodes rather than per-node ratios averaged, and a crash whose
// episode ends while the detector still trusts the node is counted as
// undetected (censored), never as a large detection time.
package qos

import (
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// Result is one detector's quality of service over a run.
type Result struct {
	Crashes, Detected int
	// Detection holds T_D for each detected crash.
	Detection []time.Duration
	// Mistakes counts suspicions of a live process.
	Mistakes int
	// MistakeDurations holds T_M for each mistake corrected (or ended by a
	// crash) before the end of the run.
	MistakeDurations []time.Duration
	// Uptime is U, the total time processes were alive; Suspected is W,
	// the part of it during which the detector suspected them.
	Uptime, Suspected time.Duration
}

// MistakesPerHour is λ_M, mistakes per hour of uptime.
func (r Result) MistakesPerHour() float64 {
	if r.Uptime <= 0 {
		return 0
	}
	return float64(r.Mistakes) / r.Uptime.Hours()
}

// MistakeRecurrence is E(T_MR) ≈ 1/λ_M; ok is false without mistakes.
func (r Result) MistakeRecurrence() (time.Duration, bool) {
	if r.Mistakes == 0 {
		return 0, false
	}
	return r.Uptime / time.Duration(r.Mistakes), true
}

// PA is the query accuracy probability 1 − W/U: the chance that the
// detector is right about a live process at a random moment.
func (r Result) PA() float64 {
	if r.Uptime <= 0 {
		return 1
	}
	return 1 - float64(r.Suspected)/float64(r.Uptime)
}

// Suspects reports whether an event of the given detector puts its output
// to Suspect (true) or Trust (false) for the node; ok is false for events
// that say nothing about that detector.
func suspects(e trace.Event, detector string) (suspect, ok bool) {
	if (e.Kind != trace.Transition && e.Kind != trace.Verdict) || e.Detector != detector {
		return false, false
	}
	return e.To == "dead", true
}

// Compute measures detector over the trace.
func Compute(tr *trace.Trace, detector string) Result {
	var r Result
	byNode := make(map[string][]trace.Event)
	for _, e := range tr.Events {
		switch e.Kind {
		case trace.Kill, trace.Restart, trace.Transition, trace.Verdict:
			byNode[e.Node] = append(byNode[e.Node], e)
		}
	}
	// Every node once, in id order: the trace's, and any that only has
	// events. A set, not a search per node: a million nodes stay linear.
	seen := make(map[string]bool, len(tr.Nodes)+len(byNode))
	ids := make([]string, 0, len(tr.Nodes))
	for _, n := range tr.Nodes {
		if !seen[n.ID] {
			seen[n.ID] = true
			ids = append(ids, n.ID)
		}
	}
	for id := range byNode {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r.node(byNode[id], detector, tr.End)
	}
	return r
}

// node walks one node's events in order, tracking two step functions:
// alive (ground truth) and suspect (the detector's output).
func (r *Result) node(events []trace.Event, detector string, end time.Duration) {
	alive, suspect := true, false
	var since time.Duration     // start of the current alive or down period
	var crashAt time.Duration   // of the open crash episode
	var suspectAt time.Duration // start of the current suspicion
	var mistakeAt time.Duration // start of the open mistake
	mistakeOpen := false
	closeMistake := func(at time.Duration) {
		if mistakeOpen {
			r.MistakeDurations = append(r.MistakeDurations, at-mistakeAt)
			mistakeOpen = false
		}
	}
	endCrash := func() { // the episode ends: judge its detection
		r.Crashes++
		if suspect {
			r.Detected++
			r.Detection = append(r.Detection, max(suspectAt-crashAt, 0))
		}
	}
	for _, e := range events {
		switch e.Kind {
		case trace.Kill:
			if !alive {
				continue
			}
			r.Uptime += e.At - since
			if suspect {
				r.Suspected += e.At - max(suspectAt, since)
			}
			closeMistake(e.At)
			alive, since, crashAt = false, e.At, e.At
			continue
		case trace.Restart:
			if alive {
				continue
			}
			endCrash()
			alive, since = true, e.At
			continue
		}
		s, ok := suspects(e, detector)
		if !ok || s == suspect {
			continue
		}
		if s { // Trust → Suspect
			suspect, suspectAt = true, e.At
			if alive {
				r.Mistakes++
				mistakeOpen, mistakeAt = true, e.At
			}
			continue
		}
		// Suspect → Trust
		if alive {
			r.Suspected += e.At - max(suspectAt, since)
			closeMistake(e.At)
		}
		suspect = false
	}
	if alive {
		r.Uptime += end - since
		if suspect {
			r.Suspected += end - max(suspectAt, since)
		}
		// A mistake still open at the end is censored: counted, no T_M.
	} else {
		endCrash()
	}
}

// Percentile returns the p-th percentile (0–100) of ds by nearest rank;
// ok is false for an empty sample.
func Percentile(ds []time.Duration, p float64) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)], true
}

// Mean returns the mean of ds; ok is false for an empty sample.
func Mean(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds)), true
}
