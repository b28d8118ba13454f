// Package calibrate checks the simulator against live mode: it runs one
// scenario both ways and compares, metric by metric, what each saw: every
// crash's detection time, each detector's false positives, heartbeats
// received per node and messages. Each difference has a bound derived
// from what legitimately differs between the two runs (the heartbeats'
// phases, the scan's phase, the network's randomness) plus the live
// processes' scheduling noise; a difference beyond it means the simulator
// and the real processes disagree.
package calibrate

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/tune"
)

// DefaultNoise is the scheduling noise allowed per timed decision, in
// real time: timers, goroutines and TCP on a loaded two-core machine.
const DefaultNoise = 100 * time.Millisecond

// Options shape a calibration.
type Options struct {
	// Speed is run --live's: every time is multiplied by it (0.1: ten
	// times faster than written).
	Speed float64
	// Noise is the scheduling noise allowed, in real time; 0 means
	// DefaultNoise. In scenario time it is Noise / Speed.
	Noise time.Duration
	// Exe, Stderr and Log are passed to the live run (runner.Options).
	Exe    string
	Stderr io.Writer
	Log    *slog.Logger
}

// Metric is one figure from both runs. Sim or Live is nil when that run
// has no such figure (a crash one run detected and the other did not);
// Diff is then nil and the metric out of bounds.
type Metric struct {
	Name   string   `json:"name"`
	Sim    *float64 `json:"sim"`
	Live   *float64 `json:"live"`
	Diff   *float64 `json:"diff"`
	Bound  float64  `json:"bound"`
	Within bool     `json:"within"`
	// Why says where the bound comes from.
	Why string `json:"why"`
}

// Result is a calibration.
type Result struct {
	Scenario string   `json:"scenario"`
	Seed     int64    `json:"seed"`
	Speed    float64  `json:"speed"`
	NoiseMs  float64  `json:"noise_ms"`
	Metrics  []Metric `json:"metrics"`
	// Passed is true when every metric is within its bound.
	Passed bool `json:"passed"`
	// The two runs' reports.
	Sim, Live *report.Report `json:"-"`
}

// Run runs s on the simulator and live, and compares them.
func Run(ctx context.Context, s *scenario.Scenario, opts Options) (*Result, error) {
	if !(opts.Speed > 0) || math.IsInf(opts.Speed, 0) {
		return nil, fmt.Errorf("speed %v: want a positive factor", opts.Speed)
	}
	if opts.Noise == 0 {
		opts.Noise = DefaultNoise
	}
	if err := runner.CheckLive(s); err != nil {
		return nil, err // before a simulation whose live half cannot run
	}
	simTr, err := runner.Trace(ctx, s, runner.Options{})
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	liveTr, err := runner.Trace(ctx, s, runner.Options{Live: true, Speed: opts.Speed, Exe: opts.Exe, Stderr: opts.Stderr, Log: opts.Log})
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	sim, live := runner.Judge(s, simTr), runner.Judge(s, liveTr)
	noise := time.Duration(float64(opts.Noise) / opts.Speed)
	ms, err := Compare(s, sim, live, noise)
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: s.Name, Seed: s.Seed, Speed: opts.Speed, NoiseMs: msf(noise), Metrics: ms, Passed: true, Sim: sim, Live: live}
	for _, m := range ms {
		res.Passed = res.Passed && m.Within
	}
	return res, nil
}

