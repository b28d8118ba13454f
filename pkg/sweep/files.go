package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/hbsim/hbsim/pkg/atomicfile"
)

// FileNames are the files WriteFiles writes.
var FileNames = []string{"sweep.csv", "sweep.json", "sweep.svg", "sweep.png"}

// WriteFiles writes sweep.csv, sweep.json, sweep.svg and sweep.png into
// dir, each atomically. It returns the paths written.
func (r *Result) WriteFiles(dir string) ([]string, error) {
	outputs := []struct {
		name   string
		render func() ([]byte, error)
	}{
		{FileNames[0], r.CSV},
		{FileNames[1], r.JSON},
		{FileNames[2], func() ([]byte, error) { return r.Chart("svg") }},
		{FileNames[3], func() ([]byte, error) { return r.Chart("png") }},
	}
	var written []string
	for _, o := range outputs {
		data, err := o.render()
		if err != nil {
			return written, fmt.Errorf("%s: %w", o.name, err)
		}
		path := filepath.Join(dir, o.name)
		if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// JSON is the result as one indented document; field names follow the
// report's (milliseconds, snake case, null for unmeasured).
func (r *Result) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode sweep: %w", err)
	}
	return buf.Bytes(), nil
}

// CSV is one row per point: the params' values under their keys, then
// the metrics; empty cells for unmeasured values.
func (r *Result) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var header []string
	for _, p := range r.Params {
		header = append(header, p.Key)
	}
	header = append(header, "runs", "crashes", "detected", "detection_p50_ms", "detection_p99_ms",
		"false_positives", "seeds_with_false_positives", "false_positives_per_hour",
		"mistake_duration_ms", "p_a", "messages_per_sec", "pareto")
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for _, p := range r.Points {
		row := append([]string(nil), p.Values...)
		row = append(row, strconv.Itoa(p.Runs), strconv.Itoa(p.Crashes), strconv.Itoa(p.Detected),
			optNum(p.DetectionP50Ms), optNum(p.DetectionP99Ms),
			strconv.Itoa(p.FalsePositives), strconv.Itoa(p.SeedsWithFP), num(p.FalsePositivesPerHour),
			optNum(p.MistakeDurationMs), num(p.PA), num(p.MessagesPerSec), strconv.FormatBool(p.Pareto))
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}
