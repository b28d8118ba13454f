package liverun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/faultproxy"
	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// Options configure a live run.
type Options struct {
	// Exe is the hbsim binary to start children from; empty means
	// os.Executable().
	Exe string
	// Speed scales every time (1: real time; 0.1: ten times faster).
	Speed float64
	// Stderr receives the children's logs; nil discards them.
	Stderr io.Writer
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Pids, if not nil, is called with every child's pid once the run is
	// over and all of them are reaped (tests check none survives).
	Pids func([]int)
}

// ErrUnsupported is returned for scenario events live mode cannot inject.
var ErrUnsupported = errors.New("liverun: event not supported in live mode")

// Check rejects scenarios live mode cannot run, before anything starts.
func Check(scn *scenario.Scenario) error {
	if d := scn.Config.Heartbeat.Detector; d == "gossip" {
		return fmt.Errorf("%s: %w: heartbeat.detector: gossip has no NameNode to run live (run the scenario without --live)", scn.Path, ErrUnsupported)
	}
	if w := scn.Watching(); len(w) > 0 {
		return fmt.Errorf("%s: %w: detectors %v: live mode runs the acting detector only (compare detectors without --live)", scn.Path, ErrUnsupported, w)
	}
	for _, ev := range scn.Events {
		why := ""
		switch ev.Action {
		case scenario.Kill, scenario.Restart, scenario.Pause, scenario.Slow, scenario.Loss:
		case scenario.Partition:
			if ev.Groups[0] != nil && ev.NameNode == 0 {
				why = "a partition between two groups of DataNodes with the NameNode reachable from both: live DataNodes only talk to the NameNode, so it would change nothing (put namenode in one group, or name the nodes to cut)"
			}
		case scenario.Overload:
			why = "namenode_overload: the live NameNode serves heartbeats as fast as the host lets it; its RPC queue exists only in the simulator (run the scenario without --live)"
		case scenario.Drift:
			why = "clock_drift: live processes run on the host's one clock; a drifting timer exists only in the simulator (run the scenario without --live)"
		default:
			why = string(ev.Action)
		}
		if why != "" {
			return fmt.Errorf("%s:%d: %w: %s", scn.Path, ev.Line, ErrUnsupported, why)
		}
	}
	return nil
}

// cutNodes is who a partition cuts from the NameNode, and in which
// direction: the named nodes, or the group the NameNode is not in.
func cutNodes(ev scenario.Event) ([]string, faultproxy.Dir, error) {
	dir, err := network.ParseDir(ev.Direction)
	if err != nil || ev.Groups[0] == nil {
		return ev.Nodes, dir, err
	}
	// Groups: "to" loses messages into side 2, "from" those out of it.
	// With the NameNode on side 1 the nodes are side 2 (to: down to
	// them); with it on side 2, "to" is up to the NameNode.
	nodes := ev.Groups[2-ev.NameNode]
	if ev.NameNode == 2 && dir != faultproxy.Both {
		dir ^= faultproxy.Both
	}
	return nodes, dir, nil
}

