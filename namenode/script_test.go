package namenode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/script"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// TestScripts runs the NameNode's scripts, testdata/*.txt; each file's
// header names the HDFS behaviour and Hadoop test it pins. After every
// command the harness checks the machine's invariants (CheckInvariants,
// CheckBlockInvariants) and prints any violation. `go test ./namenode
// -run TestScripts -rewrite` rewrites the expected outputs.
func TestScripts(t *testing.T) {
	script.Run(t, "testdata", func(testing.TB) []script.Command {
		h := &nnHarness{}
		return h.commands()
	})
}

// nnHarness drives one NameNode by hand: the script plays the DataNodes.
type nnHarness struct {
	nn  *NameNode
	now time.Duration
}

func (h *nnHarness) commands() []script.Command {
	return []script.Command{
		{Name: "namenode", Usage: "namenode [detector=NAME] [watch=NAMES] [interval=DUR] [stale=DUR] [stale-min=N] " +
			"[threshold=N] [check=DUR] [recheck=DUR] [phi=F] [pause=DUR] [min-std=DUR] [avoid-read-stale] " +
			"[avoid-write-stale] [ratio=F] [seed=N] [blocks=N] [rf=N] [min-rf=N] [racks=NODE:RACK,...] " +
			"[max-streams=N] [hard-limit=N] [pending-timeout=DUR] [safe-extension=DUR] [work-multiplier=N] " +
			"[admin-interval=DUR] [maint-min=N] [tracked=N]",
			Run: h.newNameNode},
		{Name: "register", Usage: "register NODE... [at=DUR]", Run: h.register},
		{Name: "heartbeat", Usage: "heartbeat NODE... [at=DUR] [xmits=N] [xceivers=N] [capacity=N]", Run: h.heartbeat},
		{Name: "lifeline", Usage: "lifeline NODE... [at=DUR]", Run: h.lifeline},
		{Name: "heartbeats", Usage: "heartbeats NODE... every=DUR until=DUR (the nodes heartbeat on time; the NameNode ticks between)",
			Run: h.heartbeats},
		{Name: "tick", Usage: "tick DUR | tick until=DUR (tick at every wake-up the NameNode asks for)", Run: h.tick},
		{Name: "report", Usage: "report (dfsadmin -report: every node, and the counts)", Run: h.report},
		{Name: "block-report", Usage: "block-report NODE blocks=B,... [at=DUR]", Run: h.blockReport},
		{Name: "block-received", Usage: "block-received NODE block=B [at=DUR] (an incremental block report)", Run: h.blockReceived},
		{Name: "error-report", Usage: "error-report NODE blocks=B,... [fatal] [at=DUR]", Run: h.errorReport},
		{Name: "blocks", Usage: "blocks (the block map, pending work and the block stats)", Run: h.blocks},
		{Name: "locations", Usage: "locations block=B [at=DUR] (the read order)", Run: h.locations},
		{Name: "decommission", Usage: "decommission NODE [at=DUR]", Run: h.admin("decommission")},
		{Name: "maintenance", Usage: "maintenance NODE [until=DUR] [at=DUR]", Run: h.admin("maintenance")},
		{Name: "recommission", Usage: "recommission NODE [at=DUR]", Run: h.admin("recommission")},
	}
}

var errNoNameNode = errors.New("no namenode yet: start the script with `namenode`")

