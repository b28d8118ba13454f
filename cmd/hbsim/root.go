package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
)

// app is what every command shares: the streams, the environment and the
// logger, passed explicitly rather than read from globals so tests can run
// commands side by side.
type app struct {
	stdout, stderr io.Writer
	env            func(string) (string, bool)
	environ        func() []string // lists the environment; nil: nothing to list
	// signals delivers SIGINT and SIGTERM (notifySignals when nil); tests
	// give their own to interrupt a command.
	signals  func(chan<- os.Signal) (stop func())
	log      *slog.Logger
	logLevel string
	// cpuProfile is --cpuprofile's file; profile, the open profile.
	cpuProfile string
	profile    *os.File
}

// helpColumns is the width help text is written for.
const helpColumns = 80

func init() {
	cobra.AddTemplateFunc("wrapFlags", func(fs *pflag.FlagSet) string { return fs.FlagUsagesWrapped(helpColumns) })
}

func newRootCmd(a *app) *cobra.Command {
	// A logger before flags are parsed, so no command ever sees nil.
	a.log = newLogger(a.stderr, slog.LevelWarn)
	root := &cobra.Command{
		Use:   "hbsim",
		Short: "Simulate HDFS-style failure detection by heartbeats",
		Long: `hbsim simulates a NameNode and its DataNodes on a virtual clock. DataNodes
send heartbeats; the NameNode marks a DataNode stale, then dead, when its
heartbeats stop. A scenario file describes the cluster, the settings, the
faults to inject (kill, restart, pause, partition, slow links, loss, a busy
NameNode, clock drift) and what the run is expected to show.

hbsim reports when each crash was noticed, how long detection took, which
live nodes were wrongly declared dead, and whether every expectation held,
for the detector that drives the NameNode (missed-count, HDFS's own rule,
phi accrual, or decentralized gossip) and for any others compared on the
same trace. The same scenario and seed always give the same report.

Start with scenarios/single-crash.yaml, then docs/TUTORIAL.md.`,
		Example: `  # Run a scenario and read the report
  hbsim run scenarios/single-crash.yaml

  # Check scenario files without running them
  hbsim validate scenarios/*.yaml`,
		// Errors are printed once, by run, as "hbsim: ..."; a usage dump
		// after a typo in a scenario file would bury the message.
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if a.environ != nil {
				for _, w := range config.CheckEnv(a.environ()) {
					fmt.Fprintf(a.stderr, "hbsim: warning: %s\n", w)
				}
			}
			if err := a.setupLog(); err != nil {
				return err
			}
			return a.startProfile()
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(flagError)
	// Help fits 80 columns like every other output: flag descriptions
	// wrap under themselves (pflag's FlagUsagesWrapped).
	root.SetUsageTemplate(strings.NewReplacer(
		".LocalFlags.FlagUsages", "wrapFlags .LocalFlags",
		".InheritedFlags.FlagUsages", "wrapFlags .InheritedFlags",
	).Replace(root.UsageTemplate()))
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "warn",
		"log verbosity on stderr: debug, info, warn or error")
	root.PersistentFlags().StringVar(&a.cpuProfile, "cpuprofile", "",
		"write a Go CPU profile of the command to `FILE` (for go tool pprof)")
	root.AddCommand(newRunCmd(a), newValidateCmd(a), newVersionCmd(a))
	root.AddCommand(newNameNodeCmd(a), newDataNodeCmd(a), newReportCmd(a))
	root.AddCommand(newTestCmd(a), newSweepCmd(a), newMergeCmd(a), newShrinkCmd(a))
	root.AddCommand(newTuneCmd(a), newReplayCmd(a), newCalibrateCmd(a))
	// Completion scripts are out of scope; keep the command list short.
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// setupLog builds the logger from --log-level.
func (a *app) setupLog() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToLower(a.logLevel))); err != nil {
		return usageErr(fmt.Errorf("invalid --log-level %s: want debug, info, warn or error", hint.Quote(a.logLevel)))
	}
	a.log = newLogger(a.stderr, level)
	return nil
}

// exactFiles is cobra.ExactArgs for commands taking file names, with a
// message that says what is missing.
func exactFiles(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(fmt.Errorf("want %d scenario file, got %d arguments (see --help)", n, len(args)))
		}
		return nil
	}
}

// newLogger logs as text without the wall-clock time: a run happens in
// virtual time, and stderr then stays the same from one run to the next.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}