// Run runs scn live and returns its trace in scenario time.
func Run(ctx context.Context, scn *scenario.Scenario, opts Options) (tr *trace.Trace, err error) {
	if err := Check(scn); err != nil {
		return nil, err
	}
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.Exe == "" {
		if opts.Exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("liverun: %w", err)
		}
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) * opts.Speed) }
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("liverun: secret: %w", err)
	}
	p := &procs{exe: opts.Exe, errw: opts.Stderr,
		env: append(os.Environ(), live.SecretEnv+"="+hex.EncodeToString(secret))}
	defer func() {
		p.reapAll()
		if opts.Pids != nil {
			opts.Pids(p.pids())
		}
	}()

	// The children run the scenario's own settings on a clock scaled by
	// speed, so their decisions and reasons are in scenario time.
	sets := append(daemonSets(scn.Config), "--time-scale", strconv.FormatFloat(opts.Speed, 'g', -1, 64))
	nn, err := p.start("namenode", append([]string{"namenode", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--events", "--log-level", "warn"}, sets...)...)
	if err != nil {
		return nil, err
	}
	addr, httpAddr, err := awaitListening(ctx, nn)
	if err != nil {
		return nil, err
	}
	log.Info("namenode up", "addr", addr, "http", httpAddr)

	// Every DataNode reaches the NameNode through its own link of the
	// fault-injecting proxy, which carries the scenario's network: section
	// all along and its partition, slow and loss events while they last.
	nw := scn.Config.Network
	base := faultproxy.Fault{Latency: nw.Latency, Jitter: nw.Jitter, Loss: nw.Loss, Burst: nw.Burst}.Scale(opts.Speed)
	px, err := faultproxy.New(addr, faultproxy.Options{Base: base, Seed: uint64(scn.Seed) + 1, Log: log})
	if err != nil {
		return nil, fmt.Errorf("liverun: %w", err)
	}
	defer px.Close()
	links := map[string]*faultproxy.Link{}
	for _, id := range scn.Nodes {
		if links[id], err = px.Listen(id, "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("liverun: %w", err)
		}
	}

	var (
		mu     sync.Mutex
		events []live.Event
	)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for line := range nn.lines {
			var e live.Event
			if json.Unmarshal([]byte(line), &e) == nil && (e.Kind == "transition" || e.Kind == "verdict") {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}
		}
	}()

	r := &runner{p: p, links: links, sets: sets, sent: map[string]*sentCount{}, dns: map[string]*child{}}
	var truth []trace.Event
	for _, id := range scn.Nodes {
		if err := r.boot(id); err != nil {
			return nil, err
		}
	}
	// Scenario time starts once every DataNode has registered: processes
	// take a while to start on a busy host, and a fault scheduled early
	// must find the cluster up, as in the simulator.
	if err := awaitRegistered(ctx, httpAddr, len(scn.Nodes)); err != nil {
		return nil, err
	}
	t0 := time.Now()
	toScenario := func(t time.Time) time.Duration {
		return max(time.Duration(float64(t.Sub(t0))/opts.Speed), 0)
	}
	// The timeline: scenario events, and the end of each that lasts.
	type step struct {
		at  time.Duration
		idx int // in scn.Events
		end bool
	}
	var steps []step
	for i, ev := range scn.Events {
		steps = append(steps, step{at: ev.At, idx: i})
		if ev.For > 0 && ev.Action != scenario.Kill && ev.Action != scenario.Restart {
			steps = append(steps, step{at: ev.At + ev.For, idx: i, end: true})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	heals := map[int][]func(){} // per event: lift its network faults
	defer func() {
		for _, hs := range heals {
			for _, h := range hs {
				h()
			}
		}
	}()
	note := func(kind trace.Kind, id string, ev scenario.Event, what string) {
		truth = append(truth, trace.Event{At: toScenario(time.Now()), Node: id, Kind: kind,
			Reason: fmt.Sprintf("scenario line %d: %s", ev.Line, what)})
	}
	for _, s := range steps {
		if err := sleepUntil(ctx, t0.Add(scale(s.at))); err != nil {
			return nil, err
		}
		ev := scn.Events[s.idx]
		span := "until the end"
		if ev.For > 0 {
			span = "for " + vtime.Seconds(ev.For)
		}
		switch ev.Action {
		case scenario.Partition, scenario.Slow, scenario.Loss:
			if s.end {
				for _, h := range heals[s.idx] {
					h()
				}
				delete(heals, s.idx)
				r.noteNet(note, ev, true, span)
				continue
			}
			hs, err := r.inject(ev, opts.Speed)
			heals[s.idx] = hs
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", scn.Path, ev.Line, err)
			}
			r.noteNet(note, ev, false, span)
			continue
		}
		for _, id := range ev.Nodes {
			now := toScenario(time.Now())
			switch {
			case s.end: // of a pause
				if r.dns[id] != nil {
					_ = r.dns[id].signal(syscall.SIGCONT)
					note(trace.Resume, id, ev, "process resumed (SIGCONT)")
				}
			case ev.Action == scenario.Kill:
				if r.dns[id] == nil {
					continue
				}
				r.dns[id].kill()
				r.dns[id] = nil
				truth = append(truth, trace.Event{At: now, Node: id, Kind: trace.Kill,
					Reason: fmt.Sprintf("scenario: kill at line %d (SIGKILL)", ev.Line)})
			case ev.Action == scenario.Restart:
				if r.dns[id] != nil {
					continue
				}
				if err := r.boot(id); err != nil {
					return nil, err
				}
				truth = append(truth, trace.Event{At: now, Node: id, Kind: trace.Restart,
					Reason: fmt.Sprintf("scenario: restart at line %d (new process)", ev.Line)})
			case ev.Action == scenario.Pause:
				if r.dns[id] != nil {
					_ = r.dns[id].signal(syscall.SIGSTOP)
					note(trace.Pause, id, ev, "process paused "+span+" (SIGSTOP: alive, but silent)")
				}
			}
		}
	}
	if err := sleepUntil(ctx, t0.Add(scale(scn.Duration))); err != nil {
		return nil, err
	}
	rep, err := fetch(ctx, httpAddr)
	if err != nil {
		return nil, err
	}
	end := time.Now()
	// Stop the NameNode first so its last transitions are flushed, then
	// everything else.
	_ = nn.signal(syscall.SIGTERM)
	select {
	case <-collected:
	case <-time.After(5 * time.Second):
	}
	p.reapAll()

	tr = &trace.Trace{End: scn.Duration}
	mu.Lock()
	dets := map[string]bool{}
	for _, e := range events {
		at := toScenario(time.Unix(0, e.UnixNs)) // registrations before t0 count as 0
		if time.Unix(0, e.UnixNs).After(end) {
			continue // decided after the run's end
		}
		kind := trace.Transition
		if e.Kind == "verdict" {
			kind = trace.Verdict
		}
		if !dets[e.Detector] {
			dets[e.Detector] = true
			tr.Detectors = append(tr.Detectors, e.Detector)
		}
		truth = append(truth, trace.Event{At: at, Node: e.Node, Kind: kind, From: e.From, To: e.To,
			Reason: e.Reason, Detector: e.Detector})
	}
	mu.Unlock()
	if len(tr.Detectors) == 0 {
		tr.Detectors = []string{"missed-count"}
	}
	sort.SliceStable(truth, func(i, j int) bool { return truth[i].At < truth[j].At })
	tr.Events = truth
	byID := map[string]live.DataNodeInfo{}
	for _, d := range rep.DataNodes {
		byID[d.ID] = d
	}
	for _, id := range scn.Nodes {
		n := trace.Node{ID: id, HeartbeatsSent: r.sent[id].total(), HeartbeatsReceived: byID[id].Heartbeats, FinalState: byID[id].State}
		tr.Nodes = append(tr.Nodes, n)
		tr.Messages += n.HeartbeatsSent + n.HeartbeatsReceived
	}
	return tr, nil
}

// runner holds the DataNode children.
type runner struct {
	p     *procs
	links map[string]*faultproxy.Link // each DataNode's way to the NameNode
	sets  []string
	dns   map[string]*child // nil: not running
	sent  map[string]*sentCount
}

// sentCount sums heartbeats over a node's lifetimes: each process counts
// from zero.
type sentCount struct {
	mu          sync.Mutex
	past, cur   int64
	generations int
}

func (s *sentCount) total() int64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.past + s.cur
}

func (r *runner) boot(id string) error {
	c, err := r.p.start(id, append([]string{"datanode", "--namenode", r.links[id].Addr(), "--id", id, "--status", "--log-level", "warn"}, r.sets...)...)
	if err != nil {
		return err
	}
	r.dns[id] = c
	sc := r.sent[id]
	if sc == nil {
		sc = &sentCount{}
		r.sent[id] = sc
	}
	sc.mu.Lock()
	sc.past += sc.cur
	sc.cur = 0
	sc.generations++
	gen := sc.generations
	sc.mu.Unlock()
	go func() {
		for line := range c.lines {
			var st struct {
				Sent int64 `json:"heartbeats_sent"`
			}
			if json.Unmarshal([]byte(line), &st) == nil {
				sc.mu.Lock()
				if sc.generations == gen {
					sc.cur = st.Sent
				}
				sc.mu.Unlock()
			}
		}
	}()
	return nil
}

// inject starts a network fault on the links of its nodes and returns
// what lifts it. Times (latency) are scaled by speed like every other.
func (r *runner) inject(ev scenario.Event, speed float64) ([]func(), error) {
	var f faultproxy.Fault
	nodes := ev.Nodes
	switch ev.Action {
	case scenario.Partition:
		var err error
		if nodes, f.Dir, err = cutNodes(ev); err != nil {
			return nil, err
		}
		f.Partition = faultproxy.Drop
	case scenario.Slow:
		f = faultproxy.Fault{Latency: ev.Latency}.Scale(speed)
	case scenario.Loss:
		f.Loss = ev.P
	}
	var heals []func()
	for _, id := range nodes {
		heal, err := r.links[id].Apply(f)
		if err != nil {
			return heals, err
		}
		heals = append(heals, heal)
	}
	return heals, nil
}

// noteNet records a network fault's start or end in the trace, in the
// simulator's words.
func (r *runner) noteNet(note func(trace.Kind, string, scenario.Event, string), ev scenario.Event, end bool, span string) {
	if ev.Action == scenario.Partition && ev.Groups[0] != nil {
		if end {
			note(trace.Heal, trace.NameNodeID, ev, "groups reconnected (proxy)")
		} else {
			note(trace.Partition, trace.NameNodeID, ev, fmt.Sprintf("groups %v and %v cut apart (%s) %s (proxy)", ev.Groups[0], ev.Groups[1], ev.Direction, span))
		}
		return
	}
	for _, id := range ev.Nodes {
		switch {
		case ev.Action == scenario.Partition && end:
			note(trace.Heal, id, ev, "reconnected to the NameNode (proxy)")
		case ev.Action == scenario.Partition:
			note(trace.Partition, id, ev, fmt.Sprintf("cut from the NameNode (%s) %s (proxy drops its frames)", ev.Direction, span))
		case ev.Action == scenario.Slow && end:
			note(trace.SlowEnd, id, ev, "links back to normal speed (proxy)")
		case ev.Action == scenario.Slow:
			note(trace.Slow, id, ev, "links slowed "+span+" (proxy delays its frames)")
		case ev.Action == scenario.Loss && end:
			note(trace.LossEnd, id, ev, "loss fault over (proxy)")
		case ev.Action == scenario.Loss:
			note(trace.Loss, id, ev, fmt.Sprintf("%g%% of messages lost %s (proxy drops its frames)", ev.P*100, span))
		}
	}
}

func awaitListening(ctx context.Context, nn *child) (addr, httpAddr string, err error) {
	timeout := time.After(10 * time.Second)
	select {
	case line, ok := <-nn.lines:
		if !ok {
			return "", "", errors.New("liverun: the namenode exited before listening (see its log above)")
		}
		var hello struct{ Kind, Addr, HTTP string }
		if err := json.Unmarshal([]byte(line), &hello); err != nil || hello.Kind != "listening" {
			return "", "", fmt.Errorf("liverun: namenode said %q, want its listening addresses", line)
		}
		return hello.Addr, hello.HTTP, nil
	case <-timeout:
		return "", "", errors.New("liverun: the namenode did not start listening within 10s")
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
}

// awaitRegistered polls the NameNode until n DataNodes have registered.
func awaitRegistered(ctx context.Context, httpAddr string, n int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		rep, err := fetch(ctx, httpAddr)
		if err != nil {
			return err
		}
		up := 0
		for _, d := range rep.DataNodes {
			if d.State != "" {
				up++
			}
		}
		if up >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("liverun: %d of %d DataNodes registered within 30s (see their logs above)", up, n)
		}
		if err := sleepUntil(ctx, time.Now().Add(20*time.Millisecond)); err != nil {
			return err
		}
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func fetch(ctx context.Context, addr string) (*live.DataNodesReport, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+strings.TrimPrefix(addr, "http://")+"/api/datanodes", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("liverun: ask the namenode for its datanodes: %w", err)
	}
	defer resp.Body.Close()
	var r live.DataNodesReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("liverun: decode /api/datanodes: %w", err)
	}
	return &r, nil
}

// daemonSets passes the heartbeat and io settings the daemons use, as
// --set flags. The network: section is the proxy's, not theirs.
func daemonSets(c config.Config) []string {
	var out []string
	for _, k := range config.Keys() {
		if !strings.HasPrefix(k.Name, "heartbeat.") && !strings.HasPrefix(k.Name, "io.") {
			continue
		}
		v := k.Get(c)
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		out = append(out, "--set", fmt.Sprintf("%s=%v", k.Name, v))
	}
	return out
}
