package main

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/htmlreport"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/trace"
)

// viewFlags are run's views of one report, for people: how the tables
// fit the screen, an HTML page and a plain-words explanation.
type viewFlags struct {
	html     string
	explain  bool
	wide     bool
	timeline string
}

func (v *viewFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&v.html, "html", "", "also write a self-contained HTML report (timeline, charts, config) to this file")
	fl.BoolVar(&v.explain, "explain", false, "also explain every state change and fault in plain words")
	fl.BoolVar(&v.wide, "wide", false, "print whole table rows, however wide, even on a terminal")
	fl.StringVar(&v.timeline, "timeline", "summary", "summary folds repeated changes of a node, and quiet nodes of big clusters; full lists everything")
}

// simOptions records heartbeat arrivals only when a view draws or measures
// them (they cost 8 bytes a heartbeat), and the messages around faults and
// gossip members' beliefs only for the page.
func (v viewFlags) simOptions() sim.Options {
	return sim.Options{Arrivals: v.html != "" || v.explain, Windows: v.html != "", Beliefs: v.html != ""}
}

// options are the report's drawing options for w, checked before the
// run: fitted to the width of w unless --wide. The caller adds the trace.
func (v viewFlags) options(a *app, w io.Writer) (report.TableOptions, error) {
	if v.timeline != "summary" && v.timeline != "full" {
		return report.TableOptions{}, fmt.Errorf("invalid --timeline %s: want summary or full", hint.Quote(v.timeline))
	}
	o := report.TableOptions{Full: v.timeline == "full", Explain: v.explain, Color: a.colorFor(w)}
	if v.wide {
		return o, nil
	}
	width, err := a.width(w)
	o.Width = width
	return o, err
}

// write produces the views after the report itself: with --format json
// the explanation goes to stderr, fitted to it (o), so stdout stays one
// JSON document; with tables it is part of the report. Then the page.
func (v viewFlags) write(a *app, format string, o report.TableOptions, r *report.Report, tr *trace.Trace) error {
	if v.explain && format == "json" {
		o.Trace = tr
		if err := r.WriteExplain(a.stderr, o); err != nil {
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

// minColumns is the narrowest COLUMNS accepted: below it no table fits.
const minColumns = 40

// width is how many columns output to w may take: COLUMNS when set (also
// for a pipe, so a script can ask for a width), else the terminal's
// width, else 0 (no limit: whole rows for files and pipes).
func (a *app) width(w io.Writer) (int, error) {
	if v, set := a.env("COLUMNS"); set {
		n, err := strconv.Atoi(v)
		if err != nil || n < minColumns {
			return 0, fmt.Errorf("invalid COLUMNS=%s: want a whole number of terminal columns, at least %d (unset it for whole rows)", hint.Quote(v), minColumns)
		}
		return n, nil
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, nil
	}
	n, _, err := term.GetSize(int(f.Fd()))
	if err != nil || n <= 0 {
		return 0, nil // a terminal that does not say: whole rows
	}
	return n, nil
}

// colorFor says whether output to w may use ANSI colours: only on a
// terminal, and never when NO_COLOR is set, whatever its value
// (https://no-color.org asks for non-empty; an empty one is still a wish).
func (a *app) colorFor(w io.Writer) bool {
	if _, set := a.env("NO_COLOR"); set {
		return false
	}
	return writerIsTerminal(w)
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
