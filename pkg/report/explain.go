package report

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// WriteExplain writes every event of the run as one sentence a class can
// follow: the time, the node, what changed and why, in plain words, e.g.
//
//	00:59.000 dn2 LIVE → DEAD: no heartbeat for 30.89s (last at 00:28.110); 10 missed with threshold 10 (10 × 3s = 30s); …
//
// It folds and fits as WriteTableWith does with the same options: at a
// width, sentences wrap under their first word; without Full, repeated
// changes of a node are one sentence. opts.Trace is optional: with
// heartbeat arrivals recorded (sim.Options.Arrivals) the silence before
// each decision is measured; without, the detector's own reason is quoted
// instead.
func (r *Report) WriteExplain(w io.Writer, opts TableOptions) error {
	bw := bufio.NewWriter(w)
	if err := newFit(r, opts).writeExplain(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write explanation: %w", err)
	}
	return nil
}

func (f *fit) writeExplain(w io.Writer) error {
	r := f.r
	fmt.Fprintln(w, "Explanation")
	if len(r.Events) == 0 {
		fmt.Fprintln(w, "nothing happened: no node registered, no fault was injected")
		return nil
	}
	items, regs := f.timelineItems()
	line := func(ms float64, node, sentence string) {
		prefix := f.clock(ms) + " "
		if node != "" {
			prefix += node + " "
		}
		for _, l := range screen.Hang(prefix, f.text(sentence), f.o.Width) {
			fmt.Fprintln(w, strings.TrimRight(l, " "))
		}
	}
	if n := countTrue(regs); n > 1 {
		// One line for the start-up: a class needs to know it happened,
		// not read it once per node.
		var first, last float64
		for i, reg := range regs {
			if reg {
				if first == 0 {
					first = r.Events[i].TMs
				}
				last = r.Events[i].TMs
			}
		}
		line(first, "", fmt.Sprintf("%d DataNodes registered by %s: each one's first message reached the NameNode, which marks it LIVE%s from each",
			n, f.clock(last), newExplainer(r, nil).expects()))
	} else if n == 1 {
		items = foldEvents(r.Events, nil, f.o.Full)
	}
	// Only the events shown are put in words (not a million
	// registrations), in order, each with what the events before it
	// taught the explainer.
	x, noted := newExplainer(r, f.o.Trace), 0
	for _, it := range items {
		for ; noted < it.Index; noted++ {
			x.note(r.Events[noted])
		}
		e := r.Events[it.Index]
		sentence := x.sentence(e)
		if fd := it.Fold; fd != nil {
			head := fd.cycle(upper)
			if e.Kind == "verdict" {
				head = fmt.Sprintf("(%s detector, watching only) would say %s", e.Detector, head)
			}
			last := r.Events[fd.Events[len(fd.Events)-1]]
			ending := ""
			if end := fd.ends(r.Events); end != "" {
				ending = ", ending " + upper(end)
			}
			sentence = fmt.Sprintf("%s: the same change %d times from %s to %s%s; the first time, %s",
				head, fd.Times, f.clock(e.TMs), f.clock(last.TMs), ending, sentence)
		}
		line(e.TMs, e.Node, sentence)
	}
	return nil
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// ExplainEvents returns one plain-words sentence per report event, in the
// report's order, without the time and node WriteExplain puts in front.
// tr is optional, as for WriteExplain.
func (r *Report) ExplainEvents(tr *trace.Trace) []string {
	x := newExplainer(r, tr)
	out := make([]string, len(r.Events))
	for i, e := range r.Events {
		out[i] = x.sentence(e)
		x.note(e)
	}
	return out
}

func newExplainer(r *Report, tr *trace.Trace) *explainer {
	x := &explainer{r: r, arrivals: map[string][]time.Duration{}, registered: map[string][]time.Duration{},
		killed: map[string]string{}, truth: map[string]map[string]int{}}
	if tr != nil {
		for _, n := range tr.Nodes {
			if n.Arrivals != nil {
				x.arrivals[n.ID] = n.Arrivals
			}
		}
	}
	x.interval, x.hasInterval = configDuration(r.Config, "heartbeat", "interval")
	x.threshold, x.hasThreshold = configInt(r.Config, "heartbeat", "miss_threshold")
	x.staleAfter, x.hasStale = configDuration(r.Config, "heartbeat", "stale_after")
	return x
}

// explainer remembers what a reader of the timeline knows so far.
type explainer struct {
	r *Report
	// arrivals holds the trace's heartbeat arrivals per node, sorted, for
	// nodes whose arrivals were recorded (shared, never written);
	// registered the times those nodes became live so far, sorted: HDFS
	// counts a registration as a heartbeat. A node was last heard at the
	// later of the two.
	arrivals, registered map[string][]time.Duration
	// groups says, for each group partition, which band each side gets
	// and who is on it; built at the first dead declaration that needs it.
	groups                [][2]groupSide
	killed                map[string]string         // node → time of the crash in progress
	truth                 map[string]map[string]int // faults in progress per band; they may overlap
	interval, staleAfter  time.Duration
	threshold             int
	hasInterval, hasStale bool
	hasThreshold          bool
}

// note updates what is known after event e.
func (x *explainer) note(e Event) {
	if band, open, ok := TruthBand(e.Kind); ok {
		if x.truth[e.Node] == nil {
			x.truth[e.Node] = map[string]int{}
		}
		switch {
		case open:
			x.truth[e.Node][band]++
		case x.truth[e.Node][band] > 0:
			x.truth[e.Node][band]--
		}
		if band == BandKilled {
			if open {
				if _, down := x.killed[e.Node]; !down {
					x.killed[e.Node] = FormatTime(duration(e.TMs))
				}
			} else {
				delete(x.killed, e.Node)
			}
		}
		return
	}
	if e.Kind == "transition" && e.To == ViewLive {
		// A registration or a heartbeat: either way the node was heard.
		if _, measured := x.arrivals[e.Node]; !measured {
			return // silences cannot be measured anyway
		}
		t := duration(e.TMs)
		h := x.registered[e.Node]
		if i, found := slices.BinarySearch(h, t); !found {
			x.registered[e.Node] = slices.Insert(h, i, t) // at the end, events being in order
		}
	}
}

// expects says how often heartbeats should come, if the config says.
func (x *explainer) expects() string {
	if !x.hasInterval {
		return ""
	}
	return fmt.Sprintf("; the NameNode now expects a heartbeat every %s", vtime.Seconds(x.interval))
}

// lastHeard is the last time node was heard from strictly before t.
func (x *explainer) lastHeard(node string, t time.Duration) (time.Duration, bool) {
	var last time.Duration
	heard := false
	for _, h := range [][]time.Duration{x.arrivals[node], x.registered[node]} {
		if i, _ := slices.BinarySearch(h, t); i > 0 && (!heard || h[i-1] > last) {
			last, heard = h[i-1], true
		}
	}
	return last, heard
}

func (x *explainer) sentence(e Event) string {
	switch e.Kind {
	case "transition":
		return x.transition(e)
	case "verdict":
		det := e.Detector
		if det == "" {
			det = "another"
		}
		return fmt.Sprintf("(%s detector, watching only) would say %s: %s", det, upper(e.To), e.Reason)
	case "converged":
		return "CONVERGED: the news has spread through the gossip group: " + e.Reason
	case "admin":
		return fmt.Sprintf("%s → %s: %s", upper(e.From), upper(e.To), e.Reason)
	}
	if text, ok := nameNodeWords[e.Kind]; ok && e.Node == trace.NameNodeID {
		return fmt.Sprintf("%s (%s)", text, e.Reason)
	}
	if text, ok := faultWords[e.Kind]; ok {
		return fmt.Sprintf("%s (%s)", text, e.Reason)
	}
	return fmt.Sprintf("%s: %s", strings.ToUpper(e.Kind), e.Reason)
}

// faultWords explains each ground-truth event kind, as a teacher would.
var faultWords = map[string]string{
	"kill":      "KILLED: the DataNode process crashed; it sends no more heartbeats, but the NameNode does not know yet",
	"restart":   "RESTARTED: a fresh DataNode process starts and must register with the NameNode again",
	"pause":     "PAUSED: the process is frozen (think of a long GC pause); it is alive but sends nothing",
	"resume":    "RESUMED: the frozen process runs again and its heartbeats go out once more",
	"partition": "PARTITIONED: the network cuts the node off from the NameNode; it is alive but cannot be heard",
	"heal":      "HEALED: the network carries its messages to the NameNode again",
	"slow":      "SLOWED: its network links get slower; heartbeats arrive late",
	"slow-end":  "its network links are back to normal speed",
	"loss":      "LOSSY: some of its messages are lost on the way",
	"loss-end":  "its messages get through again",
	// A drifting clock makes a node's heartbeat interval wrong.
	"clock_drift": "CLOCK DRIFT: its clock runs at the wrong rate, so its heartbeats come early or late",
	"drift-end":   "its clock runs true again",
	// An operator's requests, which the NameNode carries out over time
	// (the admin events that follow say when), and failing disks.
	"decommission":   "DECOMMISSION requested: the NameNode copies the node's replicas elsewhere before it may leave",
	"maintenance":    "MAINTENANCE requested: the node may go down for a while; its replicas are copied only if too few would remain",
	"recommission":   "RECOMMISSIONED: the node is back in service; any replica now in excess is deleted",
	"volume_failure": "DISK FAILURE: volumes of the node failed; it reports the replicas lost on them, which are re-replicated",
	"shutdown":       "SHUT DOWN: more volumes failed than dfs.datanode.failed.volumes.tolerated allows; the DataNode stopped itself",
}

// nameNodeWords explains faults of the NameNode or the network as a whole.
var nameNodeWords = map[string]string{
	"namenode_overload": "OVERLOADED: the NameNode is busy; heartbeats wait in its queue and may be handled late",
	"overload-end":      "the NameNode keeps up with its work again",
	"partition":         "PARTITIONED: the network splits in two; nodes on one side cannot reach the other",
	"heal":              "HEALED: the network is whole again",
	"pause":             "PAUSED: the NameNode is frozen (a full GC): it handles nothing and scans nothing; messages wait for it",
	"resume":            "RESUMED: the NameNode runs again; what waited is read",
}

func (x *explainer) transition(e Event) string {
	head := fmt.Sprintf("%s → %s", upper(e.From), upper(e.To))
	t := duration(e.TMs)
	var parts []string
	switch {
	case e.From == ViewUnregistered && e.To == ViewLive:
		parts = append(parts, "registered: its first message reached the NameNode"+x.expects())
	case e.From == ViewDead && e.To == ViewLive:
		parts = append(parts, e.Reason,
			"a node declared dead is ignored until it registers again; now it counts as live")
	case e.To == ViewLive:
		parts = append(parts, e.Reason, "the NameNode trusts it again")
	case e.To == ViewStale:
		parts = append(parts, x.silence(e, t)...)
		parts = append(parts, "it is suspected but not yet dead: nothing is re-replicated yet")
	case e.To == ViewDead:
		parts = append(parts, x.silence(e, t)...)
		parts = append(parts, x.groundTruth(e))
		parts = append(parts, "its replicas no longer count; re-replication scheduled")
	default:
		parts = append(parts, e.Reason)
	}
	return head + ": " + strings.Join(parts, "; ")
}

// silence explains a stale or dead decision by the time since the node
// was last heard and the settings it was compared with. For a detector
// other than missed-count, whose rule these settings do not describe, its
// own reason is the explanation.
func (x *explainer) silence(e Event, t time.Duration) []string {
	last, ok := x.lastHeard(e.Node, t)
	if !ok || (e.Detector != "" && e.Detector != "missed-count") {
		return []string{e.Reason}
	}
	quiet := t - last
	out := []string{fmt.Sprintf("no heartbeat for %s (last at %s)", vtime.Seconds(quiet), vtime.Format(last))}
	switch {
	case e.To == ViewStale && x.hasStale:
		out = append(out, fmt.Sprintf("longer than heartbeat.stale_after = %s", vtime.Seconds(x.staleAfter)))
	case e.To == ViewDead && x.hasInterval && x.hasThreshold && x.interval > 0:
		out = append(out, fmt.Sprintf("%d missed with threshold %d (%d × %s = %s)",
			quiet/x.interval, x.threshold, x.threshold, vtime.Seconds(x.interval),
			vtime.Seconds(time.Duration(x.threshold)*x.interval)))
	}
	return out
}

// groupSide is one side of a group partition: the band its members get
// (none on the NameNode's side) and who they are.
type groupSide struct {
	band    string
	members map[string]bool
}

// groundTruth says whether a dead declaration was right.
func (x *explainer) groundTruth(e Event) string {
	if at, down := x.killed[e.Node]; down {
		return "correct: the process was killed at " + at
	}
	truth := x.truth[e.Node]
	if x.groups == nil {
		x.groups = make([][2]groupSide, len(x.r.GroupPartitions))
		for k, g := range x.r.GroupPartitions {
			for side, ids := range g.Groups {
				band, _ := g.bandFor(side)
				x.groups[k][side] = groupSide{band: band, members: make(map[string]bool, len(ids))}
				for _, id := range ids {
					x.groups[k][side].members[id] = true
				}
			}
		}
	}
	for k, g := range x.r.GroupPartitions {
		if g.FromMs > e.TMs || e.TMs >= g.ToMs {
			continue
		}
		for _, gs := range x.groups[k] {
			if band := gs.band; band != "" && gs.members[e.Node] {
				truth = maps.Clone(truth)
				if truth == nil {
					truth = map[string]int{}
				}
				truth[band]++
			}
		}
	}
	switch {
	case truth[BandPaused] > 0:
		return "a mistake: the process is only paused, not dead (a false positive)"
	case truth[BandPartitioned] > 0:
		return "a mistake: the process runs but is cut off by the network (a false positive)"
	case truth[BandLossy] > 0:
		return "a mistake: the process runs, but many of its messages are lost (a false positive)"
	case truth[BandSlow] > 0:
		return "a mistake: the process runs, but its links are slow and its heartbeats late (a false positive)"
	case truth[BandDrifting] > 0:
		return "a mistake: the process runs, but its clock drifts and its heartbeats come late (a false positive)"
	case x.truth[NameNodeID][BandOverloaded] > 0:
		return "a mistake: the process is running, but the overloaded NameNode reads its heartbeats too late (a false positive)"
	case truth[BandSplit] > 0:
		return "a mistake: the process runs; a partition cuts it from other nodes, not from the NameNode (a false positive)"
	}
	return "a mistake: the process is running (a false positive)"
}

func upper(state string) string {
	if state == ViewUnregistered {
		return "NEW"
	}
	return strings.ToUpper(state)
}

// configValue looks a dotted key up in the report's nested config.
func configValue(cfg map[string]any, path ...string) (any, bool) {
	var cur any = cfg
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func configDuration(cfg map[string]any, path ...string) (time.Duration, bool) {
	v, ok := configValue(cfg, path...)
	if !ok {
		return 0, false
	}
	switch v := v.(type) {
	case string:
		d, err := time.ParseDuration(v)
		return d, err == nil
	case time.Duration:
		return v, true
	}
	return 0, false
}

func configInt(cfg map[string]any, path ...string) (int, bool) {
	v, ok := configValue(cfg, path...)
	if !ok {
		return 0, false
	}
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), v == float64(int(v))
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}
