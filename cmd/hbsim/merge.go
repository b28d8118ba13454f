package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/shard"
	"github.com/hbsim/hbsim/pkg/suite"
	"github.com/hbsim/hbsim/pkg/sweep"
)

type mergeFlags struct {
	out  string
	html string
}

func newMergeCmd(a *app) *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Combine the shards of a sweep or a suite into one result",
		Long: `Merge reads the shard files (shard-*.jsonl) that hbsim sweep --shard and
hbsim test --shard wrote into their --out directories, checks that they are
every shard of one run exactly once, written by the same hbsim with the
same arguments, and writes what the unsharded command would have written,
byte for byte:

  a sweep: the table on stdout; with --out, sweep.csv, sweep.json,
           sweep.svg and sweep.png; with --html, the page
  a suite: the summary on stdout; with --out, junit.xml and summary.txt

A missing, duplicated, incomplete or foreign shard is an error that names
the shard and its file.

Exit status: for a sweep, 0 when merged; for a suite, as hbsim test: 0 if
every scenario passed, 1 if one failed, 2 if one could not be run; 2 when
the shards do not add up to one run.`,
		Example: `  # Shards of a sweep, run by a Kubernetes Indexed Job on a shared volume
  hbsim merge /results --out /results/merged --html /results/merged/sweep.html

  # Shards of a suite collected from several machines
  hbsim merge node1/out node2/out node3/out --out merged`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(fmt.Errorf("want the --out directories of the shards (see --help)"))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return a.merge(args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "write the merged files into this directory")
	fl.StringVar(&f.html, "html", "", "for a sweep, also write the self-contained HTML page to this file")
	return cmd
}

func (a *app) merge(dirs []string, f mergeFlags) error {
	files, err := shard.Collect(dirs)
	if err != nil {
		return usageErr(err)
	}
	var io ioFiles
	for _, file := range files {
		io.input("a shard", file.Path)
	}
	if f.out != "" {
		names := sweep.FileNames
		if files[0].Kind == suite.Kind {
			names = []string{suite.JUnitFile, suite.SummaryFile}
		}
		for _, name := range names {
			io.output("--out", filepath.Join(f.out, name))
		}
	}
	io.output("--html", f.html)
	if err := io.check(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "merging %s of a %s from %s\n", count(len(files), "shard"), files[0].Kind, strings.Join(dirs, ", "))
	switch files[0].Kind {
	case sweep.Kind:
		res, err := sweep.Merge(files)
		if err != nil {
			return usageErr(err)
		}
		return a.writeSweep(res, f.out, f.html)
	case suite.Kind:
		if f.html != "" {
			return usageErr(fmt.Errorf("--html draws a sweep; %s holds the shards of a suite", dirs[0]))
		}
		results, err := suite.Merge(files)
		if err != nil {
			return usageErr(err)
		}
		if err := suite.WriteSummary(a.stdout, results); err != nil {
			return err
		}
		if f.out != "" {
			if err := os.MkdirAll(f.out, 0o755); err != nil {
				return usageErr(fmt.Errorf("--out: %w", err))
			}
			written, err := suite.WriteOutputs(f.out, results)
			if err != nil {
				return usageErr(fmt.Errorf("--out: %w", err))
			}
			fmt.Fprintf(a.stderr, "wrote %s\n", strings.Join(written, ", "))
		}
		return suiteExit(suite.Summarize(results), len(results))
	}
	return usageErr(fmt.Errorf("%s: shards of a %q, which this hbsim cannot merge", files[0].Path, files[0].Kind))
}
