package htmlreport

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

//go:embed page.html.tmpl sweep.html.tmpl
var files embed.FS

var page = template.Must(template.New("page.html.tmpl").Funcs(template.FuncMap{"joinAnd": joinAnd, "add": func(a, b float64) float64 { return a + b }, "max": func(a, b float64) float64 { return max(a, b) }}).ParseFS(files, "page.html.tmpl"))

// Write renders the report of one run as HTML. tr supplies heartbeat
// arrivals for the timeline's ticks (sim.Options.Arrivals); it may be nil
// or lack arrivals, and the page then simply has no ticks.
func Write(w io.Writer, r *report.Report, tr *trace.Trace) error {
	if r == nil {
		return fmt.Errorf("html report: no report")
	}
	if err := page.Execute(w, build(r, tr)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// WriteFile renders the page to path atomically (pkg/atomicfile): a
// reader (a browser reloading, a CI upload) never sees half a page, a
// failed run leaves the previous page in place, and a page that exists
// keeps its permission bits.
func WriteFile(path string, r *report.Report, tr *trace.Trace) error {
	var buf bytes.Buffer
	if err := Write(&buf, r, tr); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}
