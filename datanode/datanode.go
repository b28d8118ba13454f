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
//
// A simulated cluster holds one DataNode per node, up to a million, so
// the struct keeps only what every node needs, in one 64-byte cache line:
// the settings live in a profile shared by every node configured alike
// (Profiles), and the outbox, replicas, volumes, transfers and lifelines
// in an extra allocated when the node has any and dropped by Trim when it
// has none left. A heartbeat touches the node's line and the profile.
type DataNode struct {
	phase phase
	// awaiting is true while heartbeat seq waits for its reply, until
	// its deadline (deadline).
	awaiting bool
	// shutdown is set once the node stopped itself (too many failed
	// volumes); it will not start again.
	shutdown bool
	// handle is the NameNode's number for us, echoed in heartbeats.
	handle uint32
	seq    uint64
	// next is when the next heartbeat (running) or Register retry
	// (registering) is due.
	next time.Duration
	// sent counts heartbeats over every lifetime of the node.
	sent int64
	p    *profile
	id   string
	// x is nil while the node has nothing to send and no storage to
	// speak of: a node whose heartbeats a runtime fuses (Trim), in a
	// cluster without a block layer.
	x *extra
}

// profile is the settings of a Config that nodes configured alike share:
// everything but ID and Blocks. It is comparable, so Profiles can key
// on it.
type profile struct {
	interval, rpcTimeout, registerRetry, lifelineInterval time.Duration
	capacity, used, blockSize                             int64
	volumes, tolerated                                    int8 // Volumes (1 to 64) and FailedVolumesTolerated
	blockReports                                          bool
}

func profileOf(cfg *Config) profile {
	return profile{interval: cfg.HeartbeatInterval, rpcTimeout: cfg.RPCTimeout, registerRetry: cfg.RegisterRetry,
		lifelineInterval: cfg.LifelineInterval, capacity: cfg.Capacity, used: cfg.Used, blockSize: cfg.BlockSize,
		volumes: int8(cfg.Volumes), tolerated: int8(cfg.FailedVolumesTolerated), blockReports: cfg.BlockReports}
}

// extra is what a node needs beyond heartbeats: its outbox, storage and
// data transfers, its lifelines, and the NameNode's refusal.
type extra struct {
	// lifeline is when the next lifeline is due (running, lifeline on);
	// lifelines counts them over every lifetime of the node.
	lifeline  time.Duration
	lifelines int64
	outbox    []proto.Message
	// refusal keeps the NameNode's reason, for the runtime to report.
	refusal string
	// blocks held, sorted, and the volume each is on.
	blocks []int32
	vols   []uint8
	// failed is the mask of failed volumes; nextVol, the volume the next
	// replica goes to.
	failed  uint64
	nextVol int
	// xmits counts transfers in progress; receiving, blocks being received.
	xmits, receiving int32
	transfers        []Transfer
}

// Profiles builds DataNodes that share the settings they have in common:
// a runtime that builds many nodes from a few configurations (pkg/sim)
// builds them all with one Profiles. The zero value is ready to use.
type Profiles struct {
	m map[profile]*profile
}

// Init makes *d a stopped DataNode of cfg; Start boots it. d is
// overwritten, so a runtime can build its nodes in place in one array.
func (ps *Profiles) Init(d *DataNode, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	key := profileOf(&cfg)
	p := ps.m[key]
	if p == nil {
		if ps.m == nil {
			ps.m = map[profile]*profile{}
		}
		p = &key
		ps.m[key] = p
	}
	*d = DataNode{id: cfg.ID, p: p}
	if len(cfg.Blocks) > 0 {
		k := d.store()
		k.blocks = slices.Clone(cfg.Blocks)
		slices.Sort(k.blocks)
		k.blocks = slices.Compact(k.blocks)
		k.vols = make([]uint8, len(k.blocks))
		for j := range k.vols {
			k.vols[j] = d.chooseVolume()
		}
	}
	return nil
}

// New returns a stopped DataNode; Start boots it.
func New(cfg Config) (*DataNode, error) {
	var ps Profiles
	d := new(DataNode)
	if err := ps.Init(d, cfg); err != nil {
		return nil, err
	}
	return d, nil
}

// store is the node's extra, made on first use.
func (d *DataNode) store() *extra {
	if d.x == nil {
		d.x = new(extra)
	}
	return d.x
}

// deadline is when the outstanding heartbeat call gives up: its timeout
// after it started, an interval before the next is due.
func (d *DataNode) deadline() time.Duration { return d.next - d.p.interval + d.p.rpcTimeout }

// chooseVolume is RoundRobinVolumeChoosingPolicy over the working volumes.
func (d *DataNode) chooseVolume() uint8 {
	k := d.store()
	for {
		v := k.nextVol % int(d.p.volumes)
		k.nextVol++
		if k.failed&(1<<v) == 0 {
			return uint8(v)
		}
	}
}

