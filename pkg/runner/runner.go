// Package runner is the one path from a loaded scenario to a judged report:
// run it (on the simulator, or live), build the report from the trace and
// check the scenario's expectations. hbsim run, test and sweep all go
// through Run, so a scenario means the same thing in each.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/expect"
	"github.com/hbsim/hbsim/pkg/liverun"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/repro"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// Options choose the runtime and what it records.
type Options struct {
	// Live runs real processes on 127.0.0.1 instead of the simulator.
	Live bool
	// Speed scales every time of a live run (0.1: ten times faster).
	Speed float64
	// Exe is the hbsim binary live children start from ("": this one).
	Exe string
	// Stderr receives live children's logs; nil discards them.
	Stderr io.Writer
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// Progress, if not nil, hears how far a live run has got, about
	// twice a second.
	Progress func(liverun.Progress)
	// Sim asks the simulator for more than the default record.
	Sim sim.Options
	// Force runs the simulator even when the cost estimate is beyond the
	// limits (--force).
	Force bool
	// Limits are the budgets a simulated run must fit; zero means
	// cost.DefaultLimits (10^10 events, the memory available).
	Limits cost.Limits
}

// Estimate is what simulating s with opts is expected to take.
func Estimate(s *scenario.Scenario, opts Options) cost.Estimate {
	return cost.Of(s, cost.Options{Arrivals: opts.Sim.Arrivals})
}

// CheckCost refuses a simulated run whose estimate is beyond the limits,
// unless opts.Force: the error (a *cost.Error) names the setting to blame,
// where it was written, and the estimate. Live runs cost their duration.
func CheckCost(s *scenario.Scenario, opts Options) error {
	if opts.Live || opts.Force {
		return nil
	}
	l := opts.Limits
	if l == (cost.Limits{}) {
		l = cost.DefaultLimits()
	}
	return Estimate(s, opts).Check(l)
}

// CheckLive refuses, before anything starts, a scenario with parts live
// mode cannot run, naming each by where it was written.
func CheckLive(s *scenario.Scenario) error {
	m, err := s.Model()
	if err != nil {
		return err
	}
	return liverun.Check(m)
}

// Result is one finished run.
type Result struct {
	Scenario *scenario.Scenario
	Trace    *trace.Trace
	// Report is the trace as users read it, with every expectation judged.
	Report *report.Report
}

// Trace runs s and returns its trace, in scenario time, without building a
// report (sweeps need only the trace's figures).
func Trace(ctx context.Context, s *scenario.Scenario, opts Options) (*trace.Trace, error) {
	if err := CheckCost(s, opts); err != nil {
		return nil, err
	}
	m, err := s.Model()
	if err != nil {
		return nil, err
	}
	var tr *trace.Trace
	if opts.Live {
		if opts.Speed <= 0 {
			return nil, fmt.Errorf("invalid speed %v: want a positive factor", opts.Speed)
		}
		tr, err = liverun.Run(ctx, m, liverun.Options{Exe: opts.Exe, Speed: opts.Speed, Stderr: opts.Stderr, Log: opts.Log, Progress: opts.Progress,
			Arrivals: opts.Sim.Arrivals})
	} else {
		tr, err = sim.Run(ctx, m, opts.Sim)
	}
	if err != nil && tr != nil && ctx.Err() != nil {
		return tr, &Interrupted{At: tr.End, Of: s.Duration, Err: err}
	}
	return tr, err
}

// Run runs s, builds its report and judges its expectations. A run
// stopped by ctx returns the result so far (the report of what happened
// up to the virtual time reached) with an *Interrupted error.
func Run(ctx context.Context, s *scenario.Scenario, opts Options) (*Result, error) {
	tr, err := Trace(ctx, s, opts)
	var in *Interrupted
	if err != nil && !(errors.As(err, &in) && tr != nil) {
		return nil, err
	}
	return &Result{Scenario: s, Trace: tr, Report: Judge(s, tr)}, err
}

// Interrupted is the error of a run stopped by its context (Ctrl-C); Trace
// and Run return what happened so far beside it.
type Interrupted struct {
	At  time.Duration // the virtual time reached
	Of  time.Duration // the scenario's duration
	Err error         // the context's error
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("interrupted at %s of %s", vtime.Format(e.At), vtime.Format(e.Of))
}

func (e *Interrupted) Unwrap() error { return e.Err }

// Judge builds the report of a finished trace and checks the scenario's
// expectations against it; each failed one carries the block that replays
// it (pkg/repro).
func Judge(s *scenario.Scenario, tr *trace.Trace) *report.Report {
	r := report.Build(report.Meta{
		Name:            s.Name,
		Description:     s.Description,
		Seed:            s.Seed,
		Config:          s.Effective,
		GroupPartitions: GroupPartitions(s),
		Racks:           racks(s),
	}, tr)
	expect.CheckAll(s.Expect, r)
	repro.Attach(r, s)
	return r
}

// GroupPartitions lists the scenario's partitions between groups of nodes
// for the report's timelines.
func GroupPartitions(s *scenario.Scenario) []report.GroupPartition {
	var out []report.GroupPartition
	for _, ev := range s.Events {
		if ev.Action != scenario.Partition || ev.Groups[0] == nil {
			continue
		}
		end := s.Duration
		if ev.For > 0 {
			end = min(ev.End(), s.Duration)
		}
		out = append(out, report.GroupPartition{
			FromMs: report.Ms(ev.At), ToMs: report.Ms(end),
			Groups:       [2][]string{ev.Groups[0], ev.Groups[1]},
			NameNodeSide: ev.NameNode, Direction: ev.Direction,
		})
	}
	return out
}

// racks maps each DataNode to its rack, for the report's nodes; nil when
// the scenario names no racks.
func racks(s *scenario.Scenario) map[string]string {
	if len(s.Racks) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, rk := range s.Racks {
		for _, id := range rk.Nodes {
			out[id] = rk.Name
		}
	}
	return out
}
