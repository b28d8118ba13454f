package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/calibrate"
	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/scenario"
)

type calibrateFlags struct {
	speed  float64
	noise  time.Duration
	seed   int64
	sets   []string
	format string
	live   liveFlags // only its exe, for tests
}

func newCalibrateCmd(a *app) *cobra.Command {
	var f calibrateFlags
	cmd := &cobra.Command{
		Use:   "calibrate FILE --speed X",
		Short: "Run a scenario in the simulator and live, and check they agree",
		Long: `Calibrate runs one scenario twice, on the simulator and with real processes
on 127.0.0.1 (as run --live), and prints per metric the simulated value,
the live value, their difference and the bound the difference must keep:
each crash's detection time, each detector's false positives, heartbeats
received per node and messages (heartbeats sent and received).

A bound is what may legitimately differ: heartbeats and scans start at
other phases live (one heartbeat interval and one scan period for a
detection), the network's random draws differ (Poisson noise for loss),
plus --noise of scheduling noise per decision in real time, which is
--noise / --speed in scenario time.

--speed is run --live's: every scenario time and setting is multiplied by
it, so 0.1 runs ten times faster than written and 10 ten times slower
(scheduling noise then weighs ten times less).

Exit status: 0 when every metric is within its bound, 1 when one is not, 2
if the command line or the scenario is wrong (or cannot run live).`,
		Example: `  # Three minutes of scenario in eighteen seconds
  hbsim calibrate scenarios/single-crash.yaml --speed 0.1

  # JSON for scripts: every metric out of bounds
  hbsim calibrate scenarios/single-crash.yaml --speed 0.1 --format json | \
    jq '.metrics[] | select(.within | not)'`,
		Args: exactFiles(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var seed *int64
			if cmd.Flags().Changed("seed") {
				seed = &f.seed
			}
			return a.calibrate(args[0], f, seed)
		},
	}
	fl := cmd.Flags()
	fl.Float64Var(&f.speed, "speed", 1, "multiply every scenario time and heartbeat setting by this in the live run (0.1: ten times faster)")
	fl.DurationVar(&f.noise, "noise", calibrate.DefaultNoise, "scheduling noise allowed per decision, in real time")
	fl.Int64Var(&f.seed, "seed", 0, "random seed, overriding the scenario's")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.StringVar(&f.format, "format", "table", "output format: table or json")
	return cmd
}

func (a *app) calibrate(path string, f calibrateFlags, seed *int64) error {
	if !slices.Contains(formats, f.format) {
		return usageErr(fmt.Errorf("invalid --format %s: want table or json", hint.Quote(f.format)))
	}
	if !(f.speed > 0) || f.speed > 1000 {
		return usageErr(fmt.Errorf("invalid --speed %v: want a factor above 0 (0.1: ten times faster) and at most 1000", f.speed))
	}
	if f.noise < 0 {
		return usageErr(fmt.Errorf("invalid --noise %v: want 0 or more", f.noise))
	}
	s, err := scenario.Load(path, scenario.Options{Sets: f.sets, Env: a.env, Seed: seed})
	if err != nil {
		return usageErr(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := calibrate.Run(ctx, s, calibrate.Options{Speed: f.speed, Noise: f.noise, Exe: f.live.exe, Stderr: a.stderr, Log: a.log})
	if err != nil {
		return usageErr(fmt.Errorf("%s: %w", path, err))
	}
	if f.format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = res.WriteTable(a.stdout)
	}
	if err != nil {
		return fmt.Errorf("write calibration: %w", err)
	}
	if !res.Passed {
		return &exitError{code: exitFailed, err: fmt.Errorf("%s: the simulator and the live run disagree beyond the bounds", path)}
	}
	return nil
}
