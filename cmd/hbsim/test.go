package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/suite"
)

type testFlags struct {
	junit        string
	run          string
	sets         []string
	jobs         int
	updateGolden bool
	goldenRoot   string
	force        bool
	check        bool
	out          string
	shard        shardFlags
}

func newTestCmd(a *app) *cobra.Command {
	var f testFlags
	cmd := &cobra.Command{
		Use:   "test [DIR|FILE...]",
		Short: "Run a folder of scenarios as a regression suite",
		Long: `Test runs every scenario under the given directories (all *.yaml files,
recursively; scenarios/ by default) and files, in parallel, one per CPU.
A scenario passes when all its expectations hold and, if it names a golden
report (golden: testdata/x.json), its JSON report matches that file.

It prints a table of scenario, result, wall-clock duration and the first
failure, then a closing line such as "12 passed, 1 failed" (", 2 errors"
is added when some files could not be run).

--out DIR also writes junit.xml and summary.txt there, without wall-clock
times, so that the same suite gives the same bytes on any machine.

--shard i/n runs only shard i of n (counted from 1) and writes its results
to --out DIR (shard-000i-of-000n.jsonl and .xml); hbsim merge DIR writes
the junit.xml and summary.txt of the whole suite. Without --shard, the
shard comes from JOB_COMPLETION_INDEX (with --shard-total or
HBSIM_SHARD_TOTAL), SLURM_ARRAY_TASK_ID or TEST_SHARD_INDEX (Bazel). A
scenario's shard follows from its path and seed: give every shard the same
arguments. See docs/SCALE.md.

--check-invariants checks the simulator's invariants after every event of
every scenario (see hbsim run --help); a violation fails the scenario.

Exit status: 0 if every scenario passed, 1 if one failed, 2 if a file does
not parse, a golden report is missing, or the command line is wrong; a
shard exits as the suite would for its share. Interrupted (Ctrl-C, SIGTERM),
it prints what ran, writes no output file and exits 130 (143).`,
		Example: `  # Every shipped scenario
  hbsim test

  # A folder, with a JUnit report for CI
  hbsim test regressions/ --junit build/hbsim-junit.xml

  # Only the scenarios whose name mentions crash
  hbsim test --run crash

  # The suite with the simulator's invariants checked on every event
  hbsim test --check-invariants

  # Accept the current reports as the new goldens
  hbsim test regressions/ --update-golden

  # Shard 2 of 4 on this machine; merge once all four are done
  hbsim test regressions/ --shard 2/4 --out results
  hbsim merge results --out merged`,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"scenarios"}
			}
			return a.test(args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.junit, "junit", "", "also write the results as JUnit XML to this file")
	fl.StringVar(&f.run, "run", "", "run only the scenarios whose name matches this regular expression")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting in every scenario, as key=value (repeatable)")
	fl.IntVar(&f.jobs, "jobs", 0, "scenarios run at once (default: one per CPU)")
	fl.BoolVar(&f.force, "force", false, "run scenarios even when their cost estimate is beyond 10^10 events or the memory available")
	fl.StringVar(&f.goldenRoot, "golden-root", "", "the folder scenarios' golden: may point into (default: each scenario's own folder)")
	fl.BoolVar(&f.updateGolden, "update-golden", false, "rewrite the golden reports the scenarios name instead of comparing")
	fl.BoolVar(&f.check, "check-invariants", false, "check the simulator's invariants after every event; a violation fails the scenario")
	fl.StringVar(&f.out, "out", "", "also write junit.xml and summary.txt (or, for a shard, its results) into this directory")
	f.shard.register(fl)
	return cmd
}

