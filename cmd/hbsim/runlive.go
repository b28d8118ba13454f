package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/liverun"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/trace"
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

// runOrSimulate runs the scenario live with --live, else on the simulator.
// Either way the trace is in scenario time, and the report and the
// expectations that follow are the same.
func (l liveFlags) runOrSimulate(a *app, s *scenario.Scenario, o sim.Options) (*trace.Trace, error) {
	if !l.on {
		return sim.RunWith(s, o)
	}
	if l.speed <= 0 {
		return nil, fmt.Errorf("invalid --speed %v: want a positive factor", l.speed)
	}
	// Ctrl-C cancels the run; liverun then kills and reaps every child.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a.log.Info("running live", "scenario", s.Name, "speed", l.speed, "nodes", len(s.Nodes))
	return liverun.Run(ctx, s, liverun.Options{Exe: l.exe, Speed: l.speed, Stderr: a.stderr, Log: a.log})
}
