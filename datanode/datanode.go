package datanode

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// Config configures one DataNode. It is plain data: start from
// DefaultConfig, set ID and what differs. Validate only checks.
type Config struct {
	// ID names the node; it is how the NameNode knows it. Required.
	ID string
	// HeartbeatInterval is the time between the starts of two heartbeats
	// (dfs.heartbeat.interval; 3s).
	HeartbeatInterval time.Duration
	// RPCTimeout is how long a heartbeat call may wait for its reply before
	// the node gives up on it and carries on (hbsim heartbeat.rpc_timeout;
	// one interval, 3s, so a lost heartbeat is one missed heartbeat).
	// HDFS's DataNode blocks in the call far longer (ipc.client.rpc-timeout.ms,
	// 120s); set it high to see why HDFS needed the lifeline.
	RPCTimeout time.Duration
	// RegisterRetry is how long to wait for a registration reply before
	// sending Register again (BPServiceActor retries every second; 1s).
	RegisterRetry time.Duration
	// LifelineInterval, when positive, turns on HDFS-9239's lifeline: if no
	// new heartbeat has started LifelineInterval after the next one was due,
	// send a Lifeline, then one every LifelineInterval until a heartbeat
	// starts again (dfs.datanode.lifeline.interval.seconds; 0: off, HDFS's
	// lifeline server is off unless dfs.namenode.lifeline.rpc-address is set).
	LifelineInterval time.Duration
	// Capacity and Used are the storage figures heartbeats report, in bytes
	// (0 and 0).
	Capacity int64
	Used     int64
	// BlockReports turns the block layer on: the node sends a full block
	// report after each registration, carries out TRANSFER and INVALIDATE
	// commands, and counts its replicas in Used, BlockSize bytes each
	// (false).
	BlockReports bool
	// BlockSize is the bytes per replica (dfs.blocksize; 128 MiB).
	BlockSize int64
	// Blocks are the replicas on disk at first boot; they survive crashes
	// (none).
	Blocks []int32
	// Volumes is how many disks the node stores replicas on, filled in
	// turn (HDFS's RoundRobinVolumeChoosingPolicy; 1, at most 64).
	Volumes int
	// FailedVolumesTolerated is how many failed volumes the node survives;
	// one more and it reports a fatal disk error and shuts down; −1 means
	// as long as one volume works (dfs.datanode.failed.volumes.tolerated;
	// 0).
	FailedVolumesTolerated int
}

// DefaultConfig returns HDFS's defaults for a DataNode; ID is empty and
// must be set.
func DefaultConfig() Config {
	return Config{
		HeartbeatInterval: 3 * time.Second,
		RPCTimeout:        3 * time.Second,
		RegisterRetry:     time.Second,
		BlockSize:         128 << 20,
		Volumes:           1,
	}
}

// Validate reports impossible values; it changes nothing.
func (c *Config) Validate() error {
	switch {
	case c.ID == "":
		return errors.New("datanode: ID is empty")
	case c.HeartbeatInterval <= 0:
		return fmt.Errorf("datanode %s: heartbeat interval %v must be positive", c.ID, c.HeartbeatInterval)
	case c.RPCTimeout <= 0:
		return fmt.Errorf("datanode %s: rpc timeout %v must be positive", c.ID, c.RPCTimeout)
	case c.RegisterRetry <= 0:
		return fmt.Errorf("datanode %s: register retry %v must be positive", c.ID, c.RegisterRetry)
	case c.LifelineInterval < 0:
		return fmt.Errorf("datanode %s: lifeline interval %v is negative", c.ID, c.LifelineInterval)
	case c.Capacity < 0 || c.Used < 0 || c.Used > c.Capacity:
		return fmt.Errorf("datanode %s: used %d of capacity %d is impossible", c.ID, c.Used, c.Capacity)
	case c.BlockSize <= 0:
		return fmt.Errorf("datanode %s: block size %d must be positive", c.ID, c.BlockSize)
	case c.Volumes < 1 || c.Volumes > maxVolumes:
		return fmt.Errorf("datanode %s: %d volumes; want 1 to %d", c.ID, c.Volumes, maxVolumes)
	case c.FailedVolumesTolerated < -1 || c.FailedVolumesTolerated >= c.Volumes:
		return fmt.Errorf("datanode %s: %d failed volumes tolerated of %d; want -1 (as long as one works) to %d",
			c.ID, c.FailedVolumesTolerated, c.Volumes, c.Volumes-1)
	}
	return nil
}

