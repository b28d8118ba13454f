// Package cost estimates what a simulated run will take before it starts:
// engine events, peak memory and wall time, from the scenario's nodes,
// duration, intervals, detectors, workload, blocks and faults. A run past
// a budget (10^10 events, or more memory than the machine has) is refused
// with the field that makes it so, where it was written, and the estimate;
// the CLI's --force runs it anyway.
//
// The model is linear in what drives the engine and deliberately simple;
// its constants, measured on today's engine, are all in calibration.go.
package cost

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/setup"
)

// MaxEvents is the default budget of engine events: about 80 minutes of
// wall time at today's speed.
const MaxEvents = 1e10

// Options shape an estimate.
type Options struct {
	// Arrivals: the run records every heartbeat's arrival (--html,
	// --explain), 8 bytes each.
	Arrivals bool
}

// Term is one part of a run's cost and the setting that drives it.
type Term struct {
	// Field is the setting or scenario field most to blame: a dotted
	// setting, "duration", "cluster" or "events[3]".
	Field string
	// Origin is where Field was written: "x.yaml:7", "--set key",
	// "$HBSIM_…"; empty when unknown.
	Origin string
	// What says in words what costs: "heartbeats of 5 DataNodes every
	// 1ns for 1h".
	What   string
	Events float64 // in engine events, or their equivalent in time
	Bytes  float64
}

// Estimate is what a run is expected to take.
type Estimate struct {
	Events float64 // engine events, or their equivalent in time
	Bytes  float64 // peak heap
	Wall   time.Duration
	// Terms are the parts, largest first.
	Terms []Term
}

func (e Estimate) String() string {
	return fmt.Sprintf("%s events, %s, about %s", Count(e.Events), Bytes(e.Bytes), Wall(e.Wall))
}

// Of estimates the cost of simulating s.
func Of(s *scenario.Scenario, opts Options) Estimate {
	m := model{s: s, seconds: s.Duration.Seconds(), nodes: float64(len(s.Nodes))}
	m.nodeCosts()
	m.heartbeats(opts)
	m.scans()
	m.blocks()
	m.workload()
	m.faults()
	var e Estimate
	e.Bytes = BaseBytes
	for _, t := range m.terms {
		e.Events += t.Events
		e.Bytes += t.Bytes
	}
	e.Wall = wall(e.Events)
	e.Terms = m.terms
	slices.SortStableFunc(e.Terms, func(a, b Term) int {
		return -cmpFloat(a.Events/EventsPerSecond+a.Bytes/1e9, b.Events/EventsPerSecond+b.Bytes/1e9)
	})
	return e
}

