package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/suite"
)

type testFlags struct {
	junit        string
	run          string
	sets         []string
	jobs         int
	updateGolden bool
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

Exit status: 0 if every scenario passed, 1 if one failed, 2 if a file does
not parse, a golden report is missing, or the command line is wrong.`,
		Example: `  # Every shipped scenario
  hbsim test

  # A folder, with a JUnit report for CI
  hbsim test regressions/ --junit build/hbsim-junit.xml

  # Only the scenarios whose name mentions crash
  hbsim test --run crash

  # Accept the current reports as the new goldens
  hbsim test regressions/ --update-golden`,
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
	fl.BoolVar(&f.updateGolden, "update-golden", false, "rewrite the golden reports the scenarios name instead of comparing")
	return cmd
}

func (a *app) test(paths []string, f testFlags) error {
	opts := suite.Options{
		Jobs:         f.jobs,
		Scenario:     scenario.Options{Sets: f.sets, Env: a.env},
		UpdateGolden: f.updateGolden,
	}
	if f.jobs < 0 {
		return usageErr(fmt.Errorf("invalid --jobs %d: want 0 (one per CPU) or more", f.jobs))
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
	results := suite.Run(files, opts)
	if len(results) == 0 {
		return usageErr(fmt.Errorf("no scenario name matches --run %q (%s searched)", f.run, count(len(files), "file")))
	}
	if err := suite.WriteTable(a.stdout, results); err != nil {
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
	if f.junit != "" {
		if err := suite.WriteJUnit(f.junit, results); err != nil {
			return usageErr(err)
		}
	}
	switch {
	case sum.Errors > 0:
		return usageErr(fmt.Errorf("%d of %d scenarios could not be run", sum.Errors, len(results)))
	case sum.Failed > 0:
		return &exitError{code: exitFailed, err: fmt.Errorf("%d of %d scenarios failed", sum.Failed, len(results))}
	}
	return nil
}