// maxVolumes bounds a node's volumes: their failures are a bit mask.
const maxVolumes = 64

type phase uint8

const (
	down        phase = iota // not started, or crashed
	registering              // Register sent, waiting for the reply
	running                  // registered, heartbeating
	refused                  // the NameNode refused us: stop, as HDFS's actor does
)

// Ready is what the DataNode wants done: messages to send and the time it
// next wants a Tick (zero if it wants none).
type Ready struct {
	Messages []proto.Message
	Wake     time.Duration
	// Transfers are block copies to start: the runtime moves the data to
	// Targets[0], then calls TransferDone here (unless Forward) and
	// ReceiveDone on the target, which forwards to the rest.
	Transfers []Transfer
}

// Transfer is one block copy: a TRANSFER command's pipeline from this
// node, or a pipeline stage this node forwards (Forward; it is no xmit).
type Transfer struct {
	Block   int64
	Targets []string
	Forward bool
}

// DataNode is one DataNode's protocol state.
type DataNode struct {
	// The fields every heartbeat reads or writes come first, in two cache
	// lines: a simulation of ten thousand nodes touches each node once per
	// heartbeat, long after the last time, and each line it needs is a
	// miss. Line one: the heartbeat's timing.
	phase phase
	// awaiting is true while heartbeat seq waits for its reply, until
	// deadline.
	awaiting bool
	// shutdown is set once the node stopped itself (too many failed
	// volumes); it will not start again.
	shutdown bool
	// handle is the NameNode's number for us, echoed in heartbeats.
	handle uint32
	seq    uint64
	// next is when the next heartbeat (running) or Register retry
	// (registering) is due.
	next     time.Duration
	deadline time.Duration
	// lifeline is when the next lifeline is due (running, lifeline on).
	lifeline time.Duration
	// sent counts heartbeats over every lifetime of the node.
	sent int64
	// interval and rpcTimeout are the Config's, kept here for the line.
	interval, rpcTimeout time.Duration
	// Line two: what a heartbeat carries. st is stats() as of the last
	// change (restat); CheckInvariants checks it.
	lifelineInterval time.Duration
	id               string
	st               proto.Stats

	// Line three: what Step and Ready look at besides.
	// xmits counts transfers in progress; receiving, blocks being received.
	xmits     int32
	receiving int32
	outbox    []proto.Message
	transfers []Transfer

	// blocks held, sorted, and the volume each is on.
	blocks []int32
	vols   []uint8
	// failed is the mask of failed volumes; nextVol, the volume the next
	// replica goes to.
	failed  uint64
	nextVol int
	// The Config's other settings, kept compactly: a simulated cluster
	// holds one DataNode per node, and a copy of the whole Config was a
	// third of one.
	registerRetry             time.Duration
	capacity, used, blockSize int64
	volumes, tolerated        int8 // Volumes (1 to 64) and FailedVolumesTolerated
	blockReports              bool

	lifelines int64
	// refusal keeps the NameNode's reason, for the runtime to report.
	refusal string
}

// New returns a stopped DataNode; Start boots it.
func New(cfg Config) (*DataNode, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &DataNode{blocks: slices.Clone(cfg.Blocks), id: cfg.ID,
		interval: cfg.HeartbeatInterval, rpcTimeout: cfg.RPCTimeout, lifelineInterval: cfg.LifelineInterval,
		registerRetry: cfg.RegisterRetry, capacity: cfg.Capacity, used: cfg.Used, blockSize: cfg.BlockSize,
		volumes: int8(cfg.Volumes), tolerated: int8(cfg.FailedVolumesTolerated), blockReports: cfg.BlockReports}
	slices.Sort(d.blocks)
	d.blocks = slices.Compact(d.blocks)
	d.vols = make([]uint8, len(d.blocks))
	for k := range d.vols {
		d.vols[k] = d.chooseVolume()
	}
	d.restat()
	return d, nil
}

// chooseVolume is RoundRobinVolumeChoosingPolicy over the working volumes.
func (d *DataNode) chooseVolume() uint8 {
	for {
		v := d.nextVol % int(d.volumes)
		d.nextVol++
		if d.failed&(1<<v) == 0 {
			return uint8(v)
		}
	}
}

