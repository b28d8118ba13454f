package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/scenario"
)

func newValidateCmd(a *app) *cobra.Command {
	var sets []string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Validate parses and checks each scenario file as run would, without
simulating anything: unknown keys, wrong types, unknown node names, negative
numbers, events after the end of the run and impossible settings are all
reported with the file and line.

It prints one "ok" line per valid file and an error per invalid one, and
exits with status 2 if any file is invalid. Useful in CI and before a long
run.`,
		Example: `  # Check every shipped scenario
  hbsim validate scenarios/*.yaml

  # Check that an override is acceptable
  hbsim validate scenarios/single-crash.yaml --set heartbeat.miss_threshold=3`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(errors.New("want at least one scenario file (see --help)"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return a.validate(args, scenario.Options{Sets: sets, Env: a.env})
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a setting, as key=value (repeatable)")
	return cmd
}

func (a *app) validate(paths []string, opts scenario.Options) error {
	bad := 0
	for _, path := range paths {
		s, err := scenario.Load(path, opts)
		if err != nil {
			// Report every bad file, not just the first: fixing them
			// one run at a time is tedious.
			fmt.Fprintf(a.stderr, "hbsim: %v\n", err)
			bad++
			continue
		}
		fmt.Fprintf(a.stdout, "ok  %s (%s: %s, %s, %s)\n", path, s.Name,
			count(len(s.Nodes), "node"), count(len(s.Events), "event"),
			count(len(s.Expect), "expectation"))
	}
	if bad > 0 {
		return usageErr(fmt.Errorf("%d of %d scenario files invalid", bad, len(paths)))
	}
	return nil
}

// count renders "1 node", "3 nodes".
func count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
