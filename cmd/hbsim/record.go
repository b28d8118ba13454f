package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/replay"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/trace"
)

// recordFlags is run's --record: the heartbeat arrivals of a run, simulated
// or live, as a trace hbsim replay reads.
type recordFlags struct {
	file string
}

func (r *recordFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&r.file, "record", "", "also write every heartbeat's arrival at the NameNode to this trace file (CSV, for hbsim replay)")
}

// simOptions asks the simulator for arrivals when recording.
func (r recordFlags) simOptions(o sim.Options) sim.Options {
	if r.file != "" {
		o.Arrivals = true
	}
	return o
}

// write writes the trace file.
func (r recordFlags) write(a *app, s *scenario.Scenario, tr *trace.Trace) error {
	if r.file == "" {
		return nil
	}
	f, err := os.Create(r.file)
	if err != nil {
		return usageErr(fmt.Errorf("--record: %w", err))
	}
	nodes := make([]replay.Recorded, len(tr.Nodes))
	for i, n := range tr.Nodes {
		nodes[i] = replay.Recorded{Node: n.ID, Heartbeats: n.Arrivals, Registrations: n.Registrations}
	}
	source := fmt.Sprintf("hbsim run %s, seed %d", s.Path, s.Seed)
	werr := replay.Write(f, source, tr.End, nodes)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("--record %s: %w", r.file, werr)
	}
	a.log.Info("heartbeat trace written", "file", r.file)
	return nil
}

// liveRecord writes a live NameNode's heartbeats as they arrive.
type liveRecord struct {
	f   *os.File
	w   *bufio.Writer
	err error
}

// startRecord opens the trace of hbsim namenode --record and hooks it to
// the server's heartbeats; a nil record when path is empty.
func startRecord(path, listen string, cfg *live.ServerConfig) (*liveRecord, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--record: %w", err)
	}
	r := &liveRecord{f: f, w: bufio.NewWriter(f)}
	r.err = replay.Header(r.w, "hbsim namenode --listen "+listen, 0, true)
	cfg.OnArrival = func(m proto.Message, at time.Duration) {
		kind := replay.Heartbeat
		switch m.Type {
		case proto.TypeHeartbeat:
		case proto.TypeRegister:
			kind, m.Seq = replay.Register, 0
		default:
			return
		}
		if r.err == nil {
			r.err = replay.Line(r.w, m.Node, at, int64(m.Seq), kind)
		}
	}
	return r, nil
}

// close ends the trace with its duration, so a replay judges the final
// silences as the NameNode saw them.
func (r *liveRecord) close(duration time.Duration) error {
	if r == nil {
		return nil
	}
	if r.err == nil && duration > 0 {
		_, r.err = fmt.Fprintf(r.w, "# duration: %v\n", duration)
	}
	if err := r.w.Flush(); r.err == nil {
		r.err = err
	}
	if err := r.f.Close(); r.err == nil {
		r.err = err
	}
	return r.err
}