// failedCount is how many volumes have failed.
func (d *DataNode) failedCount() int { return bits.OnesCount64(d.failed) }

// enoughVolumes is FsDatasetImpl.hasEnoughResource.
func (d *DataNode) enoughVolumes() bool {
	if d.tolerated < 0 {
		return d.failedCount() < int(d.volumes)
	}
	return d.failedCount() <= int(d.tolerated)
}

// FailVolumes fails k more of the node's volumes (the lowest-numbered
// working ones), as the DataNode's disk checker finds them: their
// replicas are gone. Within dfs.datanode.failed.volumes.tolerated the node
// reports a DISK_ERROR naming the lost replicas, sends a full block report
// at once, and carries on, its heartbeats counting the failed volumes;
// beyond it, it reports a FATAL_DISK_ERROR and shuts down
// (DataNode.handleDiskError). It returns how many replicas were lost.
func (d *DataNode) FailVolumes(now time.Duration, k int) int {
	for v := 0; v < int(d.volumes) && k > 0; v++ {
		if d.failed&(1<<v) == 0 {
			d.failed |= 1 << v
			k--
		}
	}
	var lost []int64
	keep := 0
	for j, b := range d.blocks {
		if d.failed&(1<<d.vols[j]) != 0 {
			lost = append(lost, int64(b))
			continue
		}
		d.blocks[keep], d.vols[keep] = b, d.vols[j]
		keep++
	}
	d.blocks, d.vols = d.blocks[:keep], d.vols[:keep]
	d.restat()
	report := proto.Message{Type: proto.TypeErrorReport, Node: d.id, Handle: d.handle, Code: proto.ErrorDisk, Blocks: lost}
	if !d.enoughVolumes() {
		report.Code, report.Blocks = proto.ErrorFatalDisk, nil
	}
	if d.phase == running {
		d.send(report)
		if report.Code == proto.ErrorDisk && d.blockReports {
			d.blockReport()
		}
	}
	if report.Code == proto.ErrorFatalDisk {
		d.shutdown = true
		d.phase = down
		d.awaiting = false
		d.transfers = d.transfers[:0]
	}
	return len(lost)
}

// ShutDown reports whether the node stopped itself for failed volumes; it
// does not start again.
func (d *DataNode) ShutDown() bool { return d.shutdown }

// FailedVolumes is how many of the node's volumes have failed.
func (d *DataNode) FailedVolumes() int { return d.failedCount() }

// Has reports whether the node holds a replica of block b.
func (d *DataNode) Has(b int64) bool {
	_, ok := slices.BinarySearch(d.blocks, int32(b))
	return ok
}

// Blocks returns the replicas held, sorted; valid until the next change.
func (d *DataNode) Blocks() []int32 { return d.blocks }

// Xmits is the number of transfers in progress.
func (d *DataNode) Xmits() int32 { return d.xmits }

// TransferDone ends one transfer this node was sending.
func (d *DataNode) TransferDone() {
	if d.xmits > 0 {
		d.xmits--
		d.restat()
	}
}

// ReceiveStart says a block began to arrive: it is an xceiver until
// ReceiveDone or ReceiveFailed.
func (d *DataNode) ReceiveStart() {
	if d.phase != down {
		d.receiving++
		d.restat()
	}
}

// ReceiveFailed ends a receipt that did not complete.
func (d *DataNode) ReceiveFailed() {
	if d.receiving > 0 {
		d.receiving--
		d.restat()
	}
}

// ReceiveDone ends a receipt begun by ReceiveStart: the replica is stored
// and, down a pipeline, forwarded to the next targets, as a DataXceiver
// mirrors what it receives.
func (d *DataNode) ReceiveDone(now time.Duration, b int64, downstream []string) {
	d.ReceiveFailed()
	if d.phase == down {
		return
	}
	if len(downstream) > 0 {
		d.transfers = append(d.transfers, Transfer{Block: b, Targets: downstream, Forward: true})
	}
	d.Receive(now, b)
}

