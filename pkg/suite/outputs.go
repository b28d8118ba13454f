package suite

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"

	"github.com/hbsim/hbsim/pkg/atomicfile"
)

// Output file names in --out DIR.
const (
	JUnitFile   = "junit.xml"
	SummaryFile = "summary.txt"
)

// WriteOutputs writes the suite's files into dir: JUnit XML and the
// summary. They hold no wall-clock time, so an unsharded run and the merge
// of its shards write the same bytes. It returns the paths written.
func WriteOutputs(dir string, results []Result) ([]string, error) {
	x, err := junit(results, false)
	if err != nil {
		return nil, err
	}
	var sum bytes.Buffer
	if err := WriteSummary(&sum, results); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range []struct {
		name string
		data []byte
	}{{JUnitFile, x}, {SummaryFile, sum.Bytes()}} {
		path := filepath.Join(dir, f.name)
		if err := atomicfile.WriteFile(path, f.data, 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// WriteSummary writes the results table without durations, how to replay
// each failed scenario, then the closing line.
func WriteSummary(w io.Writer, results []Result) error {
	if err := writeTable(w, results, false, 0); err != nil {
		return err
	}
	WriteReplays(w, results, 0)
	_, err := fmt.Fprintln(w, Summarize(results))
	return err
}

// WriteReplays writes, for each failed scenario, the block that replays
// it, its command broken to fit width columns (0: no limit).
func WriteReplays(w io.Writer, results []Result, width int) {
	for _, r := range results {
		if r.Repro != nil {
			fmt.Fprintf(w, "replay %s (%s):\n", r.Name, r.Path)
			r.Repro.WriteText(w, "  ", width)
		}
	}
}