// Compare lines the two reports up. noise is the scheduling noise in
// scenario time.
func Compare(s *scenario.Scenario, sim, live *report.Report, noise time.Duration) ([]Metric, error) {
	hb := s.Config.Heartbeat
	link, err := tune.NewLink(s.Config.Network)
	if err != nil {
		return nil, err
	}
	spread := time.Duration((link.DelayHi - link.Delay[0]) * float64(time.Second))
	scan := hb.CheckInterval
	if hb.Detector == "hdfs" {
		scan = tune.HDFSCheckPeriod(hb.HDFS.RecheckInterval, hb.StaleAfter, s.Config.IO.AvoidWriteStale, hb.Interval)
	}
	random := link.LossRate() > 0 || hasRandomFaults(s)
	var out []Metric

	// Detection of each crash: the last heartbeat before the kill and the
	// scan after the timeout fall at different phases in the two runs.
	detBound := hb.Interval + scan + 2*spread + noise
	detWhy := fmt.Sprintf("heartbeat phase %v + scan phase %v + delay spread %v ×2 + noise %v", hb.Interval, scan, spread, noise)
	liveNodes := map[string]report.Node{}
	for _, n := range live.Nodes {
		liveNodes[n.ID] = n
	}
	for _, n := range sim.Nodes {
		ln := liveNodes[n.ID]
		for k := range max(len(n.Crashes), len(ln.Crashes)) {
			var a, b *float64
			if k < len(n.Crashes) {
				a = n.Crashes[k].DetectionMs
			}
			if k < len(ln.Crashes) {
				b = ln.Crashes[k].DetectionMs
			}
			out = append(out, metric(fmt.Sprintf("%s crash %d detection_ms", n.ID, k+1), a, b, msf(detBound), detWhy))
		}
	}

	// False positives per detector: none may differ on a network without
	// randomness; otherwise counts are Poisson-like.
	for _, d := range sim.Detectors {
		a, b := float64(sim.QoS[d].Mistakes), float64(live.QoS[d].Mistakes)
		bound, why := 0.0, "a network without loss or random faults: no mistake by chance"
		if random {
			bound, why = math.Floor(3*math.Sqrt(a+b)+1), "random loss: 3 standard deviations of a Poisson count, + 1"
		}
		out = append(out, metric("false_positives "+d, &a, &b, bound, why))
	}

	// Heartbeats received per node, and messages.
	lossRate := link.LossRate()
	var simMsgs, liveMsgs, msgBound float64
	for _, n := range sim.Nodes {
		ln := liveNodes[n.ID]
		a, b := float64(n.HeartbeatsReceived), float64(ln.HeartbeatsReceived)
		lives := 1 + restarts(s, n.ID)
		// Each live round may come up to the noise late, and a late round
		// is not made up: over n rounds, n × noise / interval rounds.
		bound := float64(2*lives+eventsOn(s, n.ID)) + math.Ceil(math.Max(a, b)*float64(noise)/float64(hb.Interval)) +
			math.Ceil(3*math.Sqrt(math.Max(a, b)*lossRate*(1-lossRate)))
		out = append(out, metric(n.ID+" heartbeats_received", &a, &b, bound,
			"one heartbeat either side per life and per fault, each round late by up to the noise, and 3 σ of the loss"))
		simMsgs += float64(n.HeartbeatsSent + n.HeartbeatsReceived)
		liveMsgs += float64(ln.HeartbeatsSent + ln.HeartbeatsReceived)
		msgBound += 2 * bound
	}
	out = append(out, metric("messages", &simMsgs, &liveMsgs, msgBound, "twice the per-node bounds"))
	return out, nil
}

func metric(name string, a, b *float64, bound float64, why string) Metric {
	m := Metric{Name: name, Sim: a, Live: b, Bound: math.Round(bound*1000) / 1000, Why: why}
	switch {
	case a == nil && b == nil:
		m.Within = true
	case a != nil && b != nil:
		d := math.Round((*b-*a)*1000) / 1000
		m.Diff = &d
		m.Within = math.Abs(d) <= bound
	}
	return m
}

// restarts counts the restarts of node in the scenario.
func restarts(s *scenario.Scenario, node string) int {
	n := 0
	for _, ev := range s.Events {
		if ev.Action == scenario.Restart && contains(ev.Nodes, node) {
			n++
		}
	}
	return n
}

// eventsOn counts the faults touching node.
func eventsOn(s *scenario.Scenario, node string) int {
	n := 0
	for _, ev := range s.Events {
		if contains(ev.Nodes, node) || contains(ev.Groups[0], node) || contains(ev.Groups[1], node) {
			n++
		}
	}
	return n
}

// hasRandomFaults reports loss events, whose draws differ between runs.
func hasRandomFaults(s *scenario.Scenario) bool {
	for _, ev := range s.Events {
		if ev.Action == scenario.Loss {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