// failedCount is how many volumes have failed.
func (d *DataNode) failedCount() int {
	if d.x == nil {
		return 0
	}
	return bits.OnesCount64(d.x.failed)
}

// enoughVolumes is FsDatasetImpl.hasEnoughResource.
func (d *DataNode) enoughVolumes() bool {
	if d.p.tolerated < 0 {
		return d.failedCount() < int(d.p.volumes)
	}
	return d.failedCount() <= int(d.p.tolerated)
}

// FailVolumes fails k more of the node's volumes (the lowest-numbered
// working ones), as the DataNode's disk checker finds them: their
// replicas are gone. Within dfs.datanode.failed.volumes.tolerated the node
// reports a DISK_ERROR naming the lost replicas, sends a full block report
// at once, and carries on, its heartbeats counting the failed volumes;
// beyond it, it reports a FATAL_DISK_ERROR and shuts down
// (DataNode.handleDiskError). It returns how many replicas were lost.
func (d *DataNode) FailVolumes(now time.Duration, k int) int {
	dk := d.store()
	for v := 0; v < int(d.p.volumes) && k > 0; v++ {
		if dk.failed&(1<<v) == 0 {
			dk.failed |= 1 << v
			k--
		}
	}
	var lost []int64
	keep := 0
	for j, b := range dk.blocks {
		if dk.failed&(1<<dk.vols[j]) != 0 {
			lost = append(lost, int64(b))
			continue
		}
		dk.blocks[keep], dk.vols[keep] = b, dk.vols[j]
		keep++
	}
	dk.blocks, dk.vols = dk.blocks[:keep], dk.vols[:keep]
	report := proto.Message{Type: proto.TypeErrorReport, Node: d.id, Handle: d.handle, Code: proto.ErrorDisk, Blocks: lost}
	if !d.enoughVolumes() {
		report.Code, report.Blocks = proto.ErrorFatalDisk, nil
	}
	if d.phase == running {
		d.send(report)
		if report.Code == proto.ErrorDisk && d.p.blockReports {
			d.blockReport()
		}
	}
	if report.Code == proto.ErrorFatalDisk {
		d.shutdown = true
		d.phase = down
		d.awaiting = false
		dk.transfers = dk.transfers[:0]
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
	_, ok := slices.BinarySearch(d.Blocks(), int32(b))
	return ok
}

// Blocks returns the replicas held, sorted; valid until the next change.
func (d *DataNode) Blocks() []int32 {
	if d.x == nil {
		return nil
	}
	return d.x.blocks
}

// Xmits is the number of transfers in progress.
func (d *DataNode) Xmits() int32 {
	if d.x == nil {
		return 0
	}
	return d.x.xmits
}

// TransferDone ends one transfer this node was sending.
func (d *DataNode) TransferDone() {
	if d.x != nil && d.x.xmits > 0 {
		d.x.xmits--
	}
}

// ReceiveStart says a block began to arrive: it is an xceiver until
// ReceiveDone or ReceiveFailed.
func (d *DataNode) ReceiveStart() {
	if d.phase != down {
		d.store().receiving++
	}
}

// ReceiveFailed ends a receipt that did not complete.
func (d *DataNode) ReceiveFailed() {
	if d.x != nil && d.x.receiving > 0 {
		d.x.receiving--
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
		dk := d.store()
		dk.transfers = append(dk.transfers, Transfer{Block: b, Targets: downstream, Forward: true})
	}
	d.Receive(now, b)
}

// Receive stores a replica of block b (a transfer or a write reached the
// node) and, if running, reports it to the NameNode at once (an IBR).
func (d *DataNode) Receive(now time.Duration, b int64) {
	if d.phase == down {
		return
	}
	dk := d.store()
	k, found := slices.BinarySearch(dk.blocks, int32(b))
	if !found {
		v := d.chooseVolume()
		dk.blocks = slices.Insert(dk.blocks, k, int32(b))
		dk.vols = slices.Insert(dk.vols, k, v)
	}
	if d.phase == running {
		d.send(proto.Message{Type: proto.TypeBlockReceived, Node: d.id, Handle: d.handle, Block: b})
	}
}

func (d *DataNode) invalidate(b int64) {
	if d.x == nil {
		return
	}
	dk := d.x
	if k, found := slices.BinarySearch(dk.blocks, int32(b)); found {
		dk.blocks = slices.Delete(dk.blocks, k, k+1)
		dk.vols = slices.Delete(dk.vols, k, k+1)
	}
}

func (d *DataNode) blockReport() {
	blocks := d.Blocks()
	rep := make([]int64, len(blocks))
	for k, b := range blocks {
		rep[k] = int64(b)
	}
	d.send(proto.Message{Type: proto.TypeBlockReport, Node: d.id, Handle: d.handle, Blocks: rep})
}

// ID is the node's id.
func (d *DataNode) ID() string { return d.id }

// HeartbeatsSent counts heartbeats sent over all of the node's lives.
func (d *DataNode) HeartbeatsSent() int64 { return d.sent }

// LifelinesSent counts lifelines sent over all of the node's lives.
func (d *DataNode) LifelinesSent() int64 {
	if d.x == nil {
		return 0
	}
	return d.x.lifelines
}

// lifeline is when the next lifeline is due (running, lifeline on).
func (d *DataNode) lifeline() time.Duration {
	if d.x == nil {
		return 0
	}
	return d.x.lifeline
}

// Running reports whether the node is registered and heartbeating.
func (d *DataNode) Running() bool { return d.phase == running }

// Refusal is the NameNode's reason for refusing registration, if it did.
func (d *DataNode) Refusal() string {
	if d.x == nil {
		return ""
	}
	return d.x.refusal
}

// Start boots a fresh process: sequence numbers start again and the node
// registers. Starting a running node restarts it.
func (d *DataNode) Start(now time.Duration) {
	if d.shutdown {
		return // "Too many failed volumes": it does not come up
	}
	d.seq = 0
	if d.x != nil {
		d.x.refusal = ""
		d.x.outbox = d.x.outbox[:0]
	}
	d.register(now)
}

// Stop crashes the process: it forgets everything it was doing.
func (d *DataNode) Stop() {
	d.phase = down
	d.awaiting = false
	if d.x != nil {
		d.x.outbox = d.x.outbox[:0]
		d.x.xmits = 0
		d.x.receiving = 0
		d.x.transfers = d.x.transfers[:0]
	}
}

func (d *DataNode) register(now time.Duration) {
	d.phase = registering
	d.awaiting = false
	d.next = now + d.p.registerRetry
	d.send(proto.Message{
		Type:  proto.TypeRegister,
		Node:  d.id,
		Stats: d.stats(),
	})
}

// send queues m for Ready.
func (d *DataNode) send(m proto.Message) {
	x := d.store()
	x.outbox = append(x.outbox, m)
}

// Trim lets go of the node's extra (its outbox's array) when it holds
// nothing: no message, replica, failed volume, transfer, lifeline or
// refusal; it changes nothing else. Runtimes call it on a node that will
// send no message for long (pkg/sim: one whose heartbeats take the fast
// path): a large cluster's idle arrays were a third of a DataNode's
// memory, and dropping them at every Advance costs the busy ones an
// allocation per message.
func (d *DataNode) Trim() {
	if x := d.x; x != nil && len(x.outbox) == 0 && x.refusal == "" && len(x.blocks) == 0 && x.failed == 0 &&
		x.nextVol == 0 && x.xmits == 0 && x.receiving == 0 && len(x.transfers) == 0 && x.lifeline == 0 && x.lifelines == 0 {
		d.x = nil
	}
}

// stats is what heartbeats carry. It is computed at each heartbeat, from
// the shared profile and an extra few idle nodes have, rather than kept: a
// million nodes' copies were 40 MB.
func (d *DataNode) stats() proto.Stats {
	p := d.p
	if d.x == nil {
		return proto.Stats{Capacity: p.capacity, Used: p.used, Xceivers: 1}
	}
	dk := d.x
	failed := bits.OnesCount64(dk.failed)
	lost := p.capacity / int64(p.volumes) * int64(failed) // the failed volumes' share
	return proto.Stats{Capacity: p.capacity - lost,
		Used: p.used + int64(len(dk.blocks))*p.blockSize, Xmits: dk.xmits, Blocks: int64(len(dk.blocks)),
		Xceivers: 1 + dk.receiving, FailedVolumes: int32(failed)}
}

// CheckInvariants checks the node's own consistency: replicas sorted and
// unique, each on a working volume; counters not negative; a call
// outstanding only while registered.
func (d *DataNode) CheckInvariants() error {
	if d.awaiting && d.phase != running {
		return fmt.Errorf("datanode %s: waiting for a heartbeat reply while not running", d.id)
	}
	dk := d.x
	if dk == nil {
		return nil
	}
	if len(dk.vols) != len(dk.blocks) {
		return fmt.Errorf("datanode %s: %d replicas on %d volumes", d.id, len(dk.blocks), len(dk.vols))
	}
	for j, b := range dk.blocks {
		if j > 0 && dk.blocks[j-1] >= b {
			return fmt.Errorf("datanode %s: replicas not sorted and unique at %d", d.id, b)
		}
		if v := dk.vols[j]; int(v) >= int(d.p.volumes) || dk.failed&(1<<v) != 0 {
			return fmt.Errorf("datanode %s: replica %d on volume %d, which is failed or absent", d.id, b, v)
		}
	}
	if dk.xmits < 0 || dk.receiving < 0 {
		return fmt.Errorf("datanode %s: %d transfers, %d receipts in progress", d.id, dk.xmits, dk.receiving)
	}
	return nil
}

// heartbeat starts one heartbeat call and schedules the next one interval
// after the start of this one. A node that was paused past several slots
// sends one heartbeat, not a burst: missed slots are not replayed.
func (d *DataNode) heartbeat(now time.Duration) {
	d.send(proto.Message{})
	d.SendHeartbeat(now, &d.x.outbox[len(d.x.outbox)-1])
}

// SendHeartbeat starts a heartbeat call at now and writes the heartbeat
// into m. For a node of which HeartbeatOnlyAt(now) holds it is Tick(now),
// Ready and Advance in one, without the outbox.
func (d *DataNode) SendHeartbeat(now time.Duration, m *proto.Message) {
	d.BeginHeartbeat(now)
	*m = proto.Message{Type: proto.TypeHeartbeat, Node: d.id, Handle: d.handle, Seq: d.seq, Stats: d.stats()}
}

// BeginHeartbeat starts a heartbeat call at now, for a node of which
// HeartbeatOnlyAt(now) holds, and returns its number; the heartbeat is
// HeartbeatFields. The node then wants to wake at WakeAfterHeartbeat(now).
// Runtimes that fuse a heartbeat's events use it to touch the node once,
// with no message built.
func (d *DataNode) BeginHeartbeat(now time.Duration) uint64 {
	d.seq++
	d.sent++
	d.next = now + d.p.interval
	d.awaiting = true
	if d.p.lifelineInterval > 0 {
		d.store().lifeline = d.next + d.p.lifelineInterval
	}
	return d.seq
}

// HeartbeatFields is what a heartbeat carries besides its number: the
// node's id, the NameNode's handle for it and its stats.
func (d *DataNode) HeartbeatFields() (id string, handle uint32, st proto.Stats) {
	return d.id, d.handle, d.stats()
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
	return d.runningWake(d.awaiting, d.next, d.deadline(), d.lifeline()), true
}

// Tick does what is due at now.
func (d *DataNode) Tick(now time.Duration) {
	switch d.phase {
	case registering:
		if now >= d.next {
			d.register(now)
		}
	case running:
		if d.awaiting && now >= d.deadline() {
			d.awaiting = false // give up on the call
		}
		if !d.awaiting && now >= d.next {
			d.heartbeat(now)
		}
		// The lifeline goes out only while no new heartbeat has started.
		if d.p.lifelineInterval > 0 && now >= d.lifeline() {
			x := d.store()
			x.lifelines++
			x.lifeline = now + d.p.lifelineInterval
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
			d.store().refusal = m.Refused
			return
		}
		// HDFS heartbeats at once after registering.
		d.phase = running
		d.handle = m.Handle
		d.heartbeat(now)
		if d.p.blockReports {
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
				if d.p.blockReports && d.Has(c.Block) && len(c.Pipeline()) > 0 {
					dk := d.store()
					dk.xmits++
					dk.transfers = append(dk.transfers, Transfer{Block: c.Block, Targets: c.Pipeline()})
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
	var r Ready
	if d.x != nil {
		r.Messages, r.Transfers = d.x.outbox, d.x.transfers
	}
	switch d.phase {
	case registering:
		r.Wake = d.next
	case running:
		r.Wake = d.runningWake(d.awaiting, d.next, d.deadline(), d.lifeline())
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
	if d.p.lifelineInterval > 0 {
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
	p := d.p
	next := t + p.interval
	return d.runningWake(true, next, t+p.rpcTimeout, next+p.lifelineInterval)
}

// NextHeartbeat is when the node's next heartbeat is due (meaningful
// while it is registered).
func (d *DataNode) NextHeartbeat() time.Duration { return d.next }

// Advance tells the node its messages were taken.
func (d *DataNode) Advance() {
	if d.x != nil {
		d.x.outbox = d.x.outbox[:0]
		d.x.transfers = d.x.transfers[:0]
	}
}

// Handle is the NameNode's number for the node (0 before registration),
// which its heartbeats echo.
func (d *DataNode) Handle() uint32 { return d.handle }

// Interval is the node's heartbeat interval.
func (d *DataNode) Interval() time.Duration { return d.p.interval }

// SteadyRoundTrip is the longest round trip for which a heartbeat's reply
// lands inside its call and before the next heartbeat is due: heartbeats
// whose round trips stay within it follow one another every interval,
// each answered before the next (what SkipHeartbeats stands for).
func (d *DataNode) SteadyRoundTrip() time.Duration { return min(d.p.rpcTimeout, d.p.interval-1) }

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
	d.BeginHeartbeat(first + time.Duration(n-1)*d.p.interval)
	d.awaiting = false
	return true
}