func (h *nnHarness) newNameNode(a *script.Args) (string, error) {
	cfg := DefaultConfig()
	det := DefaultDetectorConfig(a.String("detector", DetectorMissedCount))
	cfg.HeartbeatInterval = a.Dur("interval", cfg.HeartbeatInterval)
	cfg.StaleAfter = a.Dur("stale", cfg.StaleAfter)
	cfg.StaleMinHeartbeats = a.Int("stale-min", cfg.StaleMinHeartbeats)
	cfg.AvoidReadStale = a.Has("avoid-read-stale")
	cfg.AvoidWriteStale = a.Has("avoid-write-stale")
	cfg.WriteStaleRatio = a.Float("ratio", cfg.WriteStaleRatio)
	cfg.Seed = uint64(a.Int("seed", 1))
	threshold, check := a.Int("threshold", 10), a.Dur("check", 3*time.Second)
	recheck := a.Dur("recheck", det.HDFS.Recheck)
	phi, pause, minStd := a.Float("phi", det.Phi.Threshold), a.Dur("pause", det.Phi.AcceptablePause),
		a.Dur("min-std", det.Phi.MinStdDeviation)
	spec := func(name string) DetectorConfig {
		d := DefaultDetectorConfig(name)
		d.MissedCount = MissedCountConfig{Threshold: threshold, CheckInterval: check}
		d.HDFS.Recheck = recheck
		d.Phi.Threshold, d.Phi.AcceptablePause, d.Phi.MinStdDeviation = phi, pause, minStd
		d.Phi.CheckInterval, d.Phi.FirstHeartbeatEstimate = check, cfg.HeartbeatInterval
		return d
	}
	cfg.Detectors = []DetectorConfig{spec(det.Name)}
	for _, w := range a.List("watch") {
		cfg.Detectors = append(cfg.Detectors, spec(w))
	}
	if blocks := a.Int("blocks", -1); blocks >= 0 {
		b := &cfg.Blocks
		b.Enable, b.Blocks = true, blocks
		b.Replication = a.Int("rf", b.Replication)
		b.MinReplication = a.Int("min-rf", b.MinReplication)
		b.MaxStreams = a.Int("max-streams", b.MaxStreams)
		b.MaxStreamsHardLimit = a.Int("hard-limit", b.MaxStreamsHardLimit)
		b.PendingTimeout = a.Dur("pending-timeout", b.PendingTimeout)
		b.SafeModeExtension = a.Dur("safe-extension", b.SafeModeExtension)
		b.WorkMultiplier = a.Int("work-multiplier", b.WorkMultiplier)
		if racks := a.List("racks"); racks != nil {
			b.Racks = map[string]string{}
			for _, r := range racks {
				node, rack, ok := strings.Cut(r, ":")
				if !ok {
					a.Failf("racks: %q is not NODE:RACK", r)
				}
				b.Racks[node] = rack
			}
		}
	}
	cfg.Admin.Interval = a.Dur("admin-interval", cfg.Admin.Interval)
	cfg.Admin.MaintenanceMinReplication = a.Int("maint-min", cfg.Admin.MaintenanceMinReplication)
	cfg.Admin.MaxTrackedNodes = a.Int("tracked", cfg.Admin.MaxTrackedNodes)
	nn, err := New(cfg)
	if err != nil {
		return "", err
	}
	h.nn, h.now = nn, 0
	return fmt.Sprintf("detectors %s; first wake-up at %s", strings.Join(nn.Detectors(), ", "), vtime.Seconds(nn.Ready().Wake)), nil
}

// step delivers one message from each of the nodes the command names, at
// its at=.
func (h *nnHarness) step(a *script.Args, mk func(node string) proto.Message) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	nodes := a.Words()
	if len(nodes) == 0 {
		a.Failf("name at least one node")
	}
	h.now = a.At(h.now)
	for _, id := range nodes {
		m := mk(id)
		m.Node = id
		h.nn.Step(h.now, m)
	}
	return h.drain(), nil
}

func (h *nnHarness) register(a *script.Args) (string, error) {
	return h.step(a, func(string) proto.Message { return proto.Message{Type: proto.TypeRegister} })
}

func (h *nnHarness) heartbeat(a *script.Args) (string, error) {
	st := h.stats(a)
	return h.step(a, func(string) proto.Message { return proto.Message{Type: proto.TypeHeartbeat, Stats: st} })
}

func (h *nnHarness) lifeline(a *script.Args) (string, error) {
	return h.step(a, func(string) proto.Message { return proto.Message{Type: proto.TypeLifeline} })
}

func (h *nnHarness) stats(a *script.Args) proto.Stats {
	return proto.Stats{Xmits: int32(a.Int("xmits", 0)), Xceivers: int32(a.Int("xceivers", 1)),
		Capacity: int64(a.Int("capacity", 0))}
}

