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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
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
	for _, ev := range scn.Events {
		switch ev.Action {
		case scenario.Kill, scenario.Restart, scenario.Pause:
		default:
			return fmt.Errorf("%s:%d: %w: %s (live mode injects kill, restart and pause; network faults need the fault-injecting proxy, not built yet)",
				scn.Path, ev.Line, ErrUnsupported, ev.Action)
		}
	}
	return nil
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

	hb := scn.Config.Heartbeat
	sets := []string{
		"--set", "heartbeat.interval=" + scale(hb.Interval).String(),
		"--set", "heartbeat.check_interval=" + scale(hb.CheckInterval).String(),
		"--set", fmt.Sprintf("heartbeat.miss_threshold=%d", hb.MissThreshold),
		"--set", "heartbeat.stale_after=" + scale(hb.StaleAfter).String(),
	}
	nn, err := p.start("namenode", append([]string{"namenode", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--events", "--log-level", "warn"}, sets...)...)
	if err != nil {
		return nil, err
	}
	addr, httpAddr, err := awaitListening(ctx, nn)
	if err != nil {
		return nil, err
	}
	log.Info("namenode up", "addr", addr, "http", httpAddr)

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

	t0 := time.Now()
	toScenario := func(t time.Time) time.Duration { return time.Duration(float64(t.Sub(t0)) / opts.Speed) }
	r := &runner{p: p, addr: addr, sets: sets, sent: map[string]*sentCount{}, dns: map[string]*child{}}
	var truth []trace.Event
	for _, id := range scn.Nodes {
		if err := r.boot(id); err != nil {
			return nil, err
		}
	}
	// The timeline: scenario events, and the end of each pause.
	type step struct {
		at     time.Duration
		ev     scenario.Event
		resume bool
	}
	var steps []step
	for _, ev := range scn.Events {
		steps = append(steps, step{at: ev.At, ev: ev})
		if ev.Action == scenario.Pause && ev.For > 0 {
			steps = append(steps, step{at: ev.At + ev.For, ev: ev, resume: true})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	for _, s := range steps {
		if err := sleepUntil(ctx, t0.Add(scale(s.at))); err != nil {
			return nil, err
		}
		for _, id := range s.ev.Nodes {
			now := toScenario(time.Now())
			switch {
			case s.resume:
				_ = r.dns[id].signal(syscall.SIGCONT)
			case s.ev.Action == scenario.Kill:
				if r.dns[id] == nil {
					continue
				}
				r.dns[id].kill()
				r.dns[id] = nil
				truth = append(truth, trace.Event{At: now, Node: id, Kind: trace.Kill,
					Reason: fmt.Sprintf("scenario: kill at line %d (SIGKILL)", s.ev.Line)})
			case s.ev.Action == scenario.Restart:
				if r.dns[id] != nil {
					continue
				}
				if err := r.boot(id); err != nil {
					return nil, err
				}
				truth = append(truth, trace.Event{At: now, Node: id, Kind: trace.Restart,
					Reason: fmt.Sprintf("scenario: restart at line %d (new process)", s.ev.Line)})
			case s.ev.Action == scenario.Pause:
				if r.dns[id] != nil {
					_ = r.dns[id].signal(syscall.SIGSTOP)
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
		at := time.Duration(float64(time.Unix(0, e.UnixNs).Sub(t0)) / opts.Speed)
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
	p    *procs
	addr string
	sets []string
	dns  map[string]*child // nil: not running
	sent map[string]*sentCount
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
	c, err := r.p.start(id, append([]string{"datanode", "--namenode", r.addr, "--id", id, "--status", "--log-level", "warn"}, r.sets...)...)
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