func (a *app) test(paths []string, f testFlags) error {
	opts := suite.Options{
		Jobs:         f.jobs,
		Scenario:     scenario.Options{Sets: f.sets, Env: a.env, GoldenRoot: f.goldenRoot},
		UpdateGolden: f.updateGolden,
		Force:        f.force,
		// Checked in every scenario: a violation fails it (exit 1).
		CheckInvariants: f.check,
	}
	if f.jobs < 0 {
		return usageErr(fmt.Errorf("invalid --jobs %d: want 0 (one per CPU) or more", f.jobs))
	}
	width, err := a.width(a.stdout)
	if err != nil {
		return usageErr(err)
	}
	if f.run != "" {
		re, err := regexp.Compile(f.run)
		if err != nil {
			return usageErr(fmt.Errorf("invalid --run: %w", err))
		}
		opts.Filter = re
	}
	files, err := suite.Discover(paths)
	if err != nil {
		return usageErr(err)
	}
	if len(files) == 0 {
		return usageErr(fmt.Errorf("no scenario files (*.yaml) in %s", strings.Join(paths, ", ")))
	}
	sh, err := f.shard.resolve(a, f.out)
	if err != nil {
		return err
	}
	if sh.Sharded() && f.updateGolden {
		return usageErr(fmt.Errorf("--update-golden rewrites files in this checkout: run it unsharded, not as shard %s", sh.Spec))
	}
	st := suite.Load(files, opts)
	if st.Len() == 0 {
		return usageErr(fmt.Errorf("no scenario name matches --run %s (%s searched)", hint.Quote(f.run), count(len(files), "file")))
	}
	if err := f.files(files, st, sh.Sharded()).check(); err != nil {
		return err
	}
	intr := a.interruptible()
	defer intr.stop()
	results := st.RunContext(intr.ctx, sh.Spec)
	if sh.Sharded() {
		fmt.Fprintf(a.stdout, "Shard %s (from %s): %s of %d\n", sh.Spec, sh.From, count(len(results), "scenario"), st.Len())
	}
	if err := suite.WriteTable(a.stdout, results, width); err != nil {
		return err
	}
	sum := suite.Summarize(results)
	fmt.Fprintln(a.stdout, sum)
	// The table shows one line per problem; the whole of each error,
	// with every file:line, goes to stderr.
	for _, r := range results {
		if r.Status == suite.Error && r.Err != nil {
			fmt.Fprintf(a.stderr, "hbsim: %v\n", r.Err)
		}
	}
	// stderr may be a terminal of its own; COLUMNS speaks for both.
	errWidth, _ := a.width(a.stderr)
	suite.WriteReplays(a.stderr, results, errWidth)
	if intr.signal() != nil {
		// The JUnit file and --out keep what the last whole run wrote.
		return intr.exitError(fmt.Sprintf("interrupted: %d of %d scenarios ran, none of the output files was written", len(results), st.Len()))
	}
	if f.junit != "" {
		if err := suite.WriteJUnit(f.junit, results); err != nil {
			return usageErr(err)
		}
	}
	if f.out != "" {
		var written []string
		if sh.Sharded() {
			written, err = st.WriteShard(f.out, sh.Spec, results)
		} else if err = os.MkdirAll(f.out, 0o755); err == nil {
			written, err = suite.WriteOutputs(f.out, results)
		}
		if err != nil {
			return usageErr(fmt.Errorf("--out: %w", err))
		}
		fmt.Fprintf(a.stderr, "wrote %s\n", strings.Join(written, ", "))
	}
	return suiteExit(sum, len(results))
}

// files are what test reads (every scenario found) and writes, for
// ioFiles.check: test dir --junit dir/a.yaml must not replace a scenario.
func (f testFlags) files(scenarios []string, st *suite.Suite, sharded bool) *ioFiles {
	var io ioFiles
	for _, s := range scenarios {
		io.input("a scenario of the suite", s)
	}
	io.output("--junit", f.junit)
	if f.out != "" && !sharded {
		io.output("--out", filepath.Join(f.out, suite.JUnitFile))
		io.output("--out", filepath.Join(f.out, suite.SummaryFile))
	}
	if f.updateGolden {
		for _, g := range st.Goldens() {
			io.output("a golden: to update", g)
		}
	}
	return &io
}

// suiteExit is the exit status of a suite's results: 2 when one could not
// be run, 1 when one failed.
func suiteExit(sum suite.Summary, n int) error {
	switch {
	case sum.Errors > 0:
		return usageErr(fmt.Errorf("%d of %d scenarios could not be run", sum.Errors, n))
	case sum.Failed > 0:
		return &exitError{code: exitFailed, err: fmt.Errorf("%d of %d scenarios failed", sum.Failed, n)}
	}
	return nil
}
