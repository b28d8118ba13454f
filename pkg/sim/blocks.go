package sim

import (
	"github.com/hbsim/hbsim/pkg/vtime"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/trace"
)

// blockLayer is the simulator's side of blocks: data moving between
// DataNodes and the clients' workload. The rules (placement, what is
// under-replicated, where to read) stay in the NameNode.
type blockLayer struct {
	s         *Sim
	on        bool
	blockSize int64
	layout    [][]int32 // initial replicas by model handle

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

// newBlockLayer builds the data the run starts with (the initial block
// layout, placed by the NameNode's own policy) and the client workload;
// on is false when the run has no data and no writes.
func newBlockLayer(s *Sim, cfg *namenode.Config) (*blockLayer, error) {
	bl := &blockLayer{s: s, blockSize: cfg.Blocks.BlockSize}
	if !cfg.Blocks.Enable {
		return bl, nil
	}
	bl.on = true
	if blocks := cfg.Blocks.Blocks; blocks > 0 {
		// The data was written before the run: placed by the same policy,
		// with draws of its own stream, so the layout does not depend on
		// anything else the run draws.
		layout, err := namenode.InitialLayout(*cfg, s.run.IDs(), blocks)
		if err != nil {
			return nil, err
		}
		bl.layout = layout
	}
	wl, err := newWorkload(s)
	if err != nil {
		return nil, err
	}
	bl.wl = wl
	return bl, nil
}

// dataNode gives model node h its initial replicas.
func (bl *blockLayer) dataNode(h int, cfg *datanode.Config) {
	if bl.layout != nil {
		cfg.Blocks = bl.layout[h]
	}
}

// transferTime is how long one block takes to copy from slot i.
func (bl *blockLayer) transferTime(i int32) time.Duration {
	bw := bl.s.run.Nodes[bl.s.order[i]].Bandwidth
	if bw <= 0 {
		bw = DefaultBandwidth
	}
	return vtime.Saturate(float64(bl.blockSize) / float64(bw))
}

// DefaultBandwidth is a DataNode's transfer rate, bytes per second, when
// the run gives none.
const DefaultBandwidth = 100 << 20

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
		if s.alive(dst) {
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
		s.push(s.now+bl.transferTime(i), kTransferDone, i, ref)
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
	if s.alive(x.src) && !x.forward {
		s.dns[x.src].TransferDone()
	}
	if !s.alive(x.src) || s.paused(x.src) || !s.alive(x.dst) || s.paused(x.dst) ||
		s.net.Cut(network.Endpoint(s.order[x.src]), network.Endpoint(s.order[x.dst])) {
		if s.alive(x.dst) {
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
	switch e.k {
	case kTransferDone:
		s.finishTransfer(e.ref)
	case kRead:
		s.read()
	case kWrite:
		s.write()
	default:
		s.fireClient(e)
	}
}

// sampleBlocks adds the block layer's series to a sample.
func (s *Sim) sampleBlocks(sm *trace.Sample) {
	if s.blk == nil || !s.blk.on {
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
		if !s.alive(int32(i)) {
			continue
		}
		for _, b := range s.dns[i].Blocks() {
			if int(b) < total {
				held[b] = true
			}
		}
	}
	for _, x := range s.blk.xfers {
		if x.src >= 0 && s.alive(x.src) && s.alive(x.dst) && int(x.block) < total {
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
	if s.blk == nil || !s.blk.on {
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