func (h *nnHarness) blockReport(a *script.Args) (string, error) {
	blocks := a.Ints("blocks")
	return h.step(a, func(string) proto.Message { return proto.Message{Type: proto.TypeBlockReport, Blocks: blocks} })
}

func (h *nnHarness) blockReceived(a *script.Args) (string, error) {
	b := int64(a.Int("block", -1))
	if b < 0 {
		a.Failf("want block=B")
	}
	return h.step(a, func(string) proto.Message { return proto.Message{Type: proto.TypeBlockReceived, Block: b} })
}

func (h *nnHarness) errorReport(a *script.Args) (string, error) {
	code := proto.ErrorDisk
	if a.Has("fatal") {
		code = proto.ErrorFatalDisk
	}
	blocks := a.Ints("blocks")
	return h.step(a, func(string) proto.Message {
		return proto.Message{Type: proto.TypeErrorReport, Code: code, Blocks: blocks}
	})
}

// tick runs the NameNode at every wake-up it asks for up to the target,
// then once at the target.
func (h *nnHarness) tick(a *script.Args) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	until, _, ok := a.Until(h.now)
	if !ok {
		return "", nil
	}
	var out strings.Builder
	h.runUntil(until, &out, nil)
	return out.String(), nil
}

// runUntil ticks at each wake-up up to until; beat, if set, is called
// first at each time and returns the next time it wants.
func (h *nnHarness) runUntil(until time.Duration, out *strings.Builder, beat func(now time.Duration) time.Duration) {
	next := until + 1
	if beat != nil {
		next = beat(-1)
	}
	for {
		wake := h.nn.Ready().Wake
		t := min(wake, next)
		if t > until {
			break
		}
		h.now = max(h.now, t)
		if t == next {
			next = beat(t)
		}
		if wake <= h.now {
			h.nn.Tick(h.now)
		}
		out.WriteString(h.drain())
	}
	h.now = until
}

// heartbeats has the nodes heartbeat every interval, the first one
// interval from now, while the NameNode ticks at its wake-ups.
func (h *nnHarness) heartbeats(a *script.Args) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	nodes := a.Words()
	every, until := a.Dur("every", 0), a.Dur("until", -1)
	st := h.stats(a)
	if len(nodes) == 0 || every <= 0 || until < h.now {
		a.Failf("want nodes, every=DUR and until=DUR not before now (%v)", h.now)
		return "", nil
	}
	start := h.now
	var out strings.Builder
	h.runUntil(until, &out, func(t time.Duration) time.Duration {
		if t < 0 {
			return start + every
		}
		for _, id := range nodes {
			h.nn.Step(t, proto.Message{Type: proto.TypeHeartbeat, Node: id, Stats: st})
		}
		return t + every
	})
	return out.String(), nil
}

// drain prints and takes what the NameNode wants done, then checks its
// invariants.
func (h *nnHarness) drain() string {
	var b strings.Builder
	rd := h.nn.Ready()
	for _, m := range rd.Messages {
		switch {
		case m.Type == proto.TypeRegisterReply:
			fmt.Fprintf(&b, "%s → %s register-reply handle=%d\n", vtime.Seconds(h.now), m.Node, m.Handle)
		case len(m.Commands) > 0:
			fmt.Fprintf(&b, "%s → %s %s: %s\n", vtime.Seconds(h.now), m.Node, m.Type, commandsText(m.Commands))
		}
	}
	for _, tr := range rd.Transitions {
		from := tr.From.String()
		if from == "" {
			from = "unregistered"
		}
		fmt.Fprintf(&b, "%s %s %s→%s: %s", vtime.Seconds(tr.At), tr.Node, from, tr.To, tr.Reason)
		if tr.Watching {
			fmt.Fprintf(&b, " [%s watching]", tr.Detector)
		}
		if tr.ReportedAt > 0 {
			fmt.Fprintf(&b, " (reads DEAD from %s)", vtime.Seconds(tr.ReportedAt))
		}
		b.WriteByte('\n')
	}
	for _, c := range rd.Admin {
		fmt.Fprintf(&b, "%s %s admin %s→%s: %s\n", vtime.Seconds(c.At), c.Node, adminText(c.From), adminText(c.To), c.Reason)
	}
	h.nn.Advance()
	if err := errors.Join(h.nn.CheckInvariants(), h.nn.CheckBlockInvariants()); err != nil {
		fmt.Fprintf(&b, "%s: %v\n", script.Violation, err)
	}
	return b.String()
}

