package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
)

func newValidateCmd(a *app) *cobra.Command {
	var (
		sets       []string
		hdfsSite   string
		showConfig bool
		force      bool
	)
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Validate parses and checks each scenario file as run would, without
simulating anything: unknown keys, wrong types, unknown node names, negative
numbers, events after the end of the run and impossible settings are all
reported with the file and line. A scenario whose estimated cost run would
refuse (beyond 10^10 events or the memory available) is reported too,
unless --force.

It prints one "ok" line per valid file and an error per invalid one, and
exits with status 2 if any file is invalid. Useful in CI and before a long
run. With --show-config it also prints each file's effective settings and
where each came from (the scenario's line, an hdfs-site.xml's line, an
HBSIM_* variable, a --set, or the defaults).`,
		Example: `  # Check every shipped scenario
  hbsim validate scenarios/*.yaml

  # Check that an override is acceptable
  hbsim validate scenarios/single-crash.yaml --set heartbeat.miss_threshold=3

  # What a production hdfs-site.xml sets, line by line
  hbsim validate scenarios/hdfs-defaults.yaml --hdfs-site hdfs-site.xml \
    --show-config`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(errors.New("want at least one scenario file (see --help)"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts := scenario.Options{Sets: sets, Env: a.env}
			if hdfsSite != "" {
				site, err := a.readHDFSSite(hdfsSite)
				if err != nil {
					return err
				}
				opts.HDFSSite = site
			}
			return a.validate(args, opts, showConfig, force)
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "override a setting, as key=value (repeatable)")
	cmd.Flags().StringVar(&hdfsSite, "hdfs-site", "", "read HDFS's keys from an hdfs-site.xml, as run does")
	cmd.Flags().BoolVar(&showConfig, "show-config", false, "print each file's effective settings with where each came from")
	cmd.Flags().BoolVar(&force, "force", false, "accept scenarios whose cost estimate run would refuse")
	return cmd
}

func (a *app) validate(paths []string, opts scenario.Options, showConfig, force bool) error {
	bad := 0
	for _, path := range paths {
		s, err := scenario.Load(path, opts)
		if err == nil {
			err = runner.CheckCost(s, runner.Options{Force: force})
		}
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
		if showConfig {
			printConfig(a, s)
		}
	}
	if bad > 0 {
		return usageErr(fmt.Errorf("%d of %d scenario files invalid", bad, len(paths)))
	}
	return nil
}

// printConfig lists every setting as "key = value", each followed by
// where it came from unless that is the embedded defaults.
func printConfig(a *app, s *scenario.Scenario) {
	for _, k := range config.Keys() {
		fmt.Fprintf(a.stdout, "    %s = %s\n", k.Name, k.Text(s.Config))
		if o := s.Origins[k.Name]; o != config.DefaultOrigin {
			fmt.Fprintf(a.stdout, "        from %s\n", o)
		}
	}
}

// count renders "1 node", "3 nodes".
func count(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
