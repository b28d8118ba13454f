package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

// formats are the report formats run can write.
var formats = []string{"table", "json"}

type runFlags struct {
	seed     int64
	sets     []string
	compare  []string
	hdfsSite string
	format   string
	golden   goldenFlags
	views    viewFlags
	live     liveFlags
	determ   determinismFlags
	record   recordFlags
	force    bool
	nodes    string
	// check is --check-invariants: the simulator checks the run's
	// invariants after every event (pkg/sim/invariants.go).
	check bool
}

func newRunCmd(a *app) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario and report what the NameNode saw",
		Long: `Run loads a scenario file, simulates it on a virtual clock and writes a
report: a timeline of every kill, restart and NameNode state change with its
reason, a summary per DataNode (when it was killed, when it was declared
dead, how long detection took, false positives, heartbeats), and the verdict
of each expectation.

Settings come, lowest priority first, from the built-in defaults, the
scenario file, HBSIM_* environment variables and --set flags.

Exit status: 0 if every expectation held, 1 if one failed (or, with
--check-invariants, an invariant was violated), 2 if the command line or
the scenario is wrong, 130 if interrupted by Ctrl-C (143 by SIGTERM),
after the report of what happened until then.

--check-invariants checks, after every event of the simulation, that time
never goes backwards, that no block is counted lost while a live node
holds it, that the block map agrees with the DataNodes' own replicas, that
no transfer targets a node holding the block or already pending for it,
and that no acting detector declares a node dead before its own bound. The
first violation stops the run with the event, the time and the rule. It
is a check of hbsim itself, for its tests and for bug reports; a run with
it is slower.

A run estimated beyond 10^10 events or the memory available is refused
with the setting to blame; --force runs it anyway.`,
		Example: `  # Human-readable tables
  hbsim run scenarios/single-crash.yaml

  # Same scenario, another random seed, a shorter heartbeat interval
  hbsim run scenarios/single-crash.yaml --seed 7 --set heartbeat.interval=1s

  # Compare detectors on one trace; replay a production hdfs-site.xml
  hbsim run scenarios/gc-pause.yaml --compare missed-count,hdfs,phi
  hbsim run scenarios/hdfs-defaults.yaml \
    --hdfs-site /etc/hadoop/conf/hdfs-site.xml

  # JSON for scripts: detection time of every node
  hbsim run scenarios/single-crash.yaml --format json |
    jq '.nodes[] | {id, detection_ms}'

  # For a class: every state change in words, and a page to open offline
  hbsim run scenarios/single-crash.yaml --explain --html report.html

  # Same seed, same bytes? Run twice; exit 1 naming the first difference
  hbsim run scenarios/gc-pause.yaml --check-determinism

  # Check the simulator's invariants after every event
  hbsim run scenarios/rack-failure.yaml --check-invariants`,
		Args: exactFiles(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := scenario.Options{Sets: f.sets, Env: a.env, Compare: f.compare}
			if cmd.Flags().Changed("seed") {
				opts.Seed = &f.seed
			}
			opts.GoldenRoot = f.golden.root
			if f.hdfsSite != "" {
				site, err := a.readHDFSSite(f.hdfsSite)
				if err != nil {
					return err
				}
				opts.HDFSSite = site
			}
			return a.run(args[0], opts, f)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&f.seed, "seed", 0, "random seed, overriding the scenario's")
	// StringArray, not StringSlice: a value may itself contain commas.
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.StringVar(&f.format, "format", "table", "report format: table or json")
	fl.StringSliceVar(&f.compare, "compare", nil, "detectors to watch the same trace beside the acting one, e.g. missed-count,hdfs,phi")
	fl.StringVar(&f.hdfsSite, "hdfs-site", "", "read HDFS's keys (dfs.heartbeat.interval, ...) from an hdfs-site.xml, above the scenario's settings; they select the hdfs detector unless $HBSIM_HEARTBEAT_DETECTOR or --set heartbeat.detector names another")
	f.golden.register(fl)
	f.views.register(fl)
	f.live.register(fl)
	f.record.register(fl)
	f.determ.register(fl)
	fl.StringVar(&f.nodes, "nodes", report.NodesAuto, fmt.Sprintf("which nodes the JSON report lists: auto (all up to %d DataNodes, else changed), all, or changed (only those with an event; nodes_omitted counts the rest)", report.CompactAbove))
	fl.BoolVar(&f.force, "force", false, "run even when the cost estimate is beyond 10^10 events or the memory available")
	fl.BoolVar(&f.check, "check-invariants", false, "check the simulator's invariants after every event; a violation stops the run (exit 1)")
	return cmd
}

