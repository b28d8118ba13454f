package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/shrink"
)

type shrinkFlags struct {
	out     string
	expect  int
	seed    int64
	sets    []string
	maxRuns int
	timeout time.Duration
}

func newShrinkCmd(a *app) *cobra.Command {
	var f shrinkFlags
	cmd := &cobra.Command{
		Use:   "shrink FILE --out SMALL.yaml",
		Short: "Cut a failing scenario down to the least that fails the same way",
		Long: `Shrink takes a scenario that fails an expectation and looks for the smallest
scenario that still fails that expectation the same way: it delta-debugs
(ddmin) the events, then the DataNodes, then bisects the duration, and
repeats while that helps. Removing a DataNode removes it from every event,
partition group, rack and expectation list that names it.

SMALL.yaml is the original scenario, cut down, with a comment on top that
says what was removed. The seed, random targets and the settings given by
--set or HBSIM_* variables are written into it, so
  hbsim run SMALL.yaml
fails on its own. Only the expectation being shrunk is kept: the first that
fails, or the one --expect names (counted from 1 in the file's expect:).

"The same way" means the expectation's verdict reads the same with times,
counts and node names left out: a crash detected too late stays a crash
detected too late, not a crash that no longer happens.

The search stops at --max-runs simulations or after --timeout, writing the
smallest failing scenario found so far. On a terminal a progress line shows
the runs and the sizes reached.

Exit status: 0 when SMALL.yaml was written, 2 if the command line or the
scenario is wrong or no expectation fails.`,
		Example: `  # Why does this busy scenario have a false positive?
  hbsim shrink pkg/shrink/testdata/gc-storm.yaml --out small.yaml
  hbsim run small.yaml

  # Shrink the third expectation, with the failing run's settings
  hbsim shrink big.yaml --expect 3 --seed 7 \
    --set heartbeat.miss_threshold=3 --out small.yaml`,
		Args: exactFiles(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := scenario.Options{Sets: f.sets, Env: a.env}
			if cmd.Flags().Changed("seed") {
				opts.Seed = &f.seed
			}
			return a.shrink(args[0], opts, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "write the small scenario to this file (required)")
	fl.IntVar(&f.expect, "expect", 0, "the expectation to keep failing, counted from 1 (default: the first that fails)")
	fl.Int64Var(&f.seed, "seed", 0, "random seed, overriding the scenario's")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.IntVar(&f.maxRuns, "max-runs", 2000, "stop after this many simulations")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "stop after this long")
	return cmd
}

func (a *app) shrink(path string, opts scenario.Options, f shrinkFlags) error {
	switch {
	case f.out == "":
		return usageErr(errors.New("--out SMALL.yaml is required: where to write the small scenario"))
	case sameFile(path, f.out):
		return usageErr(fmt.Errorf("--out %s is the scenario being shrunk: name another file", f.out))
	case f.maxRuns < 1:
		return usageErr(fmt.Errorf("invalid --max-runs %d: want 1 or more", f.maxRuns))
	case f.timeout <= 0:
		return usageErr(fmt.Errorf("invalid --timeout %s: want a positive duration such as 5m", f.timeout))
	case f.expect < 0:
		return usageErr(fmt.Errorf("invalid --expect %d: want an expectation counted from 1", f.expect))
	}
	data, err := config.ReadFile(path)
	if err != nil {
		return usageErr(fmt.Errorf("read scenario: %w", err))
	}
	so := shrink.Options{Scenario: opts, Expect: f.expect, MaxRuns: f.maxRuns, Timeout: f.timeout,
		Name: strings.TrimSuffix(filepath.Base(f.out), filepath.Ext(f.out))}
	// The bar counts runs against --max-runs; the line says what is left
	// so far, in 80 columns.
	bar := a.progress("shrink", progressbar.OptionSetWidth(16), progressbar.OptionSetPredictTime(false))
	if bar != nil {
		bar.ChangeMax(f.maxRuns)
		so.Progress = func(p shrink.Progress) {
			bar.Describe(fmt.Sprintf("%-8s %d/%d events %d/%d nodes %s",
				p.Phase, p.Events, p.EventsAtStart, p.Nodes, p.NodesAtStart, p.Duration))
			_ = bar.Set(p.Runs)
		}
	}
	res, err := shrink.Shrink(path, data, so)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return usageErr(err)
	}
	if err := atomicfile.WriteFile(f.out, res.YAML, 0o644); err != nil {
		return usageErr(fmt.Errorf("--out: %w", err))
	}
	fmt.Fprintf(a.stdout, "%s: %s, %s, %s (was %s, %s, %s)\nstill fails %q (%s)\n",
		f.out, count(res.After.Events, "event"), count(res.After.Nodes, "DataNode"), res.After.Duration,
		count(res.Before.Events, "event"), count(res.Before.Nodes, "DataNode"), res.Before.Duration,
		res.Expectation, count(res.Runs, "run"))
	if res.Stopped != "" {
		fmt.Fprintf(a.stderr, "hbsim: stopped by %s; %s may shrink further: run hbsim shrink on it\n", res.Stopped, f.out)
	}
	return nil
}
