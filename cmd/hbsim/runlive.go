package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

// liveFlags are run's --live and --speed.
type liveFlags struct {
	on    bool
	speed float64
	// exe overrides the binary children start from (tests run the test
	// binary as hbsim).
	exe string
}

func (l *liveFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&l.on, "live", false, "run with real processes on 127.0.0.1 (a NameNode and one process per DataNode) in real time")
	fl.Float64Var(&l.speed, "speed", 1, "with --live, multiply every scenario time and heartbeat setting by this (0.1: ten times faster)")
}

// check refuses a --speed the children's clocks cannot run at (NaN,
// infinities, beyond live.MinTimeScale..MaxTimeScale), before anything
// starts, naming --speed rather than the children's --time-scale.
func (l liveFlags) check() error {
	if l.on && (l.speed <= 0 || live.CheckTimeScale(l.speed) != nil) {
		return fmt.Errorf("invalid --speed %v: want a number from %g to %g (0.1 runs ten times faster)", l.speed, live.MinTimeScale, live.MaxTimeScale)
	}
	return nil
}

// run runs the scenario live with --live, else on the simulator. Either
// way the trace is in scenario time, and the report and the expectations
// that follow are the same. A live run shows its progress on stderr.
// Ctrl-C cancels ctx: either run stops with the trace so far (a live one
// once it has killed and reaped every child).
func (l liveFlags) run(ctx context.Context, a *app, s *scenario.Scenario, o sim.Options, force bool) (*runner.Result, error) {
	ro := runner.Options{Live: l.on, Speed: l.speed, Exe: l.exe, Stderr: a.stderr, Log: a.log, Sim: o, Force: force}
	if l.on {
		a.log.Info("running live", "scenario", s.Name, "speed", l.speed, "nodes", len(s.Nodes))
		width, _ := a.width(a.stderr)
		pl := newProgressLine(a.stderr, writerIsTerminal(a.stderr), width)
		defer pl.finish()
		ro.Progress = pl.show
	} else if err := runner.CheckCost(s, ro); err != nil {
		return nil, err
	} else {
		e := runner.Estimate(s, ro)
		a.noteCost(s, e)
		gc, limit := heapPolicy(e.Bytes, a.env)
		if gc > 0 {
			defer debug.SetGCPercent(debug.SetGCPercent(gc))
		}
		if limit > 0 {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
		}
	}
	return runner.Run(ctx, s, ro)
}

// A small run's heap is collected less often: the default (GOGC=100)
// suits servers, and on a run of a few seconds the collector took a third
// of the CPU (2,000 DataNodes for an hour: 0.31 s of CPU with it, 0.22 s
// at 400). A heap of smallHeap grows to at most five times that; GOGC in
// the environment wins.
const (
	smallHeap   = 64 << 20
	smallHeapGC = 400
)

// A large run's heap is held to its estimate (a soft limit, as
// GOMEMLIMIT sets): left to GOGC=100 the collector lets the heap grow to
// twice what is live, and a million DataNodes for an hour took 1.07 GB
// of memory for a live heap of 550 MB (877 MB held to its estimate). The estimate is what run checked
// against the memory available, so the run keeps to what it promised;
// GOMEMLIMIT in the environment wins.
const largeHeap = 256 << 20

// heapPolicy is how a simulated run of an estimated heap of bytes sets
// the collector: a GOGC and a soft memory limit, each 0 when left as it
// is (the environment sets it, or the run is neither small nor large).
func heapPolicy(bytes float64, env func(string) (string, bool)) (gcPercent int, limit int64) {
	if _, set := env("GOGC"); !set && bytes < smallHeap {
		gcPercent = smallHeapGC
	}
	if _, set := env("GOMEMLIMIT"); !set && bytes >= largeHeap {
		limit = int64(bytes)
	}
	return gcPercent, limit
}

// slowRun is the estimated wall time from which run says what to expect
// before it starts, on stderr: a person waiting should know how long.
const slowRun = 30 * time.Second

// noteCost logs the estimate, and tells the user when the run is long.
func (a *app) noteCost(s *scenario.Scenario, e cost.Estimate) {
	a.log.Info("cost estimate", "scenario", s.Name, "events", e.Events, "bytes", e.Bytes, "wall", e.Wall)
	if e.Wall >= slowRun {
		fmt.Fprintf(a.stderr, "hbsim: %s: estimated %s\n", s.Path, e)
	}
}
