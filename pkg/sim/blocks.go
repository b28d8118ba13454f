package sim

import (
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Event kinds of the block layer and the client workload. They sit well
// above queue.go's kinds so both lists can grow.
const (
	transferDone kind = 64 + iota // a block copy between DataNodes finished
	readArrival                   // a client reads a block
	writeArrival                  // a client starts writing a block
	writeDone                     // a client's pipeline finished a block
)

// blockLayer is the simulator's side of blocks: data moving between
// DataNodes and the clients' workload. The rules (placement, what is
// under-replicated, where to read) stay in the NameNode.
type blockLayer struct {
	on        bool
	blockSize int64
	bandwidth int64 // bytes per second per DataNode
	layout    [][]int32

	xfers []xferRec
	xfree []int32

	reReplicated, bytesMoved int64

	wl workload

	// onTransfer, when a test sets it, sees every transfer as it starts.
	onTransfer func(s *Sim, dst int32)
}

// xferRec is a transfer in flight: to dst, which forwards to rest; a
// forward is no xmit of its source.
type xferRec struct {
	src, dst int32
	block    int64
	rest     []string
	forward  bool
}

// newBlockLayer completes the NameNode's block configuration with the
// scenario's racks and builds the initial layout; the layer is off when
// the scenario has no data and no writes.
func newBlockLayer(scn *scenario.Scenario, ncfg *namenode.Config) (*blockLayer, error) {
	c := scn.Config
	bl := &blockLayer{blockSize: int64(c.Data.BlockSize), bandwidth: scn.Bandwidth}
	if ncfg.Blocks.Blocks == 0 && c.Workload.WritesPerSec == 0 {
		return bl, nil
	}
	ncfg.Blocks.Enable = true
	if bl.bandwidth <= 0 {
		bl.bandwidth = scenario.DefaultBandwidth
	}
	bl.on = true
	racks := map[string]string{}
	for _, r := range scn.Racks {
		for _, id := range r.Nodes {
			racks[id] = r.Name
		}
	}
	ncfg.Blocks.Racks = racks
	if blocks := ncfg.Blocks.Blocks; blocks > 0 {
		// The data was written before the run: placed by the same policy,
		// with draws of its own stream, so the layout does not depend on
		// anything else the run draws.
		layout, err := namenode.InitialLayout(*ncfg, scn.Nodes, blocks)
		if err != nil {
			return nil, err
		}
		bl.layout = layout
	}
	bl.wl = newWorkload(scn, uint64(scn.Seed), ncfg.Blocks.Blocks)
	return bl, nil
}

// dataNode fills DataNode i's block settings.
func (bl *blockLayer) dataNode(i int, cfg *datanode.Config, capacity int64) {
	if !bl.on {
		return
	}
	cfg.BlockReports = true
	cfg.BlockSize = bl.blockSize
	cfg.Capacity = capacity
	if bl.layout != nil {
		cfg.Blocks = bl.layout[i]
	}
}

// transferTime is how long one block takes to copy.
func (bl *blockLayer) transferTime() time.Duration {
	return time.Duration(float64(bl.blockSize) / float64(bl.bandwidth) * float64(time.Second))
}

// startTransfers moves the data of TRANSFER commands DataNode i accepted,
// and of the pipeline stages it forwards. A stage starts once the
// previous one has landed (store and forward: a pipeline of k targets
// takes k block times here, where HDFS streams packets and takes about
// one).
func (s *Sim) startTransfers(i int32, ts []datanode.Transfer) {
	bl := s.blk
	for _, t := range ts {
		dst, ok := s.index[t.Targets[0]]
		if !ok {
			if !t.Forward {
				s.dns[i].TransferDone()
			}
			continue
		}
		if bl.onTransfer != nil {
			bl.onTransfer(s, dst)
		}
		if s.alive[dst] {
			s.dns[dst].ReceiveStart()
		}
		rec := xferRec{src: i, dst: dst, block: t.Block, rest: t.Targets[1:], forward: t.Forward}
		var ref int32
		if k := len(bl.xfree); k > 0 {
			ref = bl.xfree[k-1]
			bl.xfree = bl.xfree[:k-1]
			bl.xfers[ref] = rec
		} else {
			bl.xfers = append(bl.xfers, rec)
			ref = int32(len(bl.xfers) - 1)
		}
		s.q.push(event{at: s.now + bl.transferTime(), kind: transferDone, node: i, ref: ref})
	}
}

// finishTransfer lands a copy: the target stores the replica, reports it
// (IBR) and forwards it down the pipeline, if both ends are still running;
// otherwise the copy is lost and the NameNode's pending timeout will
// notice.
func (s *Sim) finishTransfer(ref int32) {
	bl := s.blk
	x := bl.xfers[ref]
	bl.xfree = append(bl.xfree, ref)
	bl.xfers[ref] = xferRec{src: -1, dst: -1}
	if s.alive[x.src] && !x.forward {
		s.dns[x.src].TransferDone()
	}
	if !s.alive[x.src] || s.paused[x.src] || !s.alive[x.dst] || s.paused[x.dst] {
		if s.alive[x.dst] {
			s.dns[x.dst].ReceiveFailed()
		}
		return
	}
	s.dns[x.dst].ReceiveDone(s.local(x.dst), x.block, x.rest)
	bl.reReplicated++
	bl.bytesMoved += bl.blockSize
	s.drainDataNode(x.dst)
}

// fireBlocks handles the block layer's events.
func (s *Sim) fireBlocks(e event) {
	switch e.kind {
	case transferDone:
		s.finishTransfer(e.ref)
	case readArrival:
		s.read()
	case writeArrival:
		s.write()
	case writeDone:
		s.finishWrite(e.ref)
	}
}

// sampleBlocks adds the block layer's series to a sample.
func (s *Sim) sampleBlocks(sm *trace.Sample) {
	if !s.blk.on {
		return
	}
	sm.HasBlocks = true
	sm.UnderReplicated = s.nn.BlockStats().UnderReplicated
}

// maxLostIDs bounds the lost blocks the trace names.
const maxLostIDs = 100

// lostBlocks lists the complete blocks no running DataNode holds and no
// transfer in flight is delivering: the data is gone.
func (s *Sim) lostBlocks() (count int, ids []int64) {
	total := s.nn.BlockStats().Total
	held := make([]bool, total)
	for i := range s.dns {
		if !s.alive[i] {
			continue
		}
		for _, b := range s.dns[i].Blocks() {
			if int(b) < total {
				held[b] = true
			}
		}
	}
	for _, x := range s.blk.xfers {
		if x.src >= 0 && s.alive[x.src] && s.alive[x.dst] && int(x.block) < total {
			held[x.block] = true
		}
	}
	for b := range held {
		if !held[b] && s.nn.Counted(int64(b)) {
			count++
			if len(ids) < maxLostIDs {
				ids = append(ids, int64(b))
			}
		}
	}
	return count, ids
}

// blockTrace is the block layer's record so far; nil without one.
func (s *Sim) blockTrace() (*trace.Blocks, *trace.IO) {
	if !s.blk.on {
		return nil, nil
	}
	st := s.nn.BlockStats()
	b := &trace.Blocks{Total: st.Total, UnderReplicatedPeak: st.UnderReplicatedPeak,
		ReReplicated: s.blk.reReplicated, BytesMoved: s.blk.bytesMoved,
		RecoveredAt: st.RecoveredAt, Recovered: st.Recovered && st.EverUnder,
		Scheduled: st.Scheduled, Timeouts: st.Timeouts, Invalidated: st.Invalidated}
	b.Lost, b.LostIDs = s.lostBlocks()
	io := s.blk.wl.io
	io.ReadLatencies = append([]time.Duration(nil), io.ReadLatencies...)
	return b, &io
}