func wall(events float64) time.Duration {
	s := events / EventsPerSecond
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// model accumulates the terms of one estimate.
type model struct {
	s       *scenario.Scenario
	seconds float64
	nodes   float64
	terms   []Term
}

func (m *model) add(t Term) {
	if t.Events > 0 || t.Bytes > 0 {
		m.terms = append(m.terms, t)
	}
}

// blame picks, among fields in order of likely fault, the first the user
// wrote (not a default), with its origin; the first field otherwise.
func (m *model) blame(fields ...string) (field, origin string) {
	for _, f := range fields {
		if o := m.origin(f); o != "" && o != config.DefaultOrigin {
			return f, o
		}
	}
	return fields[0], m.origin(fields[0])
}

func (m *model) origin(field string) string {
	if o, ok := m.s.Origins[field]; ok {
		return o
	}
	if line := m.s.Lines[field]; line > 0 {
		return fmt.Sprintf("%s:%d", m.s.Path, line)
	}
	return ""
}

// nodeCosts: what every DataNode costs whatever the run does: its
// machines, its registration, its records in the trace and the report.
func (m *model) nodeCosts() {
	if m.nodes == 0 {
		return
	}
	field, origin := m.blame("cluster")
	m.add(Term{Field: field, Origin: origin, What: fmt.Sprintf("setting up and reporting %s", nodeCount(len(m.s.Nodes))),
		Events: m.nodes * UnitsPerNode, Bytes: m.nodes * BytesPerNode})
}

func (m *model) heartbeats(opts Options) {
	hb := m.s.Config.Heartbeat
	if hb.Interval <= 0 {
		return
	}
	every := hb.Interval.Seconds()
	perNode := m.seconds / every
	what := fmt.Sprintf("heartbeats of %s every %s for %s", nodeCount(len(m.s.Nodes)), hb.Interval, m.s.Duration)
	field, origin := m.blame("heartbeat.interval", "duration", "cluster")
	if hb.Detector == "gossip" {
		// Each member sends its digest, an entry per member, to fanout
		// peers every interval.
		fanout := math.Min(float64(hb.Gossip.Fanout), math.Max(m.nodes-1, 1))
		msgs := m.nodes * perNode * fanout
		field, origin = m.blame("heartbeat.interval", "heartbeat.gossip.fanout", "duration", "cluster")
		m.add(Term{Field: field, Origin: origin, What: "gossip: " + what + fmt.Sprintf(", to %g peers each", fanout),
			Events: msgs * (2 + m.nodes*UnitsPerGossipEntry), Bytes: m.nodes * m.nodes * BytesPerInFlight})
		return
	}
	per := float64(EventsPerHeartbeat)
	if m.s.Config.NameNode.ServiceTime > 0 {
		per++
	}
	if busy, ok := m.quiet(); ok {
		// Quiet stretches carry most heartbeats at a sliver of an event
		// each; the faults' spans take every heartbeat in time order.
		per = busy*per + (1-busy)*UnitsPerQuietHeartbeat
		what += " (mostly in quiet stretches)"
	}
	total := m.nodes * perNode
	t := Term{Field: field, Origin: origin, What: what, Events: total * per}
	if opts.Arrivals {
		t.Bytes += total * BytesPerArrival
	}
	m.add(t)
	if hb.Lifeline.Enabled {
		li := hb.Lifeline.Interval
		if li == 0 {
			li = 3 * hb.Interval
		}
		f, o := m.blame("heartbeat.lifeline.interval", "heartbeat.interval", "duration")
		m.add(Term{Field: f, Origin: o, What: fmt.Sprintf("lifelines every %s at most", li),
			Events: m.nodes * m.seconds / li.Seconds() * EventsPerHeartbeat})
	}
	// A heartbeat is on the wire for one way, its reply for the other:
	// with an interval shorter than the round trip, they pile up.
	rtt := 2 * (typicalDelay(m.s.Config.Network.Latency) + m.s.Config.Network.Jitter.Seconds())
	if inFlight := m.nodes * math.Ceil(rtt/every); inFlight > m.nodes*4 {
		f, o := m.blame("heartbeat.interval", "network.latency")
		m.add(Term{Field: f, Origin: o, What: fmt.Sprintf("messages in flight: a heartbeat every %s with %s of round trip",
			hb.Interval, seconds(rtt)), Bytes: inFlight * BytesPerInFlight})
	}
}

// quiet reports whether the run's heartbeats can take quiet stretches
// (pkg/sim's stretch.go): detectors that promise a quiet gap only, no
// block layer, no clients, a lossless network of bounded latency, a
// NameNode without a service time. busy is the share of the run that link faults and
// clock drifts keep out of them; a paused node (its timers wait) and a
// node partitioned both ways (its events wait aside) keep nothing out.
func (m *model) quiet() (busy float64, ok bool) {
	c := m.s.Config
	for _, d := range append([]string{c.Heartbeat.Detector}, m.s.Watching()...) {
		if d != "missed-count" && d != "hdfs" {
			return 0, false
		}
	}
	n := c.Network
	if c.NameNode.ServiceTime > 0 || c.Data.BlockCount() > 0 || c.Workload.ReadsPerSec+c.Workload.WritesPerSec > 0 ||
		n.Loss > 0 || n.Burst.Enter > 0 || (n.Latency.Dist != "" && n.Latency.Dist != "constant" && n.Latency.Dist != "uniform") {
		return 0, false
	}
	// A heartbeat's reply must land before the next heartbeat and the
	// call's timeout (DataNode.SteadyRoundTrip).
	hi := n.Latency.Value
	if n.Latency.Dist == "uniform" {
		hi = max(n.Latency.Max, n.Latency.Min)
	}
	timeout := c.Heartbeat.RPCTimeout
	if timeout <= 0 {
		timeout = c.Heartbeat.Interval
	}
	if rt := 2 * (hi + n.Jitter); rt >= c.Heartbeat.Interval || rt > timeout {
		return 0, false
	}
	var span time.Duration
	for _, ev := range m.s.Events {
		switch ev.Action {
		case scenario.Overload:
			return 0, false
		case scenario.Partition, scenario.Slow, scenario.Loss, scenario.Drift:
			if ev.Action == scenario.Partition && len(ev.Groups[0]) == 0 && (ev.Direction == "" || ev.Direction == "both") {
				continue // cut-off nodes' events wait aside (pkg/sim's stretch.go)
			}
			rest := m.s.Duration - ev.At
			// A drifted clock stays off the NameNode's for the rest of
			// the run, and so do all heartbeats off the fast path.
			if ev.For > 0 && ev.Action != scenario.Drift {
				rest = min(ev.For, rest)
			}
			span += rest
		}
	}
	if m.s.Duration <= 0 {
		return 0, true
	}
	return math.Min(span.Seconds()/m.seconds, 1), true
}

// scans: every detector judges every node at each of its scans.
func (m *model) scans() {
	hb := m.s.Config.Heartbeat
	if hb.Detector == "gossip" || hb.CheckInterval <= 0 {
		return
	}
	detectors := append([]string{hb.Detector}, m.s.Watching()...)
	scans := m.seconds / hb.CheckInterval.Seconds()
	// While nothing fails, the acting detector skips the scans that can
	// change nothing: it scans about once a scan gap less an interval.
	judged := float64(len(detectors))
	if busy, ok := m.quiet(); ok {
		if period := m.quietScanPeriod(); period > hb.CheckInterval {
			judged -= (1 - busy) * (1 - hb.CheckInterval.Seconds()/period.Seconds())
		}
	}
	field, origin := m.blame("heartbeat.check_interval", "duration", "cluster")
	t := Term{Field: field, Origin: origin,
		What:   fmt.Sprintf("%d detector scans of %s every %s for %s", len(detectors), nodeCount(len(m.s.Nodes)), hb.CheckInterval, m.s.Duration),
		Events: scans * m.nodes * judged * UnitsPerJudgement}
	if slices.Contains(detectors, "phi") {
		window := math.Min(float64(hb.Phi.Window), m.seconds/hb.Interval.Seconds()+1)
		t.Bytes = m.nodes * window * BytesPerPhiSample
	}
	m.add(t)
}

// quietScanPeriod is how often the acting detector scans while every
// node is heard from: its NameNode's scan gap (namenode.ScanGap) less a
// heartbeat interval; 0 when it skips no scan.
func (m *model) quietScanPeriod() time.Duration {
	c := m.s.Config
	nc, err := setup.NameNode(c, nil)
	if err != nil {
		return 0
	}
	spec, err := setup.Detector(c.Heartbeat.Detector, c)
	if err != nil {
		return 0
	}
	gap := namenode.ScanGap(nc, spec)
	if gap <= 0 {
		return 0
	}
	return gap - c.Heartbeat.Interval
}

func (m *model) blocks() {
	replicas := float64(m.s.Config.Data.BlockCount()) * float64(m.s.Config.Data.Replication)
	if replicas == 0 {
		return
	}
	field, origin := m.blame("data.blocks", "data.size", "data.replication")
	m.add(Term{Field: field, Origin: origin, What: fmt.Sprintf("%s replicas placed and reported", Count(replicas)),
		Events: replicas * UnitsPerReplica, Bytes: replicas * BytesPerReplica})
}

func (m *model) workload() {
	w := m.s.Config.Workload
	ops := (w.ReadsPerSec + w.WritesPerSec) * m.seconds
	if ops == 0 {
		return
	}
	field, origin := m.blame("workload.reads_per_sec", "workload.writes_per_sec", "duration")
	m.add(Term{Field: field, Origin: origin,
		What:   fmt.Sprintf("%s client operations (%g reads and %g writes a second for %s)", Count(ops), w.ReadsPerSec, w.WritesPerSec, m.s.Duration),
		Events: ops * UnitsPerClientOp, Bytes: ops * BytesPerClientOp})
}

// faults: an overloaded NameNode's background requests and the queue they
// build up.
func (m *model) faults() {
	hbRate := 0.0
	if iv := m.s.Config.Heartbeat.Interval; iv > 0 {
		hbRate = m.nodes / iv.Seconds()
	}
	for i, ev := range m.s.Events {
		if ev.Action != scenario.Overload {
			continue
		}
		span := m.s.Duration - ev.At
		if ev.For > 0 && ev.At+ev.For < m.s.Duration {
			span = ev.For
		}
		sec := span.Seconds()
		t := Term{Field: fmt.Sprintf("events[%d]", i), Origin: fmt.Sprintf("%s:%d", m.s.Path, ev.Line),
			What:   fmt.Sprintf("namenode_overload: %g background requests a second for %s", ev.Load, span),
			Events: (ev.Load + hbRate) * sec}
		if ev.ServiceTime > 0 {
			// Background requests only take handlers' time; the heartbeats
			// that wait behind them are messages held in memory.
			capacity := float64(ev.Handlers) / ev.ServiceTime.Seconds()
			if backlog := (ev.Load + hbRate - capacity) * sec; backlog > 0 {
				t.Bytes = math.Min(backlog, hbRate*sec) * BytesPerInFlight
			}
		}
		m.add(t)
	}
}

// typicalDelay is a latency distribution's usual one-way delay in seconds.
func typicalDelay(l config.Latency) float64 {
	var d time.Duration
	switch l.Dist {
	case "uniform":
		d = (l.Min + l.Max) / 2
	case "normal":
		d = l.Mean
	case "lognormal":
		d = l.Median
	case "pareto":
		d = l.Min
	default:
		d = l.Value
	}
	return d.Seconds()
}

// Limits are the budgets a run must fit.
type Limits struct {
	// MaxEvents refuses runs estimated beyond this many events.
	MaxEvents float64
	// MaxBytes refuses runs estimated to need more heap than this; 0
	// means no limit (the machine's memory is unknown).
	MaxBytes float64
}

// DefaultLimits are MaxEvents and the memory this machine has available.
func DefaultLimits() Limits { return Limits{MaxEvents: MaxEvents, MaxBytes: float64(Available())} }

// Error is a run refused for its cost.
type Error struct {
	Estimate Estimate
	Term     Term // the largest part of the cost
	Reason   string
}

func (e *Error) Error() string {
	loc := config.Locate(e.Term.Origin, e.Term.Field)
	return fmt.Sprintf("%s: %s (%s); estimated %s. %s, or pass --force to run it anyway",
		loc, e.Reason, e.Term.What, e.Estimate, advice(e.Term.Field))
}

// Check refuses an estimate beyond the limits, naming its largest term.
func (e Estimate) Check(l Limits) error {
	var reason string
	var largest func(a, b Term) int
	switch {
	case l.MaxEvents > 0 && e.Events > l.MaxEvents:
		reason = fmt.Sprintf("the run would take %s engine events, more than the budget of %s", Count(e.Events), Count(l.MaxEvents))
		largest = func(a, b Term) int { return cmpFloat(a.Events, b.Events) }
	case l.MaxBytes > 0 && e.Bytes > l.MaxBytes:
		reason = fmt.Sprintf("the run would need %s of memory, more than the %s available", Bytes(e.Bytes), Bytes(l.MaxBytes))
		largest = func(a, b Term) int { return cmpFloat(a.Bytes, b.Bytes) }
	default:
		return nil
	}
	return &Error{Estimate: e, Term: slices.MaxFunc(e.Terms, largest), Reason: reason}
}

// advice says what to change for the field to blame.
func advice(field string) string {
	switch {
	case strings.HasPrefix(field, "events["):
		return "Shorten the overload or lower its load"
	case strings.HasPrefix(field, "workload."):
		return "Lower the workload's rates or shorten the duration"
	case strings.HasPrefix(field, "data."):
		return "Use fewer blocks"
	case field == "duration":
		return "Shorten the duration"
	case field == "cluster":
		return "Use fewer DataNodes or a shorter duration"
	case field == "network.latency":
		return "Lower the latency or lengthen heartbeat.interval"
	}
	return "Lengthen " + field + " or shorten the duration"
}

func nodeCount(n int) string {
	if n == 1 {
		return "1 DataNode"
	}
	return fmt.Sprintf("%d DataNodes", n)
}

// Count writes a large number briefly: 950, 3.6e+06.
func Count(f float64) string {
	if f < 1e4 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.2g", f)
}

// Bytes writes a size in binary units: 12 MiB, 3.2 GiB.
func Bytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if b >= 100 || i == 0 {
		return fmt.Sprintf("%.0f %s", b, units[i])
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", b), ".0") + " " + units[i]
}

// Wall writes a wall time the way people say it: 2s, 3m, 5h, 40 days.
func Wall(d time.Duration) string {
	switch {
	case d < time.Second:
		return "under a second"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 2*365*24*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return fmt.Sprintf("%.2g years", d.Hours()/24/365)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