// Receive stores a replica of block b (a transfer or a write reached the
// node) and, if running, reports it to the NameNode at once (an IBR).
func (d *DataNode) Receive(now time.Duration, b int64) {
	if d.phase == down {
		return
	}
	k, found := slices.BinarySearch(d.blocks, int32(b))
	if !found {
		d.blocks = slices.Insert(d.blocks, k, int32(b))
		d.vols = slices.Insert(d.vols, k, d.chooseVolume())
		d.restat()
	}
	if d.phase == running {
		d.send(proto.Message{Type: proto.TypeBlockReceived, Node: d.id, Handle: d.handle, Block: b})
	}
}

func (d *DataNode) invalidate(b int64) {
	if k, found := slices.BinarySearch(d.blocks, int32(b)); found {
		d.blocks = slices.Delete(d.blocks, k, k+1)
		d.vols = slices.Delete(d.vols, k, k+1)
		d.restat()
	}
}

func (d *DataNode) blockReport() {
	rep := make([]int64, len(d.blocks))
	for k, b := range d.blocks {
		rep[k] = int64(b)
	}
	d.send(proto.Message{Type: proto.TypeBlockReport, Node: d.id, Handle: d.handle, Blocks: rep})
}

// ID is the node's id.
func (d *DataNode) ID() string { return d.id }

// HeartbeatsSent counts heartbeats sent over all of the node's lives.
func (d *DataNode) HeartbeatsSent() int64 { return d.sent }

// LifelinesSent counts lifelines sent over all of the node's lives.
func (d *DataNode) LifelinesSent() int64 { return d.lifelines }

// Running reports whether the node is registered and heartbeating.
func (d *DataNode) Running() bool { return d.phase == running }

// Refusal is the NameNode's reason for refusing registration, if it did.
func (d *DataNode) Refusal() string { return d.refusal }

// Start boots a fresh process: sequence numbers start again and the node
// registers. Starting a running node restarts it.
func (d *DataNode) Start(now time.Duration) {
	if d.shutdown {
		return // "Too many failed volumes": it does not come up
	}
	d.seq = 0
	d.refusal = ""
	d.outbox = d.outbox[:0]
	d.register(now)
}

// Stop crashes the process: it forgets everything it was doing.
func (d *DataNode) Stop() {
	d.phase = down
	d.awaiting = false
	d.outbox = d.outbox[:0]
	d.xmits = 0
	d.receiving = 0
	d.transfers = d.transfers[:0]
	d.restat()
}

func (d *DataNode) register(now time.Duration) {
	d.phase = registering
	d.awaiting = false
	d.next = now + d.registerRetry
	d.send(proto.Message{
		Type:  proto.TypeRegister,
		Node:  d.id,
		Stats: d.stats(),
	})
}

// send queues m for Ready.
func (d *DataNode) send(m proto.Message) { d.outbox = append(d.outbox, m) }

// Trim lets go of the memory an empty outbox keeps for the next
// messages; it changes nothing else. Runtimes call it on a node that will
// send no message for long (pkg/sim: one whose heartbeats take the fast
// path): a large cluster's idle arrays were a third of a DataNode's
// memory, and dropping them at every Advance costs the busy ones an
// allocation per message.
func (d *DataNode) Trim() {
	if len(d.outbox) == 0 {
		d.outbox = nil
	}
}

// stats is what heartbeats carry: the last restat.
func (d *DataNode) stats() proto.Stats { return d.st }

// restat recomputes stats after a change to what they count.
func (d *DataNode) restat() { d.st = d.computeStats() }

// CheckInvariants checks that the stats heartbeats carry are current.
func (d *DataNode) CheckInvariants() error {
	if want := d.computeStats(); d.st != want {
		return fmt.Errorf("datanode %s: heartbeats carry stale stats %+v, want %+v", d.id, d.st, want)
	}
	return nil
}

func (d *DataNode) computeStats() proto.Stats {
	lost := d.capacity / int64(d.volumes) * int64(d.failedCount()) // the failed volumes' share
	return proto.Stats{Capacity: d.capacity - lost,
		Used: d.used + int64(len(d.blocks))*d.blockSize, Xmits: d.xmits, Blocks: int64(len(d.blocks)),
		Xceivers: 1 + d.receiving, FailedVolumes: int32(d.failedCount())}
}

// heartbeat starts one heartbeat call and schedules the next one interval
// after the start of this one. A node that was paused past several slots
// sends one heartbeat, not a burst: missed slots are not replayed.
func (d *DataNode) heartbeat(now time.Duration) {
	d.send(proto.Message{})
	d.SendHeartbeat(now, &d.outbox[len(d.outbox)-1])
}

