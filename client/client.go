package client

import (
	"container/heap"
	"fmt"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// Op is what an operation does.
type Op uint8

// Operations.
const (
	OpRead Op = iota + 1
	OpWrite
)

func (o Op) String() string {
	switch o {
	case OpRead:
		return "read"
	case OpWrite:
		return "write"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Result is how one operation ended.
type Result struct {
	Op    Op
	Call  uint64
	Block int64
	// Latency is from the call to its end.
	Latency time.Duration
	// Refused is the NameNode's refusal of an operation that never
	// started (safe mode, no such block); such an operation is neither
	// done nor failed.
	Refused string
	// Failed: a read found no replica it could read (BlockMissingException)
	// or a write stored no replica.
	Failed bool
	// Rerouted: a read that succeeded after some location failed.
	Rerouted bool
	// Recovered: a write that lost a node of its pipeline on the way
	// (setup retried or pipeline recovered).
	Recovered bool
	// Stored is how many replicas a write left.
	Stored int
}

// Ready is what the client wants done.
type Ready struct {
	// Messages to the NameNode (Node empty) and to DataNodes (Node set).
	Messages []proto.Message
	// Results of the operations that ended since the last Advance.
	Results []Result
	// Wake is when a timer of the client is due (0: none).
	Wake time.Duration
}

// phase is where an operation stands.
type phase uint8

const (
	locating   phase = iota // waiting for the NameNode
	refetching              // a read waiting to ask for the locations again
	trying                  // a read waiting for a DataNode
	settingUp               // a write waiting for its pipeline's setup acks
	streaming               // a write waiting for its pipeline's data acks
	replacing               // a write waiting for a replacement node
)

// maxPipelineRecoveries bounds a write's pipeline recoveries, as
// DataStreamer gives up after five for one packet
// (pipelineRecoveryCount).
const maxPipelineRecoveries = 5

// op is one operation in flight.
type op struct {
	kind  Op
	call  uint64
	seq   uint64 // the attempt; replies to an earlier one are stale
	start time.Duration
	phase phase
	block int64

	in     *InputStream // a read's state
	trying string
	failed int // locations tried in vain

	pipeline   []string // a write's pipeline, and which of its nodes acked
	acked      []bool
	replica    int // the replication asked for (the first pipeline's length)
	excluded   []string
	setups     int // pipeline setups tried
	recoveries int // replacement nodes asked for
	recovered  bool
}

// Client is the HDFS client as a pure machine: it reads blocks as
// DFSInputStream does and writes them as DataStreamer does, talking to
// the NameNode and the DataNodes by messages only. Read and Write start
// operations; Step takes replies; Tick fires timers; Ready says what to
// send and which operations ended.
type Client struct {
	cfg     Config
	calls   uint64
	ops     map[uint64]*op
	timers  timerHeap
	out     []proto.Message
	results []Result
	blocks  int64
	retry   uint64 // key of the refetch waits' draws
}

// New returns a client with nothing in flight.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, ops: map[uint64]*op{}, blocks: int64(cfg.Blocks),
		retry: rng.Key(cfg.Seed, rng.ClientRetry, 0)}, nil
}

// Blocks is how many block numbers the client knows of: those that
// existed at start and those its writes were given.
func (c *Client) Blocks() int64 { return c.blocks }

// InFlight is how many operations are under way.
func (c *Client) InFlight() int { return len(c.ops) }

func (c *Client) begin(now time.Duration, kind Op) *op {
	c.calls++
	o := &op{kind: kind, call: c.calls, start: now}
	c.ops[o.call] = o
	return o
}

// toNameNode sends a ClientProtocol call of o.
func (c *Client) toNameNode(o *op, t proto.Type, nodes []string) {
	o.phase = locating
	c.out = append(c.out, proto.Message{Type: t, Client: c.cfg.ID, Call: o.call, Seq: o.seq, Block: o.block, Nodes: nodes})
}

// toDataNode sends a data transfer request of o to node.
func (c *Client) toDataNode(o *op, t proto.Type, node string, bytes int64) {
	c.out = append(c.out, proto.Message{Type: t, Node: node, Client: c.cfg.ID, Call: o.call, Seq: o.seq, Block: o.block, Bytes: bytes})
}

// arm sets o's one timer.
func (c *Client) arm(o *op, at time.Duration) {
	heap.Push(&c.timers, timer{at: at, call: o.call, seq: o.seq})
}

func (c *Client) end(now time.Duration, o *op, r Result) {
	r.Op, r.Call, r.Block, r.Latency = o.kind, o.call, o.block, now-o.start
	c.results = append(c.results, r)
	delete(c.ops, o.call)
}

// Read starts a read of block b: the NameNode is asked for its locations.
func (c *Client) Read(now time.Duration, b int64) {
	o := c.begin(now, OpRead)
	o.block = b
	c.toNameNode(o, proto.TypeGetLocations, nil)
}

// Write starts a write of a new block: the NameNode is asked for one and
// its pipeline.
func (c *Client) Write(now time.Duration) {
	o := c.begin(now, OpWrite)
	o.block = -1
	c.toNameNode(o, proto.TypeAddBlock, nil)
}

// Step takes a reply from the NameNode or a DataNode. Replies to an
// attempt that was given up on are ignored, as a real client's closed
// socket drops them.
func (c *Client) Step(now time.Duration, m proto.Message) {
	o := c.ops[m.Call]
	if o == nil || m.Client != c.cfg.ID || m.Seq != o.seq {
		return
	}
	switch {
	case m.Type == proto.TypeLocatedBlock && o.phase == locating:
		if o.kind == OpRead {
			c.located(now, o, m)
		} else {
			c.allocated(now, o, m)
		}
	case m.Type == proto.TypeLocatedBlock && o.phase == replacing:
		c.replaced(now, o, m)
	case m.Type == proto.TypeReadReply && o.phase == trying && m.Node == o.trying:
		out := Read
		if m.Refused != "" {
			out = NoReplica
		}
		c.tried(now, o, out)
	case m.Type == proto.TypeWriteAck && (o.phase == settingUp && m.Bytes == 0 || o.phase == streaming && m.Bytes > 0):
		if k := slices.Index(o.pipeline, m.Node); k >= 0 && !o.acked[k] {
			o.acked[k] = true
			if !slices.Contains(o.acked, false) {
				c.acked(now, o)
			}
		}
	}
}

// Tick fires the timers due at now.
func (c *Client) Tick(now time.Duration) {
	for len(c.timers) > 0 && c.timers[0].at <= now {
		t := heap.Pop(&c.timers).(timer)
		o := c.ops[t.call]
		if o == nil || o.seq != t.seq {
			continue // the attempt ended before its timer
		}
		switch o.phase {
		case refetching:
			o.seq++
			c.toNameNode(o, proto.TypeGetLocations, nil)
		case trying:
			c.tried(now, o, NoAnswer) // the socket timeout
		case settingUp:
			c.setupFailed(now, o)
		case streaming:
			c.streamFailed(now, o)
		}
	}
}

// Ready returns what the client wants done; valid until Advance. Timers
// of attempts that ended are dropped first, so Wake is a timer that
// matters.
func (c *Client) Ready() Ready {
	for len(c.timers) > 0 {
		t := c.timers[0]
		if o := c.ops[t.call]; o != nil && o.seq == t.seq {
			break
		}
		heap.Pop(&c.timers)
	}
	r := Ready{Messages: c.out, Results: c.results}
	if len(c.timers) > 0 {
		r.Wake = c.timers[0].at
	}
	return r
}

// Advance tells the client its outputs were taken.
func (c *Client) Advance() {
	c.out = c.out[:0]
	c.results = c.results[:0]
}

// located takes a read's locations: the first ones start its
// InputStream; a refetch's replace them.
func (c *Client) located(now time.Duration, o *op, m proto.Message) {
	if m.Refused != "" {
		if o.in == nil {
			c.end(now, o, Result{Refused: m.Refused})
			return
		}
		m.Nodes = nil // the block went away: nothing to try
	}
	if o.in == nil {
		o.in = NewInputStream(c.cfg.Read, m.Nodes)
	} else {
		o.in.Refetched(m.Nodes)
	}
	c.nextLocation(now, o)
}

// nextLocation carries out the InputStream's next step.
func (c *Client) nextLocation(now time.Duration, o *op) {
	step := o.in.Next()
	switch {
	case step.Missing:
		c.end(now, o, Result{Failed: true})
	case step.Refetch:
		o.phase = refetching
		o.seq++
		c.arm(o, now+o.in.Wait(rng.Float64(c.retry, o.call<<8|uint64(o.in.Failures()))))
	default:
		o.phase = trying
		o.trying = step.Node
		o.seq++
		c.toDataNode(o, proto.TypeReadBlock, step.Node, 0)
		c.arm(o, now+c.cfg.Read.SocketTimeout)
	}
}

// tried records the outcome of a read's try.
func (c *Client) tried(now time.Duration, o *op, out Outcome) {
	if done, _ := o.in.Tried(o.trying, out); done {
		c.end(now, o, Result{Rerouted: o.failed > 0})
		return
	}
	o.failed++
	c.nextLocation(now, o)
}

// allocated takes a new block and its pipeline, and sets the pipeline
// up: every node must acknowledge within the socket timeout.
func (c *Client) allocated(now time.Duration, o *op, m proto.Message) {
	o.block = m.Block
	c.blocks = max(c.blocks, m.Block+1)
	switch {
	case m.Refused == proto.RefusedSafeMode && o.setups == 0:
		c.end(now, o, Result{Refused: m.Refused})
		return
	case m.Refused != "" || len(m.Nodes) == 0:
		if m.Block >= 0 {
			c.toNameNode(o, proto.TypeAbandonBlock, nil)
		}
		c.end(now, o, Result{Failed: true, Recovered: o.recovered})
		return
	}
	o.setups++
	if o.replica == 0 {
		o.replica = len(m.Nodes)
	}
	c.send(now, o, settingUp, m.Nodes, 0, c.cfg.Read.SocketTimeout)
}

// send sends WriteBlock to every node of a pipeline and arms the wait for
// their acks.
func (c *Client) send(now time.Duration, o *op, p phase, nodes []string, bytes int64, wait time.Duration) {
	o.phase = p
	o.seq++
	o.pipeline = append(o.pipeline[:0], nodes...)
	o.acked = append(o.acked[:0], make([]bool, len(nodes))...)
	for _, id := range nodes {
		c.toDataNode(o, proto.TypeWriteBlock, id, bytes)
	}
	c.arm(o, now+wait)
}

// acked moves a write on once its whole pipeline answered.
func (c *Client) acked(now time.Duration, o *op) {
	if o.phase == settingUp {
		c.send(now, o, streaming, o.pipeline, c.cfg.BlockSize, c.cfg.Read.SocketTimeout+c.cfg.streamTime())
		return
	}
	c.complete(now, o, o.pipeline)
}

// setupFailed is createBlockOutputStream failing: the first node that did
// not answer is the bad link; DataStreamer.nextBlockOutputStream abandons
// the block and asks for another without that node, at most
// BlockWriteRetries times.
func (c *Client) setupFailed(now time.Duration, o *op) {
	o.recovered = true
	bad := o.pipeline[slices.Index(o.acked, false)]
	o.excluded = append(o.excluded, bad)
	c.toNameNode(o, proto.TypeAbandonBlock, nil)
	if o.setups > c.cfg.BlockWriteRetries {
		c.end(now, o, Result{Failed: true, Recovered: true})
		return
	}
	o.seq++
	o.block = -1
	c.toNameNode(o, proto.TypeAddBlock, slices.Clone(o.excluded))
}

// streamFailed is a pipeline losing nodes while the data flows: the
// nodes that acknowledged go on; ReplaceDatanodeOnFailure says whether to
// ask the NameNode for one more (getAdditionalDatanode), which then gets
// the data too.
func (c *Client) streamFailed(now time.Duration, o *op) {
	o.recovered = true
	var good []string
	for k, id := range o.pipeline {
		if o.acked[k] {
			good = append(good, id)
		}
	}
	switch {
	case len(good) == 0:
		c.toNameNode(o, proto.TypeAbandonBlock, nil)
		c.end(now, o, Result{Failed: true, Recovered: true})
	case o.recoveries < maxPipelineRecoveries && c.cfg.Replace.Replace(o.replica, len(good), false):
		o.recoveries++
		o.pipeline = good
		o.acked = o.acked[:len(good)]
		for k := range o.acked {
			o.acked[k] = true
		}
		o.seq++
		c.toNameNode(o, proto.TypeAddDatanode, slices.Clone(good))
		o.phase = replacing
	default:
		c.complete(now, o, good)
	}
}

// replaced takes the replacement node, if any: it joins the pipeline and
// gets the data (HDFS copies the partial replica to it from a pipeline
// node; here the client sends it).
func (c *Client) replaced(now time.Duration, o *op, m proto.Message) {
	if len(m.Nodes) == 0 {
		c.complete(now, o, slices.Clone(o.pipeline))
		return
	}
	o.phase = streaming
	o.seq++
	o.pipeline = append(o.pipeline, m.Nodes[0])
	o.acked = append(o.acked, false)
	c.toDataNode(o, proto.TypeWriteBlock, m.Nodes[0], c.cfg.BlockSize)
	c.arm(o, now+c.cfg.Read.SocketTimeout+c.cfg.streamTime())
}

// complete closes the block with the nodes that stored it.
func (c *Client) complete(now time.Duration, o *op, stored []string) {
	c.toNameNode(o, proto.TypeComplete, slices.Clone(stored))
	c.end(now, o, Result{Recovered: o.recovered, Stored: len(stored)})
}

// timer is one armed timer of an operation's attempt.
type timer struct {
	at   time.Duration
	call uint64
	seq  uint64
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(a, b int) bool {
	if h[a].at != h[b].at {
		return h[a].at < h[b].at
	}
	return h[a].call < h[b].call
}
func (h timerHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
