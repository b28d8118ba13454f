package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/shard"
)

// Kind names a sweep's shard files.
const Kind = "sweep"

// header is the plan a shard file carries: everything the merge needs to
// lay out the grid, and everything that must be the same in every shard
// (the scenario's bytes, the settings after environment and --set).
type header struct {
	Scenario  string  `json:"scenario"`
	Path      string  `json:"path"`
	Digest    string  `json:"sha256"`
	Params    []Param `json:"params"`
	FirstSeed int64   `json:"first_seed"`
	Seeds     int     `json:"seeds"`
	// Detector is --detector as given ("" for the NameNode's own).
	Detector string `json:"detector"`
	// Settings are the scenario's effective settings before the params.
	Settings map[string]any `json:"settings"`
}

func (p *Plan) header() header {
	sum := sha256.Sum256(p.data)
	return header{Scenario: p.base.Name, Path: p.path, Digest: hex.EncodeToString(sum[:]), Params: p.opts.Params,
		FirstSeed: p.base.Seed, Seeds: p.opts.Seeds, Detector: p.opts.Detector, Settings: p.base.Effective}
}

// runLine is one run in a shard file: its point and seed, and its sample
// with durations in nanoseconds, so the merge pools exactly the numbers
// an unsharded sweep pools.
type runLine struct {
	Point       int      `json:"point"`
	Values      []string `json:"values"`
	Seed        int64    `json:"seed"`
	Detector    string   `json:"detector"`
	Crashes     int      `json:"crashes"`
	Detected    int      `json:"detected"`
	DetectionNs []int64  `json:"detection_ns"`
	Mistakes    int      `json:"mistakes"`
	MistakeNs   []int64  `json:"mistake_duration_ns"`
	UptimeNs    int64    `json:"uptime_ns"`
	SuspectedNs int64    `json:"suspected_ns"`
	Messages    int64    `json:"messages"`
	SpanNs      int64    `json:"span_ns"`
}

// RunShard runs the part of the sweep that opts.Shard owns and writes it
// into dir as a shard file; it returns the file, how many runs it has and
// how many the whole sweep has.
func RunShard(path string, data []byte, opts Options, dir string) (file string, mine, total int, err error) {
	if !opts.Shard.Sharded() {
		return "", 0, 0, fmt.Errorf("no shard given")
	}
	p, err := NewPlan(path, data, opts)
	if err != nil {
		return "", 0, 0, err
	}
	runs := p.runs(opts.Shard)
	samples, err := p.execute(runs)
	if err != nil {
		return "", 0, 0, err
	}
	lines := make([]runLine, len(runs))
	for i, r := range runs {
		s := samples[i]
		lines[i] = runLine{Point: r.point, Values: p.points[r.point], Seed: r.abs, Detector: s.detector,
			Crashes: s.q.Crashes, Detected: s.q.Detected, DetectionNs: nanos(s.q.Detection),
			Mistakes: s.q.Mistakes, MistakeNs: nanos(s.q.MistakeDurations),
			UptimeNs: int64(s.q.Uptime), SuspectedNs: int64(s.q.Suspected),
			Messages: s.messages, SpanNs: int64(s.span)}
	}
	file, err = shard.Write(dir, opts.Shard, Kind, p.header(), lines)
	return file, len(runs), p.Runs(), err
}

// Merge pools the shards of one sweep, as shard.Collect returns them,
// into the result the unsharded sweep gives. Every run must come from the
// shard that owns it, exactly once.
func Merge(files []*shard.File) (*Result, error) {
	var h header
	if err := json.Unmarshal(files[0].Plan, &h); err != nil {
		return nil, fmt.Errorf("%s:1: sweep plan: %w", files[0].Path, err)
	}
	if h.Seeds < 1 || len(h.Params) == 0 {
		return nil, fmt.Errorf("%s:1: sweep plan has no grid", files[0].Path)
	}
	points := grid(h.Params)
	total := len(points) * h.Seeds
	samples := make([]sample, total)
	from := make([]string, total) // where each run was read, for duplicates
	for _, f := range files {
		for i, raw := range f.Results {
			at := fmt.Sprintf("%s:%d", f.Path, f.Lines[i])
			var l runLine
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			k := l.Seed - h.FirstSeed
			if l.Point < 0 || l.Point >= len(points) || k < 0 || k >= int64(h.Seeds) {
				return nil, fmt.Errorf("%s: point %d seed %d is outside the sweep's grid", at, l.Point, l.Seed)
			}
			vals := points[l.Point]
			if label(h.Params, l.Values) != label(h.Params, vals) {
				return nil, fmt.Errorf("%s: point %d has values %v, the plan says %v", at, l.Point, l.Values, vals)
			}
			if owner := shard.Owner(runKey(h.Path, h.Params, vals, l.Seed), f.Of); owner != f.Shard {
				return nil, fmt.Errorf("%s: %s seed %d belongs to shard %d/%d, not %d/%d", at, label(h.Params, vals), l.Seed, owner, f.Of, f.Shard, f.Of)
			}
			slot := l.Point*h.Seeds + int(k)
			if from[slot] != "" {
				return nil, fmt.Errorf("%s: %s seed %d again (first at %s)", at, label(h.Params, vals), l.Seed, from[slot])
			}
			from[slot] = at
			samples[slot] = sample{detector: l.Detector, messages: l.Messages, span: time.Duration(l.SpanNs), q: qos.Result{
				Crashes: l.Crashes, Detected: l.Detected, Detection: durations(l.DetectionNs),
				Mistakes: l.Mistakes, MistakeDurations: durations(l.MistakeNs),
				Uptime: time.Duration(l.UptimeNs), Suspected: time.Duration(l.SuspectedNs)}}
		}
	}
	for slot, at := range from {
		if at == "" {
			vals, seed := points[slot/h.Seeds], h.FirstSeed+int64(slot%h.Seeds)
			owner := shard.Spec{Index: shard.Owner(runKey(h.Path, h.Params, vals, seed), files[0].Of), Total: files[0].Of}
			return nil, fmt.Errorf("%s seed %d is missing: shard %s (%s) does not have it; run that shard again",
				label(h.Params, vals), seed, owner, files[owner.Index-1].Path)
		}
	}
	return assemble(h, samples)
}

func nanos(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d)
	}
	return out
}

func durations(ns []int64) []time.Duration {
	if len(ns) == 0 {
		return nil
	}
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n)
	}
	return out
}