// SendHeartbeat starts a heartbeat call at now and writes the heartbeat
// into m. For a node of which HeartbeatOnlyAt(now) holds it is Tick(now),
// Ready and Advance in one, without the outbox.
func (d *DataNode) SendHeartbeat(now time.Duration, m *proto.Message) {
	d.BeginHeartbeat(now)
	*m = proto.Message{Type: proto.TypeHeartbeat, Node: d.id, Handle: d.handle, Seq: d.seq, Stats: d.st}
}

// BeginHeartbeat starts a heartbeat call at now, for a node of which
// HeartbeatOnlyAt(now) holds, and returns its number; the heartbeat is
// HeartbeatFields. The node then wants to wake at WakeAfterHeartbeat(now).
// Runtimes that fuse a heartbeat's events use it to touch the node once,
// with no message built.
func (d *DataNode) BeginHeartbeat(now time.Duration) uint64 {
	d.seq++
	d.sent++
	d.next = now + d.interval
	d.awaiting = true
	d.deadline = now + d.rpcTimeout
	if d.lifelineInterval > 0 {
		d.lifeline = d.next + d.lifelineInterval
	}
	return d.seq
}

// HeartbeatFields is what a heartbeat carries besides its number: the
// node's id, the NameNode's handle for it and its stats.
func (d *DataNode) HeartbeatFields() (id string, handle uint32, st proto.Stats) {
	return d.id, d.handle, d.st
}

// TakeReply is Step, Ready and Advance in one for a HeartbeatReply to call
// seq that carries no command and lands at now, before the next heartbeat
// is due: it returns the wake-up Ready would. It reports false, having
// changed nothing, when the reply lands too late for that (use Step).
func (d *DataNode) TakeReply(now time.Duration, seq uint64) (time.Duration, bool) {
	if d.phase != running || now >= d.next {
		return 0, false
	}
	if d.awaiting && seq == d.seq {
		d.awaiting = false
	}
	return d.runningWake(d.awaiting, d.next, d.deadline, d.lifeline), true
}

// Tick does what is due at now.
func (d *DataNode) Tick(now time.Duration) {
	switch d.phase {
	case registering:
		if now >= d.next {
			d.register(now)
		}
	case running:
		if d.awaiting && now >= d.deadline {
			d.awaiting = false // give up on the call
		}
		if !d.awaiting && now >= d.next {
			d.heartbeat(now)
		}
		// The lifeline goes out only while no new heartbeat has started.
		if d.lifelineInterval > 0 && now >= d.lifeline {
			d.lifelines++
			d.lifeline = now + d.lifelineInterval
			d.send(proto.Message{
				Type: proto.TypeLifeline, Node: d.id, Handle: d.handle, Stats: d.stats(),
			})
		}
	}
}

// client serves the HDFS client's data transfer requests, which a running
// process's DataXceiverServer takes whether or not the node is
// registered: a read gets the replica or a refusal (RefusedNoReplica); a write's setup
// gets an ack, and its data is stored, reported to the NameNode (IBR) and
// acknowledged.
func (d *DataNode) client(now time.Duration, m proto.Message) {
	reply := proto.Message{Node: d.id, Client: m.Client, Call: m.Call, Seq: m.Seq, Block: m.Block}
	switch m.Type {
	case proto.TypeReadBlock:
		reply.Type = proto.TypeReadReply
		if !d.Has(m.Block) {
			reply.Refused = proto.RefusedNoReplica
		}
	case proto.TypeWriteBlock:
		reply.Type = proto.TypeWriteAck
		if m.Bytes > 0 {
			d.Receive(now, m.Block)
			reply.Bytes = m.Bytes
		}
	default:
		return
	}
	d.send(reply)
}

