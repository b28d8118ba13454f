package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hbsim/hbsim/pkg/htmlreport"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/trace"
)

// viewFlags are run's extra views of one report, for people: an HTML page
// and a plain-words explanation.
type viewFlags struct {
	html    string
	explain bool
}

func (v *viewFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&v.html, "html", "", "also write a self-contained HTML report (timeline, charts, config) to this file")
	fl.BoolVar(&v.explain, "explain", false, "also explain every state change and fault in plain words")
}

// simOptions records heartbeat arrivals only when a view draws or measures
// them: they cost 8 bytes a heartbeat.
func (v viewFlags) simOptions() sim.Options {
	return sim.Options{Arrivals: v.html != "" || v.explain}
}

// write produces the views after the report itself. With --format json
// the explanation goes to stderr, so stdout stays one JSON document.
func (v viewFlags) write(a *app, format string, r *report.Report, tr *trace.Trace) error {
	if v.explain {
		w := a.stdout
		if format == "json" {
			w = a.stderr
		} else {
			fmt.Fprintln(w)
		}
		if err := r.WriteExplain(w, tr); err != nil {
			return fmt.Errorf("write explanation: %w", err)
		}
	}
	if v.html != "" {
		if err := htmlreport.WriteFile(v.html, r, tr); err != nil {
			return err
		}
		a.log.Info("HTML report written", "file", v.html)
	}
	return nil
}

// colorTable says whether the table's timeline strip may use ANSI colours:
// only on a terminal, and never when NO_COLOR is set, whatever its value
// (https://no-color.org asks for non-empty; an empty one is still a wish).
func (a *app) colorTable() bool {
	if _, set := a.env("NO_COLOR"); set {
		return false
	}
	return writerIsTerminal(a.stdout)
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
