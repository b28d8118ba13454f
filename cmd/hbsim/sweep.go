package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/htmlreport"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/sweep"
)

type sweepFlags struct {
	params   []string
	seeds    int
	out      string
	jobs     int
	sets     []string
	detector string
	html     string
	shard    shardFlags
	force    bool
}

func newSweepCmd(a *app) *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep FILE --param KEY=VALUES...",
		Short: "Run a grid of settings and seeds to choose a threshold",
		Long: `Sweep runs one scenario for every combination of the --param values, each
with --seeds seeds (the scenario's seed, seed+1, ...), in parallel, and
prints one row per combination: detection time p50 and p99 over every
detected crash, false positives per hour of uptime, mean mistake duration,
P_A (the share of uptime a live node was trusted) and messages per second.

A * marks the Pareto-optimal rows: no other row detects as fast (p99) with
as few false positives. The closing lines name, for each combination of the
other params, the smallest value of the first param with no false positive
in any seed.

VALUES is a whole-number range (2..12) or a comma list (1s,3s); KEY is any
setting --set accepts. --out DIR also writes sweep.csv, sweep.json and a
chart of detection time against false positives (sweep.svg, sweep.png);
--html FILE writes one self-contained page (no network needed) with the
recommendation, the same chart and the grid.

--shard i/n runs only shard i of n (counted from 1) and writes its runs to
--out DIR as JSON lines; hbsim merge DIR then writes what one unsharded
sweep would have. Without --shard, the shard comes from the engine:
JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with --shard-total or
HBSIM_SHARD_TOTAL), SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm
--array=0-(n-1)), or TEST_SHARD_INDEX and TEST_TOTAL_SHARDS (Bazel). Runs
are split by a hash of scenario path, grid point and seed: give every shard
the same arguments. See docs/SCALE.md.

Exit status: 0 when the sweep ran, 2 if the command line or the scenario is
wrong, 130 (143) if interrupted by Ctrl-C (SIGTERM).`,
		Example: `  # Which miss_threshold is safe on a jittery network with two crashes,
  # at two intervals? (sweep-out/sweep.png charts the trade-off)
  hbsim sweep examples/jittery-crash.yaml \
    --param heartbeat.miss_threshold=1..8 --param heartbeat.interval=1s,3s \
    --seeds 20 --out sweep-out

  # The same as one page to open in a browser, offline
  hbsim sweep examples/jittery-crash.yaml \
    --param heartbeat.miss_threshold=2..8 --param heartbeat.interval=1s,3s \
    --seeds 20 --html sweep.html

  # The same sweep in three shards (on three machines), then merged
  for i in 1 2 3; do
    hbsim sweep examples/jittery-crash.yaml \
      --param heartbeat.miss_threshold=2..8 --seeds 20 --shard $i/3 --out shards
  done
  hbsim merge shards --out sweep-out --html sweep.html`,
		Args: exactFiles(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.sweep(args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.params, "param", nil, "a setting to sweep, as KEY=A..B or KEY=V1,V2 (repeatable; the first is the x of each curve)")
	fl.IntVar(&f.seeds, "seeds", 10, "seeds per grid point")
	fl.StringVar(&f.out, "out", "", "also write sweep.csv, sweep.json, sweep.svg and sweep.png into this directory")
	fl.IntVar(&f.jobs, "jobs", 0, "runs at once (default: one per CPU)")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting at every point, as key=value (repeatable)")
	fl.StringVar(&f.detector, "detector", "", "detector to measure (default: the NameNode's own)")
	fl.BoolVar(&f.force, "force", false, "run points even when their cost estimate is beyond 10^10 events or the memory available")
	fl.StringVar(&f.html, "html", "", "also write a self-contained HTML page (chart, grid, recommendation) to this file")
	f.shard.register(fl)
	return cmd
}