// Step handles a message from the NameNode or the HDFS client. Messages for another node, or
// of a kind a DataNode does not take, are ignored: a runtime's mistake must
// not corrupt the node.
func (d *DataNode) Step(now time.Duration, m proto.Message) {
	if d.phase == down || m.Node != d.id {
		return
	}
	if m.Type.FromClient() {
		d.client(now, m)
		return
	}
	switch m.Type {
	case proto.TypeRegisterReply:
		if d.phase != registering {
			return // a late duplicate reply
		}
		if m.Refused != "" {
			d.phase = refused
			d.refusal = m.Refused
			return
		}
		// HDFS heartbeats at once after registering.
		d.phase = running
		d.handle = m.Handle
		d.heartbeat(now)
		if d.blockReports {
			d.blockReport()
		}
	case proto.TypeHeartbeatReply:
		if d.phase != running {
			return
		}
		if d.awaiting && m.Seq == d.seq {
			d.awaiting = false
		}
		for _, c := range m.Commands {
			switch c.Action {
			case proto.ActionRegister:
				d.register(now)
				return
			case proto.ActionTransfer:
				if d.blockReports && d.Has(c.Block) && len(c.Pipeline()) > 0 {
					d.xmits++
					d.restat()
					d.transfers = append(d.transfers, Transfer{Block: c.Block, Targets: c.Pipeline()})
				}
			case proto.ActionInvalidate:
				d.invalidate(c.Block)
			}
		}
		// A call that overran its slot is followed by the next at once.
		if !d.awaiting && now >= d.next {
			d.heartbeat(now)
		}
	}
}

// Ready returns what the node wants done. The slice is valid until Advance.
func (d *DataNode) Ready() Ready {
	r := Ready{Messages: d.outbox, Transfers: d.transfers}
	switch d.phase {
	case registering:
		r.Wake = d.next
	case running:
		r.Wake = d.runningWake(d.awaiting, d.next, d.deadline, d.lifeline)
	}
	return r
}

// runningWake is a registered node's next wake-up: its next heartbeat, or
// its call's deadline while it waits in one, or its lifeline if sooner.
func (d *DataNode) runningWake(awaiting bool, next, deadline, lifeline time.Duration) time.Duration {
	w := next
	if awaiting {
		w = deadline // blocked in the call until then
	}
	if d.lifelineInterval > 0 {
		w = min(w, lifeline)
	}
	return w
}

// HeartbeatOnlyAt reports whether Tick(now) would do nothing but start one
// heartbeat call: the node is registered, no call is outstanding and the
// heartbeat is due (a due heartbeat resets the lifeline, so none goes
// out). Runtimes use it to fuse a heartbeat's events (pkg/sim's fast
// path); the rule stays here.
func (d *DataNode) HeartbeatOnlyAt(now time.Duration) bool {
	return d.phase == running && !d.awaiting && now >= d.next
}

// WakeAfterHeartbeat is the wake-up the node will ask for once it has
// started a heartbeat at t (see HeartbeatOnlyAt): nothing happens to it
// before then unless a message reaches it.
func (d *DataNode) WakeAfterHeartbeat(t time.Duration) time.Duration {
	next := t + d.interval
	return d.runningWake(true, next, t+d.rpcTimeout, next+d.lifelineInterval)
}

// NextHeartbeat is when the node's next heartbeat is due (meaningful
// while it is registered).
func (d *DataNode) NextHeartbeat() time.Duration { return d.next }

// Advance tells the node its messages were taken.
func (d *DataNode) Advance() {
	d.outbox = d.outbox[:0]
	d.transfers = d.transfers[:0]
}

// Handle is the NameNode's number for the node (0 before registration),
// which its heartbeats echo.
func (d *DataNode) Handle() uint32 { return d.handle }

// Interval is the node's heartbeat interval.
func (d *DataNode) Interval() time.Duration { return d.interval }

// SteadyRoundTrip is the longest round trip for which a heartbeat's reply
// lands inside its call and before the next heartbeat is due: heartbeats
// whose round trips stay within it follow one another every interval,
// each answered before the next (what SkipHeartbeats stands for).
func (d *DataNode) SteadyRoundTrip() time.Duration { return min(d.rpcTimeout, d.interval-1) }

// SkipHeartbeats is n steady heartbeats at once: calls started at first,
// first+interval, …, each answered by a plain reply within
// SteadyRoundTrip. The node is left as the last reply left it, its next
// heartbeat due an interval after the last. It reports false, having
// changed nothing, unless HeartbeatOnlyAt(first).
func (d *DataNode) SkipHeartbeats(first time.Duration, n uint64) bool {
	if n == 0 || !d.HeartbeatOnlyAt(first) {
		return false
	}
	d.seq += n - 1
	d.sent += int64(n - 1)
	d.BeginHeartbeat(first + time.Duration(n-1)*d.interval)
	d.awaiting = false
	return true
}
