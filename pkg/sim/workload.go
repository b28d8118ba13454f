package sim

import (
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/client"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/rng"
	"github.com/hbsim/hbsim/pkg/trace"
)

// workload is the clients: reads and writes arriving as seeded Poisson
// processes. A client lives outside the cluster; it asks the NameNode
// where a block is (reads) or where to put it (writes) and talks to
// DataNodes directly. Every draw comes from a source of its own, so turning
// an I/O option on or off leaves the heartbeats' network draws unchanged.
type workload struct {
	rng             *rand.Rand
	reads, writes   float64 // per second
	zipf            *rand.Zipf
	initial         int
	read            client.ReadConfig
	latency         network.Latency
	netKey          uint64 // the client's round trips' draws
	netSeq          uint64
	io              trace.IO
	writesInFlight  []writeRec
	writeFree       []int32
	locations       []string
	maxReplacements int
	started         bool
}

// writeRec is a write whose data is flowing down its pipeline.
type writeRec struct {
	block     int64
	pipeline  []int32
	recovered bool
}

func newWorkload(s *Sim) workload {
	m := s.run
	initial := m.NameNode.Blocks.Blocks
	r := rng.Rand(s.seed, rng.Workload, 0)
	w := workload{rng: r, reads: m.Workload.ReadsPerSec, writes: m.Workload.WritesPerSec, initial: initial,
		read: m.Client.Read, latency: m.Network.Latency, maxReplacements: 3,
		netKey: rng.Key(s.seed, rng.ClientNet, 0)}
	if m.Workload.Distribution == "zipf" && initial > 1 {
		w.zipf = rand.NewZipf(r, m.Workload.ZipfS, 1, uint64(initial-1))
	}
	return w
}

// startWorkload queues the first arrivals.
func (s *Sim) startWorkload() {
	if s.blk == nil || !s.blk.on || s.blk.wl.started {
		return
	}
	w := &s.blk.wl
	if w.started {
		return
	}
	w.started = true
	if w.reads > 0 {
		s.push(s.now+w.gap(w.reads), kRead, -1, 0)
	}
	if w.writes > 0 {
		s.push(s.now+w.gap(w.writes), kWrite, -1, 0)
	}
}

func (w *workload) gap(rate float64) time.Duration {
	return time.Duration(w.rng.ExpFloat64() / rate * float64(time.Second))
}

// rtt is one request and its answer on the network.
func (w *workload) rtt() time.Duration {
	d := network.MessageDraws(w.netKey, w.netSeq)
	w.netSeq++
	return w.latency.Sample(&d) + w.latency.Sample(&d)
}

// pick chooses the block to read: uniform over every block, or Zipf over
// the blocks present at start (block 0 hottest).
func (w *workload) pick(total int) int64 {
	if w.zipf != nil {
		return int64(w.zipf.Uint64())
	}
	return w.rng.Int64N(int64(total))
}

// read is one block read, as DFSInputStream does it (client.InputStream):
// ask the NameNode for the locations and try them in order, a down node
// costing the socket timeout (a crashed process's host is taken to be
// gone: nothing answers) and one without the replica a round trip; when
// every location failed, wait and ask again, up to
// client.max_block_acquire_failures times. The NameNode is asked again at
// the read's start time: this runtime computes a read in one go.
func (s *Sim) read() {
	w := &s.blk.wl
	s.push(s.now+w.gap(w.reads), kRead, -1, 0)
	st := s.nn.BlockStats()
	total := st.Total
	if total == 0 || st.SafeMode {
		return // clients wait for the NameNode to leave safe mode
	}
	b := w.pick(total)
	for try := 0; try < 4 && !s.nn.Counted(b); try++ {
		b = w.pick(total)
	}
	if !s.nn.Counted(b) {
		return // nothing complete to read yet
	}
	w.io.Reads++
	w.locations = s.nn.Locations(b, s.now, w.locations[:0])
	lat := w.rtt() // getBlockLocations
	in := client.NewInputStream(w.read, w.locations)
	failed := 0
	for {
		step := in.Next()
		switch {
		case step.Missing:
			w.io.ReadsFailed++
			return
		case step.Refetch:
			lat += in.Wait(w.rng.Float64()) + w.rtt()
			w.locations = s.nn.Locations(b, s.now, w.locations[:0])
			in.Refetched(w.locations)
			continue
		}
		i := s.index[step.Node]
		o := client.Read
		switch {
		case !s.alive(i) || s.paused(i) || s.net.Cut(network.Client, network.Endpoint(s.order[i])):
			o = client.NoAnswer
		case !s.dns[i].Has(b):
			o = client.NoReplica
		}
		lat += w.read.Cost(o, w.rtt())
		if done, _ := in.Tried(step.Node, o); done {
			if failed > 0 {
				w.io.ReadsRerouted++
			}
			w.io.ReadLatencies = append(w.io.ReadLatencies, lat)
			return
		}
		failed++
	}
}

// write is one block write: the NameNode chooses a pipeline; a node in it
// that is down costs the client timeout and is replaced by a new target
// (pipeline recovery, at most three times per write). The data then flows
// for block_size / bandwidth and each node in the pipeline reports the
// replica.
func (s *Sim) write() {
	w := &s.blk.wl
	s.push(s.now+w.gap(w.writes), kWrite, -1, 0)
	if s.nn.BlockStats().SafeMode {
		return // HDFS refuses writes in safe mode; the client waits
	}
	w.io.Writes++
	b, ids := s.nn.AddBlock(s.now)
	rec := writeRec{block: b}
	lat := w.rtt()
	replaced := 0
	for k := 0; k < len(ids); k++ {
		i := s.index[ids[k]]
		if s.alive(i) && !s.paused(i) && !s.net.Cut(network.Client, network.Endpoint(s.order[i])) {
			rec.pipeline = append(rec.pipeline, i)
			continue
		}
		lat += w.read.SocketTimeout
		rec.recovered = true
		if replaced < w.maxReplacements {
			replaced++
			if id, ok := s.nn.AddTarget(b, s.now, ids); ok {
				ids = append(ids, id)
			}
		}
	}
	if len(rec.pipeline) == 0 {
		w.io.WritesFailed++
		s.nn.AbandonBlock(b)
		return
	}
	var ref int32
	if k := len(w.writeFree); k > 0 {
		ref = w.writeFree[k-1]
		w.writeFree = w.writeFree[:k-1]
		w.writesInFlight[ref] = rec
	} else {
		w.writesInFlight = append(w.writesInFlight, rec)
		ref = int32(len(w.writesInFlight) - 1)
	}
	s.push(s.now+lat+s.blk.transferTime(rec.pipeline[0]), kWriteDone, -1, ref)
}

// finishWrite lands a written block on the nodes of its pipeline still
// running, and tells the NameNode how many replicas to wait for.
func (s *Sim) finishWrite(ref int32) {
	w := &s.blk.wl
	rec := w.writesInFlight[ref]
	w.writesInFlight[ref] = writeRec{}
	w.writeFree = append(w.writeFree, ref)
	got := 0
	for _, i := range rec.pipeline {
		if !s.alive(i) || s.paused(i) {
			continue
		}
		s.dns[i].Receive(s.local(i), rec.block)
		s.drainDataNode(i)
		got++
	}
	if got == 0 {
		w.io.WritesFailed++
		s.nn.AbandonBlock(rec.block)
		return
	}
	if rec.recovered || got < len(rec.pipeline) {
		w.io.WritesRecovered++
	}
	s.nn.CompleteBlock(rec.block, got, s.now)
}
