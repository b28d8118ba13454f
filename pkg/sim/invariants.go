package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/trace"
)

// checker checks a run's invariants after every event (Options.
// CheckInvariants, hbsim run --check-invariants): a violation stops the
// run with the event, the time and the rule.
//
//   - Time never goes backwards.
//   - The NameNode's and the DataNodes' bookkeeping is consistent
//     (namenode.CheckInvariants: node counts; CheckBlockInvariants: the
//     block map's indexes and under-replicated and missing counts;
//     datanode.CheckInvariants).
//   - No TRANSFER targets a node that holds the block or is already a
//     pending target for it: a TRANSFER's targets are the block's pending
//     targets, which CheckBlockInvariants checks are neither in the
//     block map nor listed twice.
//   - No block is counted missing while a node the NameNode believes live
//     holds it and has told the NameNode so (no report of it in flight).
//   - The block map agrees with the DataNodes' own replicas: every
//     replica the map lists on a node that is running, registered and
//     believed live is on that node's disk, unless the node's news of
//     losing it (a block or error report) is still on its way; so no
//     block has more replicas in the map than on the DataNodes.
//   - No acting detector declares a node dead before its own bound (the
//     silence its rule needs).
//
// The block invariants walk every replica: they are checked once per
// second of virtual time, not after every event.
type checker struct {
	s      *Sim
	last   time.Duration
	events int           // trace events already checked
	deep   time.Duration // when the block invariants were last checked
}

// deepEvery is how much virtual time passes between two checks of the
// block invariants.
const deepEvery = time.Second

func newChecker(s *Sim) *checker { return &checker{s: s} }

func (c *checker) after(e event) error {
	s := c.s
	fail := func(rule string, args ...any) error {
		return fmt.Errorf("%w at %v, after a %s event for %s: %s", ErrInvariant, e.at, kindName(e.k), c.node(e), fmt.Sprintf(rule, args...))
	}
	if e.at < c.last {
		return fail("time went back from %v", c.last)
	}
	c.last = e.at
	if s.nn == nil {
		return nil
	}
	if i := e.node(); i >= 0 && int(i) < len(s.dns) {
		if err := s.dns[i].CheckInvariants(); err != nil {
			return fail("%v", err)
		}
	}
	if err := s.nn.CheckInvariants(); err != nil {
		return fail("%v", err)
	}
	for ; c.events < s.log.Len(); c.events++ {
		ev := s.log.At(c.events)
		if ev.Kind != trace.Transition || ev.To != "dead" || !s.acting {
			continue
		}
		bound, ok := s.nn.DeathBound(ev.Node)
		if !ok || s.shutDown(ev.Node) {
			continue // a FATAL_DISK_ERROR removes the node at once: no detector decided
		}
		info, _ := s.nn.Node(ev.Node)
		if silent := ev.At - info.LastHeard; silent < bound {
			return fail("%s declared dead after %v of silence, before its detector's bound of %v", ev.Node, silent, bound)
		}
	}
	if s.blk != nil && s.blk.on && e.at-c.deep >= deepEvery {
		c.deep = e.at
		if err := s.nn.CheckBlockInvariants(); err != nil {
			return fail("%v", err)
		}
		for i := range s.dns {
			if err := s.dns[i].CheckInvariants(); err != nil {
				return fail("%v", err)
			}
		}
		reports := c.reportsInFlight()
		if err := c.missing(fail, reports); err != nil {
			return err
		}
		return c.replicas(fail, reports)
	}
	return nil
}

// reportsInFlight lists, per slot, the types of its messages to the
// NameNode still on the wire.
func (c *checker) reportsInFlight() map[int32][]proto.Type {
	s := c.s
	free := map[int32]bool{}
	for _, k := range s.free {
		free[k] = true
	}
	out := map[int32][]proto.Type{}
	for k := range s.msgs {
		m := &s.msgs[k]
		if free[int32(k)] {
			continue
		}
		switch m.Type {
		case proto.TypeBlockReport, proto.TypeBlockReceived, proto.TypeErrorReport:
			if j, ok := s.index[m.Node]; ok {
				out[j] = append(out[j], m.Type)
			}
		}
	}
	return out
}

// replicas checks that every replica the block map lists on a node that
// is running, registered and believed live is on the node's disk, unless
// a block or error report from the node, which may tell of its loss, is
// on its way.
func (c *checker) replicas(fail func(string, ...any) error, reports map[int32][]proto.Type) error {
	s := c.s
	// For each node in the NameNode's list, the slot whose disk is
	// checked, or −1 when the node is not checked now.
	nodes := s.nn.Nodes()
	slot := make([]int32, len(nodes))
	for k, nd := range nodes {
		slot[k] = -1
		i, ok := s.index[nd.ID]
		if !ok || (nd.State != namenode.Live && nd.State != namenode.Stale) || !s.alive(i) || !s.dns[i].Running() ||
			slices.Contains(reports[i], proto.TypeBlockReport) || slices.Contains(reports[i], proto.TypeErrorReport) {
			continue
		}
		slot[k] = i
	}
	var held []int32
	for b := int64(0); b < int64(s.nn.BlockStats().Total); b++ {
		held = s.nn.AppendReplicaNodes(held[:0], b)
		for _, k := range held {
			if i := slot[k]; i >= 0 && !s.dns[i].Has(b) {
				return fail("the block map lists block %d on %s, which does not hold it", b, nodes[k].ID)
			}
		}
	}
	return nil
}

// missing checks that a block the NameNode counts missing has no replica
// on a running node it believes live, unless that node's news of the
// replica is still on its way.
func (c *checker) missing(fail func(string, ...any) error, reports map[int32][]proto.Type) error {
	s := c.s
	st := s.nn.BlockStats()
	if st.SafeMode || st.Missing == 0 {
		return nil
	}
	for i := range s.dns {
		sl := int32(i)
		if !s.alive(sl) || s.paused(sl) || len(reports[sl]) > 0 {
			continue
		}
		info, err := s.nn.Node(s.id(int32(i)))
		if err != nil || info.State != namenode.Live {
			continue
		}
		for _, b := range s.dns[i].Blocks() {
			if s.nn.Counted(int64(b)) && s.nn.Missing(int64(b)) {
				return fail("block %d is counted missing, but %s, live, holds it", b, s.id(int32(i)))
			}
		}
	}
	return nil
}

func (c *checker) node(e event) string {
	if i := e.node(); i >= 0 && int(i) < len(c.s.order) {
		return c.s.id(i)
	}
	return "the NameNode"
}

var kindNames = [...]string{kBoot: "boot", kFault: "fault", kToNameNode: "message to the NameNode",
	kStepNameNode: "NameNode handler", kFused: "heartbeat", kWakeNameNode: "NameNode scan",
	kBackground: "background request", kToDataNode: "message to a DataNode", kWakeDataNode: "DataNode timer",
	kSample: "sample", kGossipTo: "gossip digest", kGossipWake: "gossip round", kTransferDone: "block transfer",
	kRead: "client read", kWrite: "client write",
	kClientToNameNode: "client call", kClientTo: "reply to the client", kClientWake: "client timer"}

func kindName(k kind) string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind %d", k)
}