func (a *app) run(path string, opts scenario.Options, f runFlags) error {
	format, g, v, l := f.format, f.golden, f.views, f.live
	// Checked first: a typo in --format should not cost a whole run.
	if !slices.Contains(formats, format) {
		return usageErr(fmt.Errorf("invalid --format %s: want table or json", hint.Quote(format)))
	}
	if err := report.CheckNodesMode(f.nodes); err != nil {
		return usageErr(fmt.Errorf("invalid --nodes %s: %w", hint.Quote(f.nodes), err))
	}
	if err := f.determ.refuse(l); err != nil {
		return err
	}
	if err := l.check(); err != nil {
		return usageErr(err)
	}
	// The views' flags and the terminal's width too, and where the
	// explanation goes: stderr with --format json.
	viewOut := a.stdout
	if format == "json" {
		viewOut = a.stderr
	}
	o, err := v.options(a, viewOut)
	if err != nil {
		return usageErr(err)
	}
	if f.check && l.on {
		return usageErr(errors.New("--check-invariants needs the simulator: a live run's machines are separate processes; drop --live, or --check-invariants"))
	}
	s, err := scenario.Load(path, opts)
	if err != nil {
		return usageErr(err)
	}
	a.log.Debug("scenario loaded", "file", path, "name", s.Name, "seed", s.Seed,
		"nodes", len(s.Nodes), "events", len(s.Events))
	if err := f.files(path, s).check(); err != nil {
		return err
	}
	if l.on {
		if err := runner.CheckLive(s); err != nil {
			return usageErr(err)
		}
	}

	simOpts := f.record.simOptions(v.simOptions())
	simOpts.CheckInvariants = f.check
	intr := a.interruptible()
	defer intr.stop()
	res, err := l.run(intr.ctx, a, s, simOpts, f.force)
	var ce *cost.Error
	var stopped *runner.Interrupted
	switch {
	case errors.As(err, &ce):
		return usageErr(err) // located already: file:line: field
	case errors.As(err, &stopped):
		// What happened so far, then why it ends there.
		if werr := writeReport(a, format, f.nodes, o, res); werr != nil {
			return werr
		}
		return intr.exitError(fmt.Sprintf("%s: %v; the report covers the run until then", path, stopped))
	case err != nil && intr.signal() != nil:
		return intr.exitError(fmt.Sprintf("%s: interrupted before the scenario started: nothing to report", path))
	case errors.Is(err, sim.ErrInvariant):
		// A finding about hbsim, not bad input.
		return &exitError{code: exitFailed, err: invariantErr(path, s, err)}
	}
	if err != nil {
		// The scenario passed validation, so this is most likely a
		// setting the simulator cannot honour: still bad input.
		return usageErr(fmt.Errorf("%s: simulate: %w", path, err))
	}
	tr, r := res.Trace, res.Report
	a.log.Debug("simulation finished", "events", len(tr.Events))

	if err := writeReport(a, format, f.nodes, o, res); err != nil {
		return err
	}
	if err := v.write(a, format, o, r, tr); err != nil {
		return err
	}
	if err := f.record.write(a, s, tr); err != nil {
		return err
	}
	gerr := a.checkGolden(path, s, r, g)
	derr := f.determ.check(a, path, opts, simOpts, res)
	if !r.Passed {
		return &exitError{code: exitFailed, err: errors.Join(fmt.Errorf("%s: %s", path, failedSummary(r)), gerr, derr)}
	}
	return joinExit(gerr, derr)
}

// invariantErr says which invariant a run violated, and how to replay it.
func invariantErr(path string, s *scenario.Scenario, err error) error {
	return fmt.Errorf("%s: %w\nthis is a bug in hbsim, not in the scenario: please report it with\nthe scenario, its seed (%d) and this command line", path, err, s.Seed)
}

// writeReport writes the run's report on stdout in the chosen format.
func writeReport(a *app, format, nodes string, o report.TableOptions, res *runner.Result) error {
	var err error
	if format == "json" {
		err = res.Report.ListNodes(nodes).WriteJSON(a.stdout)
	} else {
		o.Trace = res.Trace
		err = res.Report.WriteTableWith(a.stdout, o)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// files are what run reads and writes, for ioFiles.check.
func (f runFlags) files(path string, s *scenario.Scenario) *ioFiles {
	var io ioFiles
	io.input("the scenario", path)
	io.input("--hdfs-site", f.hdfsSite)
	io.output("--html", f.views.html)
	io.output("--record", f.record.file)
	if f.golden.update {
		g := f.golden.file
		if g == "" {
			g = s.Golden
		}
		io.output("the golden", g)
	}
	return &io
}

// failedSummary says how many expectations failed, for stderr: with
// --format json stdout goes to a script, and a person still needs a hint.
func failedSummary(r *report.Report) string {
	failed := 0
	for _, e := range r.Expectations {
		if !e.Passed {
			failed++
		}
	}
	return fmt.Sprintf("%d of %d expectations failed", failed, len(r.Expectations))
}
