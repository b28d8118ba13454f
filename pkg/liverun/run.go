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
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hbsim/hbsim/pkg/faultproxy"
	"github.com/hbsim/hbsim/pkg/faults"
	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/replay"
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
	// Progress, if not nil, is called about every ProgressEvery of wall
	// time while the scenario runs, and once at its end. It is called
	// with Stderr to itself: it may write there (a progress line) without
	// a child's log line landing in the middle.
	Progress func(Progress)
	// ProgressEvery is the wall time between two Progress calls (0:
	// half a second).
	ProgressEvery time.Duration
	// Arrivals records when each heartbeat and registration reached the
	// NameNode (trace.Node.Arrivals and Registrations), as the simulator
	// does with sim.Options.Arrivals: the NameNode child writes them
	// (hbsim namenode --record) and the run reads them back at its end.
	Arrivals bool
	// Pids, if not nil, is called with every child's pid once the run is
	// over and all of them are reaped (tests check none survives).
	Pids func([]int)
}

// Run runs m live and returns its trace in scenario time. A run stopped by
// ctx (Ctrl-C) after the scenario started returns the trace so far, whose
// End is the scenario time reached, with ctx's error.
func Run(ctx context.Context, m *model.Run, opts Options) (*trace.Trace, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("liverun: %w", err)
	}
	if err := Check(m); err != nil {
		return nil, err
	}
	r, err := newRun(m, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.boot(ctx); err != nil {
		return nil, err
	}
	err = r.play(ctx)
	tr, ferr := r.finish(ctx)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	return tr, err
}

// run is one live run: the children, the proxy between them, the fault
// interpreter driving them, and what it collects.
type run struct {
	m    *model.Run
	opts Options
	log  *slog.Logger
	dir  string        // holds the machines file
	errw *lockedWriter // the children's stderr

	procs  *procs
	nn     *child
	http   string // the NameNode's HTTP address
	col    *collector
	proxy  *faultproxy.Proxy
	links  map[int32]*faultproxy.Link
	dns    *osDataNodes
	target *target
	interp *faults.Interpreter
	steps  []faults.Step
	next   int // the next step to apply

	clk   clock // from the NameNode's time zero
	truth []trace.Event
	end   time.Duration // scenario time reached
}

func newRun(m *model.Run, opts Options) (*run, error) {
	if !(opts.Speed > 0) || live.CheckTimeScale(opts.Speed) != nil {
		return nil, fmt.Errorf("liverun: speed %v: want a number from %g to %g", opts.Speed, live.MinTimeScale, live.MaxTimeScale)
	}
	if opts.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("liverun: %w", err)
		}
		opts.Exe = exe
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	errw := &lockedWriter{w: opts.Stderr}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 500 * time.Millisecond
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("liverun: secret: %w", err)
	}
	dir, err := os.MkdirTemp("", "hbsim-live-")
	if err != nil {
		return nil, fmt.Errorf("liverun: %w", err)
	}
	r := &run{m: m, opts: opts, log: log, dir: dir, col: newCollector(), steps: faults.Steps(m), errw: errw,
		procs: &procs{exe: opts.Exe, errw: errw,
			env: append(os.Environ(), live.SecretEnv+"="+hex.EncodeToString(secret))}}
	if err := live.WriteMachines(r.machinesFile(), machines(m)); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// machines are the run's machine configurations, built as the simulator
// builds its machines.
func machines(m *model.Run) live.Machines {
	nc, _ := m.NameNodeConfig() // central: Check refused gossip
	ms := live.Machines{NameNode: nc}
	for i := range m.Nodes {
		ms.DataNodes = append(ms.DataNodes, m.DataNodeConfig(i))
	}
	return ms
}

func (r *run) machinesFile() string { return filepath.Join(r.dir, "machines.json") }

func (r *run) arrivalsFile() string { return filepath.Join(r.dir, "arrivals.csv") }

// childArgs are the flags every child shares: the run's machines, on a
// clock scaled by speed, so their decisions and reasons are in scenario
// time.
func (r *run) childArgs(args ...string) []string {
	return append(args, "--machines", r.machinesFile(), "--log-level", "warn",
		"--time-scale", strconv.FormatFloat(r.opts.Speed, 'g', -1, 64))
}

