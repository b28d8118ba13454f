package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// goldenFlags are run's --golden and --update-golden.
type goldenFlags struct {
	file   string
	update bool
	root   string
}

func (g *goldenFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&g.file, "golden", "", "compare the JSON report with this stored report; exit 1 and show what changed if it differs")
	fl.StringVar(&g.root, "golden-root", "", "the folder a scenario's golden: may point into (default: the scenario's own folder)")
	fl.BoolVar(&g.update, "update-golden", false, "rewrite the golden report (--golden FILE, else the scenario's golden:) instead of comparing")
}

// checkGolden compares r with the golden report, or rewrites it with
// --update-golden. Without --golden a scenario's own golden: is only used
// by --update-golden and by hbsim test: exploring with --set would
// otherwise fail every run.
func (a *app) checkGolden(path string, s *scenario.Scenario, r *report.Report, g goldenFlags) error {
	file := g.file
	if file == "" && g.update {
		file = s.Golden
	}
	if file == "" {
		if g.update {
			return usageErr(fmt.Errorf("%s: --update-golden needs --golden FILE or a golden: key in the scenario", path))
		}
		return nil
	}
	if g.update {
		if err := golden.Update(file, r.WriteJSON); err != nil {
			return usageErr(fmt.Errorf("update golden: %w", err))
		}
		fmt.Fprintf(a.stderr, "updated golden %s\n", file)
		return nil
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		return err
	}
	changes, err := golden.Check(file, buf.Bytes())
	if errors.Is(err, golden.ErrMissing) || err != nil {
		return usageErr(err)
	}
	if len(changes) == 0 {
		return nil
	}
	return &exitError{code: exitFailed, err: fmt.Errorf("%s: report differs from golden %s in %s:\n%s",
		path, file, count(len(changes), "place"), golden.Format(changes))}
}