func adminText(s AdminState) string {
	if s == InService {
		return "in-service"
	}
	return s.String()
}

func commandsText(cmds []proto.Command) string {
	parts := make([]string, len(cmds))
	for k, c := range cmds {
		switch c.Action {
		case proto.ActionTransfer:
			parts[k] = fmt.Sprintf("transfer b%d → %s", c.Block, strings.Join(c.Pipeline(), ","))
		case proto.ActionInvalidate:
			parts[k] = fmt.Sprintf("invalidate b%d", c.Block)
		default:
			parts[k] = c.Action.String()
		}
	}
	return strings.Join(parts, "; ")
}

func (h *nnHarness) report(a *script.Args) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	var b strings.Builder
	for _, nd := range h.nn.Nodes() {
		fmt.Fprintf(&b, "%s %s last-heard=%s heartbeats=%d", nd.ID, nd.State, vtime.Seconds(nd.LastHeard), nd.HeartbeatsReceived)
		if nd.LifelinesReceived > 0 {
			fmt.Fprintf(&b, " lifelines=%d", nd.LifelinesReceived)
		}
		if nd.Admin != InService {
			fmt.Fprintf(&b, " %s", nd.Admin)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "live %d, stale %d, dead %d", h.nn.Count(Live), h.nn.Count(Stale), h.nn.Count(Dead))
	if h.nn.cfg.AvoidWriteStale {
		fmt.Fprintf(&b, "; writes avoid stale nodes: %v", h.nn.WriteAvoidsStale())
	}
	return b.String(), nil
}

func (h *nnHarness) blocks(a *script.Args) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	var b strings.Builder
	st := h.nn.BlockStats()
	for blk := int64(0); blk < int64(st.Total); blk++ {
		reps := strings.Join(h.nn.Replicas(blk), ",")
		if reps == "" {
			reps = "no replica"
		}
		fmt.Fprintf(&b, "b%d: %s", blk, reps)
		if p := h.nn.Pending(blk); p > 0 {
			fmt.Fprintf(&b, " pending=%d", p)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "under-replicated %d, missing %d, scheduled %d, re-replicated %d, timeouts %d, invalidated %d",
		st.UnderReplicated, st.Missing, st.Scheduled, st.ReReplicated, st.Timeouts, st.Invalidated)
	if st.SafeMode {
		b.WriteString("; in safe mode")
	} else if st.SafeModeLeft > 0 {
		fmt.Fprintf(&b, "; safe mode left at %s", vtime.Seconds(st.SafeModeLeft))
	}
	return b.String(), nil
}

func (h *nnHarness) locations(a *script.Args) (string, error) {
	if h.nn == nil {
		return "", errNoNameNode
	}
	h.now = a.At(h.now)
	b := int64(a.Int("block", -1))
	return strings.Join(h.nn.Locations(b, h.now, nil), ","), nil
}

func (h *nnHarness) admin(op string) func(a *script.Args) (string, error) {
	return func(a *script.Args) (string, error) {
		if h.nn == nil {
			return "", errNoNameNode
		}
		id := a.Word("node")
		until := a.Dur("until", 0)
		h.now = a.At(h.now)
		var err error
		switch op {
		case "decommission":
			err = h.nn.Decommission(h.now, id)
		case "maintenance":
			err = h.nn.StartMaintenance(h.now, id, until)
		default:
			err = h.nn.Recommission(h.now, id)
		}
		return h.drain(), err
	}
}