func (a *app) sweep(path string, f sweepFlags) error {
	if len(f.params) == 0 {
		return usageErr(errors.New("nothing to sweep: give at least one --param KEY=A..B or KEY=V1,V2"))
	}
	if f.seeds < 1 {
		return usageErr(fmt.Errorf("invalid --seeds %d: want 1 or more", f.seeds))
	}
	if f.jobs < 0 {
		return usageErr(fmt.Errorf("invalid --jobs %d: want 0 (one per CPU) or more", f.jobs))
	}
	// A bad COLUMNS is found before the sweep, not after it.
	if _, err := a.width(a.stdout); err != nil {
		return usageErr(err)
	}
	params, err := sweep.ParseParams(f.params)
	if err != nil {
		return usageErr(fmt.Errorf("--%w", err)) // "--param KEY: why"
	}
	data, err := config.ReadFile(path)
	if err != nil {
		return usageErr(fmt.Errorf("read scenario: %w", err))
	}
	sh, err := f.shard.resolve(a, f.out)
	if err != nil {
		return err
	}
	var io ioFiles
	io.input("the scenario", path)
	if !sh.Sharded() && f.out != "" {
		for _, name := range sweep.FileNames {
			io.output("--out", filepath.Join(f.out, name))
		}
	}
	io.output("--html", f.html)
	if err := io.check(); err != nil {
		return err
	}
	if sh.Sharded() && f.html != "" {
		return usageErr(fmt.Errorf("--html needs the whole sweep: give it to hbsim merge, not to shard %s", sh.Spec))
	}
	opts := sweep.Options{
		Params:   params,
		Seeds:    f.seeds,
		Jobs:     f.jobs,
		Detector: f.detector,
		Scenario: scenario.Options{Sets: f.sets, Env: a.env},
		Shard:    sh.Spec,
		Force:    f.force,
	}
	intr := a.interruptible()
	defer intr.stop()
	opts.Context = intr.ctx
	bar := a.progress("sweep")
	if bar != nil {
		opts.Progress = func(done, total int) {
			bar.ChangeMax(total)
			_ = bar.Set(done)
		}
	}
	if sh.Sharded() {
		file, n, total, err := sweep.RunShard(path, data, opts, f.out)
		if bar != nil {
			_ = bar.Finish()
		}
		if intr.signal() != nil {
			return intr.exitError("interrupted: the shard's file was not written")
		}
		if err != nil {
			return usageErr(err)
		}
		fmt.Fprintf(a.stdout, "Shard %s (from %s): %d of %s of %s\nmerge the shards with: hbsim merge %s\n",
			sh.Spec, sh.From, n, count(total, "run"), path, f.out)
		fmt.Fprintf(a.stderr, "wrote %s\n", file)
		return nil
	}
	res, err := sweep.Run(path, data, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if intr.signal() != nil {
		return intr.exitError("interrupted: a sweep reports only when every run is done")
	}
	if err != nil {
		return usageErr(err)
	}
	return a.writeSweep(res, f.out, f.html)
}

// writeSweep prints the sweep's table and writes its files: the end of
// an unsharded sweep and of hbsim merge, which must write the same.
func (a *app) writeSweep(res *sweep.Result, out, html string) error {
	width, err := a.width(a.stdout)
	if err != nil {
		return usageErr(err)
	}
	if err := res.WriteTable(a.stdout, width); err != nil {
		return err
	}
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return usageErr(fmt.Errorf("--out: %w", err))
		}
		written, err := res.WriteFiles(out)
		if err != nil {
			return usageErr(fmt.Errorf("--out: %w", err))
		}
		// One file a line past the terminal's width: paths do not break.
		errWidth, _ := a.width(a.stderr)
		if list := "wrote " + strings.Join(written, ", "); errWidth == 0 || screen.Width(list) <= errWidth {
			fmt.Fprintln(a.stderr, list)
		} else {
			fmt.Fprintf(a.stderr, "wrote\n  %s\n", strings.Join(written, "\n  "))
		}
	}
	if html != "" {
		if err := htmlreport.WriteSweepFile(html, res); err != nil {
			return usageErr(fmt.Errorf("--html: %w", err))
		}
		fmt.Fprintf(a.stderr, "wrote %s\n", html)
	}
	return nil
}

// progress returns a progress bar on stderr when stderr is a terminal, and
// nil otherwise: in CI logs and pipes a bar is only noise.
func (a *app) progress(what string, more ...progressbar.Option) *progressbar.ProgressBar {
	if !isTerminal(a.stderr) {
		return nil
	}
	return progressbar.NewOptions(1, append([]progressbar.Option{
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
	}, more...)...)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