// boot starts the NameNode, the proxy and every DataNode, and waits until
// all have registered: then the scenario's time starts.
func (r *run) boot(ctx context.Context) error {
	args := []string{"namenode", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--events"}
	if r.opts.Arrivals {
		args = append(args, "--record", r.arrivalsFile())
	}
	nn, err := r.procs.start("namenode", r.col.read, r.childArgs(args...)...)
	if err != nil {
		return err
	}
	r.nn = nn
	addr, err := r.awaitListening(ctx)
	if err != nil {
		return err
	}
	r.log.Info("namenode up", "addr", addr, "http", r.http)

	// Every DataNode reaches the NameNode through its own link of the
	// fault-injecting proxy, which carries the run's network all along
	// and its network faults while they last.
	r.proxy, err = faultproxy.New(addr, faultproxy.Options{Base: r.m.Network.Scale(r.opts.Speed), Seed: uint64(r.m.Seed) + 1, Log: r.log})
	if err != nil {
		return fmt.Errorf("liverun: %w", err)
	}
	r.links = make(map[int32]*faultproxy.Link, len(r.m.Nodes))
	for i, n := range r.m.Nodes {
		if r.links[int32(i)], err = r.proxy.Listen(n.ID, "127.0.0.1:0"); err != nil {
			return fmt.Errorf("liverun: %w", err)
		}
	}
	r.dns = newOSDataNodes(r.procs, r.m.IDs(), func(i int32) []string {
		return r.childArgs("datanode", "--namenode", r.links[i].Addr(), "--id", r.m.Nodes[i].ID, "--status")
	})
	r.target = newTarget(r.dns, proxyLinks{r.links, r.opts.Speed})
	for i := range r.m.Nodes {
		if err := r.dns.start(int32(i)); err != nil {
			return err
		}
	}
	// Scenario time started with the NameNode's own, so the times its
	// reasons quote are the scenario's, and the DataNodes register in the
	// first moments as in the simulator. No fault is applied before every
	// one has: a fault scheduled that early is applied late, at the time
	// the trace says, rather than miss a node still starting.
	if err := r.awaitRegistered(ctx); err != nil {
		return err
	}
	r.interp = faults.New(r.m, r.target, r.record)
	return nil
}

// proxyLinks applies faults to the proxy's links, their times scaled like
// every other.
type proxyLinks struct {
	links map[int32]*faultproxy.Link
	speed float64
}

func (p proxyLinks) apply(node int32, f network.Fault) (func(), error) {
	return p.links[node].Apply(f.Scale(p.speed))
}

// record stamps a fault interpreter's event with the scenario time.
func (r *run) record(e trace.Event) {
	e.At = r.clk.at(time.Now())
	r.truth = append(r.truth, e)
}

// play applies each fault step at its time until the scenario's end,
// reporting progress on the way.
func (r *run) play(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	tick := time.NewTicker(r.opts.ProgressEvery)
	defer tick.Stop()
	for {
		due, last := r.m.Duration, true
		if r.next < len(r.steps) {
			due, last = r.steps[r.next].At, false
		}
		timer.Reset(max(time.Until(r.clk.wall(due)), 0))
		select {
		case <-ctx.Done():
			r.end = min(r.clk.at(time.Now()), r.m.Duration)
			return ctx.Err()
		case <-tick.C:
			r.progress()
			continue // Reset above (a Go 1.23 timer holds no stale tick)
		case <-timer.C:
		}
		if last {
			r.end = r.m.Duration
			r.progress()
			return nil
		}
		r.interp.Apply(r.steps[r.next])
		r.next++
		if r.target.err != nil {
			r.end = min(r.clk.at(time.Now()), r.m.Duration)
			return r.target.err
		}
	}
}

// finish stops every child and builds the trace up to r.end. It works
// with ctx cancelled: a run stopped by Ctrl-C still reports.
func (r *run) finish(ctx context.Context) (*trace.Trace, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	rep, err := fetch(fctx, r.http)
	if err != nil {
		return nil, err
	}
	endWall := time.Now()
	r.target.healAll()
	// Stop the NameNode first (SIGTERM: it flushes its last decisions),
	// then everything else; every line each child wrote is read once it
	// is reaped.
	_ = r.nn.signal(syscall.SIGTERM)
	select {
	case <-r.nn.done:
	case <-time.After(5 * time.Second):
	}
	r.procs.reapAll()
	var arrivals map[string]*replay.Recorded
	if r.opts.Arrivals {
		if arrivals, err = r.readArrivals(); err != nil {
			return nil, err
		}
	}

	tr := &trace.Trace{End: r.end, Detectors: slices.Clone(r.m.Detectors), Groups: faults.GroupRecords(r.m),
		Messages: rep.MessagesSent}
	tr.Events = append(r.truth, r.col.trace(r.clk, endWall)...)
	slices.SortStableFunc(tr.Events, func(a, b trace.Event) int { return cmpDuration(a.At, b.At) })
	tr.Series = series(tr.Events, r.m.SampleStep(), r.end)
	byID := map[string]live.DataNodeInfo{}
	for _, d := range rep.DataNodes {
		byID[d.ID] = d
	}
	for i, n := range r.m.Nodes {
		hb, msgs := r.dns.sent[i].total()
		info := byID[n.ID]
		nd := trace.Node{ID: n.ID, HeartbeatsSent: hb, HeartbeatsReceived: info.Heartbeats, FinalState: info.State}
		if a := arrivals[n.ID]; a != nil {
			nd.Arrivals, nd.Registrations = a.Heartbeats, a.Registrations
		}
		tr.Nodes = append(tr.Nodes, nd)
		tr.Messages += msgs
	}
	return tr, nil
}

// readArrivals reads what the NameNode recorded, by node, up to the end of
// the run. Its time zero is the scenario's, so its times need no shift.
func (r *run) readArrivals() (map[string]*replay.Recorded, error) {
	f, err := os.Open(r.arrivalsFile())
	if err != nil {
		return nil, fmt.Errorf("liverun: the namenode's arrivals: %w", err)
	}
	defer f.Close()
	t, err := replay.Parse(r.arrivalsFile(), f)
	if err != nil {
		return nil, fmt.Errorf("liverun: the namenode's arrivals: %w", err)
	}
	out := map[string]*replay.Recorded{}
	for _, a := range t.Arrivals {
		if a.At > r.end {
			continue
		}
		rec := out[a.Node]
		if rec == nil {
			rec = &replay.Recorded{Node: a.Node}
			out[a.Node] = rec
		}
		if a.Kind == replay.Register {
			rec.Registrations = append(rec.Registrations, a.At)
		} else {
			rec.Heartbeats = append(rec.Heartbeats, a.At)
		}
	}
	return out, nil
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// close kills and reaps every child still running, closes the proxy and
// removes the machines file; it is safe at any stage.
func (r *run) close() {
	if r.target != nil {
		r.target.healAll()
	}
	r.procs.reapAll()
	if r.proxy != nil {
		_ = r.proxy.Close()
	}
	if r.opts.Pids != nil {
		r.opts.Pids(r.procs.pids())
	}
	_ = os.RemoveAll(r.dir)
}

func (r *run) awaitListening(ctx context.Context) (addr string, err error) {
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	select {
	case h := <-r.col.hello:
		start, err := strconv.ParseInt(h.StartUnixNs, 10, 64)
		if h.Kind != "listening" || err != nil {
			return "", fmt.Errorf("liverun: namenode said %q, want its listening addresses and start", h.line)
		}
		r.http = h.HTTP
		r.clk = clock{t0: time.Unix(0, start), speed: r.opts.Speed}
		return h.Addr, nil
	case <-r.nn.done:
		return "", errors.New("liverun: the namenode exited before listening (see its log above)")
	case <-timeout.C:
		return "", errors.New("liverun: the namenode did not start listening within 10s")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// awaitRegistered polls the NameNode until every DataNode has registered.
func (r *run) awaitRegistered(ctx context.Context) error {
	n := len(r.m.Nodes)
	deadline := time.Now().Add(30 * time.Second)
	for {
		rep, err := fetch(ctx, r.http)
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
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
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
	var rep live.DataNodesReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("liverun: decode /api/datanodes: %w", err)
	}
	return &rep, nil
}

// lockedWriter serialises the writes of several children (and progress
// lines) to one writer: os/exec copies each child's stderr on a goroutine
// of its own unless it is a file.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
