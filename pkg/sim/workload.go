package sim

import (
	"github.com/hbsim/hbsim/pkg/vtime"
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/client"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
	"github.com/hbsim/hbsim/pkg/trace"
)

// workload is the clients' load: reads and writes arriving as seeded
// Poisson processes, each handed to the HDFS client machine (package
// client), whose messages this file delivers. Every HDFS rule of a read
// or a write — the dead-node list, refetches, pipeline setup and
// recovery — is the client's; this runtime only moves its messages and
// counts how its operations ended.
//
// The client stands outside the cluster: its messages take the network's
// latency, and a partition of a DataNode cuts it from the client as from
// everyone. Every draw comes from a source of its own, so turning an I/O
// option on or off leaves the heartbeats' network draws unchanged; and
// the client's messages are not in the trace's message count, which
// counts the cluster's own.
type workload struct {
	rng           *rand.Rand
	reads, writes float64 // per second
	zipf          *rand.Zipf
	latency       network.Latency
	netKey        uint64 // the client's messages' draws
	netSeq        uint64
	cl            *client.Client
	wake          time.Duration // the client's timer as armed (0: none)
	io            trace.IO
	started       bool
}

func newWorkload(s *Sim) (workload, error) {
	m := s.run
	initial := m.NameNode.Blocks.Blocks
	cc := m.Client
	cc.Blocks = initial
	cc.Seed = s.seed
	for _, n := range m.Nodes {
		if n.Bandwidth > 0 && n.Bandwidth < cc.Bandwidth {
			cc.Bandwidth = n.Bandwidth // the slowest node bounds a pipeline
		}
	}
	cl, err := client.New(cc)
	if err != nil {
		return workload{}, err
	}
	r := rng.Rand(s.seed, rng.Workload, 0)
	w := workload{rng: r, reads: m.Workload.ReadsPerSec, writes: m.Workload.WritesPerSec,
		latency: m.Network.Latency, netKey: rng.Key(s.seed, rng.ClientNet, 0), cl: cl}
	if m.Workload.Distribution == "zipf" && initial > 1 {
		w.zipf = rand.NewZipf(r, m.Workload.ZipfS, 1, uint64(initial-1))
	}
	return w, nil
}

// startWorkload queues the first arrivals.
func (s *Sim) startWorkload() {
	if s.blk == nil || !s.blk.on || s.blk.wl.started {
		return
	}
	w := &s.blk.wl
	w.started = true
	if w.reads > 0 {
		s.push(s.now+w.gap(w.reads), kRead, -1, 0)
	}
	if w.writes > 0 {
		s.push(s.now+w.gap(w.writes), kWrite, -1, 0)
	}
}

func (w *workload) gap(rate float64) time.Duration {
	return vtime.Saturate(w.rng.ExpFloat64() / rate)
}

// delay is one client message's time on the network.
func (w *workload) delay() time.Duration {
	d := network.MessageDraws(w.netKey, w.netSeq)
	w.netSeq++
	return w.latency.Sample(&d)
}

// pick chooses the block to read among those the client knows: uniform,
// or Zipf over the blocks present at start (block 0 hottest).
func (w *workload) pick(total int64) int64 {
	if w.zipf != nil {
		return int64(w.zipf.Uint64())
	}
	return w.rng.Int64N(total)
}

// read is a read's arrival: the client reads a block.
func (s *Sim) read() {
	w := &s.blk.wl
	s.push(s.now+w.gap(w.reads), kRead, -1, 0)
	if total := w.cl.Blocks(); total > 0 {
		w.cl.Read(s.now, w.pick(total))
		s.drainClient()
	}
}

// write is a write's arrival: the client writes a new block.
func (s *Sim) write() {
	w := &s.blk.wl
	s.push(s.now+w.gap(w.writes), kWrite, -1, 0)
	w.cl.Write(s.now)
	s.drainClient()
}

// drainClient delivers what the client sends, counts the operations that
// ended and re-arms its timer.
func (s *Sim) drainClient() {
	w := &s.blk.wl
	rd := w.cl.Ready()
	for k := range rd.Messages {
		m := &rd.Messages[k]
		if m.Node == "" {
			s.push(s.now+w.delay(), kClientToNameNode, -1, s.put(m))
			continue
		}
		i, ok := s.index[m.Node]
		if !ok || s.net.Cut(network.Client, network.Endpoint(s.order[i])) {
			continue // lost: the client's timer notices
		}
		d := w.delay()
		if m.Bytes > 0 {
			d += s.blk.transferTime(i) // the block's data streams in
		}
		s.push(s.now+d, kToDataNode, i, s.put(m))
	}
	for _, r := range rd.Results {
		w.count(r)
	}
	if rd.Wake != 0 && rd.Wake != w.wake {
		w.wake = rd.Wake
		s.push(rd.Wake, kClientWake, -1, 0)
	}
	w.cl.Advance()
}

// count adds an ended operation to the I/O record. A refused operation
// (safe mode, a block not complete) never started and is not counted.
func (w *workload) count(r client.Result) {
	if r.Refused != "" {
		return
	}
	io := &w.io
	switch r.Op {
	case client.OpRead:
		io.Reads++
		switch {
		case r.Failed:
			io.ReadsFailed++
		default:
			if r.Rerouted {
				io.ReadsRerouted++
			}
			io.ReadLatencies = append(io.ReadLatencies, r.Latency)
		}
	case client.OpWrite:
		io.Writes++
		switch {
		case r.Failed:
			io.WritesFailed++
		case r.Recovered:
			io.WritesRecovered++
		}
	}
}

// toClient sends a reply to the client: from the NameNode (from < 0) or
// from DataNode slot from.
func (s *Sim) toClient(from int32, m *proto.Message) {
	if from >= 0 && s.net.Cut(network.Endpoint(s.order[from]), network.Client) {
		return
	}
	s.push(s.now+s.blk.wl.delay(), kClientTo, -1, s.put(m))
}

// clientCall hands the NameNode a client's call.
func (s *Sim) clientCall(ref int32) {
	s.nn.Step(s.now, *s.take(ref))
	s.drainNameNode(-1)
}

// fireClient handles the client's events.
func (s *Sim) fireClient(e event) {
	w := &s.blk.wl
	switch e.k {
	case kClientToNameNode:
		s.clientCall(e.ref)
		return
	case kClientTo:
		w.cl.Step(s.now, *s.take(e.ref))
	case kClientWake:
		if e.at != w.wake {
			return // superseded
		}
		w.wake = 0
		w.cl.Tick(s.now)
	}
	s.drainClient()
}
