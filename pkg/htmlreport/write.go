package htmlreport

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

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

// WriteFile renders the page to path atomically: it is written to a
// temporary file in the same directory and renamed over path, so a reader
// (a browser reloading, a CI upload) never sees half a page, and a failed
// run leaves the previous page in place.
func WriteFile(path string, r *report.Report, tr *trace.Trace) (err error) {
	var buf bytes.Buffer
	if err := Write(&buf, r, tr); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private; a report is for sharing.
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
