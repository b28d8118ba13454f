package sim

import (
	"errors"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/faults"
	"github.com/hbsim/hbsim/pkg/trace"
)

// The operator's requests, failing disks and a paused NameNode, as the
// fault interpreter hands them to the world (faults.Operator). The rules —
// what decommissioning means, when a DataNode gives up on its disks, what
// a NameNode's monitor does after a pause — are the machines'.

// errNoNameNode refuses what needs a NameNode when gossip runs alone;
// Unsupported refuses such runs before they start.
var errNoNameNode = errors.New("no NameNode: the gossip detector runs alone")

// Decommission implements faults.Operator.
func (s *Sim) Decommission(h int32) error {
	return s.adminRequest(func() error { return s.nn.Decommission(s.now, s.id(s.slot[h])) })
}

// StartMaintenance implements faults.Operator.
func (s *Sim) StartMaintenance(h int32, until time.Duration) error {
	return s.adminRequest(func() error { return s.nn.StartMaintenance(s.now, s.id(s.slot[h]), until) })
}

// Recommission implements faults.Operator.
func (s *Sim) Recommission(h int32) error {
	return s.adminRequest(func() error { return s.nn.Recommission(s.now, s.id(s.slot[h])) })
}

// adminRequest hands a request to the NameNode. A paused NameNode takes it
// at once all the same: dfsadmin's refreshNodes is an RPC that would wait,
// but hbsim applies an operator's request when the scenario says.
func (s *Sim) adminRequest(req func() error) error {
	if s.nn == nil {
		return errNoNameNode
	}
	s.settleAll()
	if err := req(); err != nil {
		return err
	}
	s.drainNameNode(-1)
	return nil
}

// FailVolumes implements faults.Operator.
func (s *Sim) FailVolumes(h int32, k int) bool {
	if s.nn == nil {
		return false
	}
	i := s.slot[h]
	s.settle(i)
	dn := &s.dns[i]
	dn.FailVolumes(s.local(i), k)
	s.drainDataNode(i)
	if !dn.ShutDown() {
		return false
	}
	s.Kill(h) // the process is gone: as a crash from here on
	return true
}

// shutDown reports whether node id's DataNode stopped itself (failed
// volumes).
func (s *Sim) shutDown(id string) bool {
	s.indexNodes()
	i, ok := s.index[id]
	return ok && s.dns[i].ShutDown()
}

// recordAdmin writes the NameNode's administrative changes to the trace.
func (s *Sim) recordAdmin(cs []namenode.AdminChange) {
	for _, c := range cs {
		s.log.Append(trace.Event{At: c.At, Node: c.Node, Kind: trace.Admin,
			From: adminWord(c.From), To: adminWord(c.To), Reason: c.Reason})
	}
}

func adminWord(a namenode.AdminState) string {
	if a == namenode.InService {
		return "in_service"
	}
	return a.String()
}

// nnHeld is a message that reached a paused NameNode, or an RPC handler's
// turn that came while it was paused: it waits for ResumeNameNode.
type nnHeld struct {
	k         kind
	slot, ref int32
}

// PauseNameNode implements faults.Operator: from now on the NameNode
// neither handles nor scans; its fused heartbeats go back on the event
// path, where they wait at its door.
func (s *Sim) PauseNameNode() {
	if s.nn == nil {
		return
	}
	s.settleAll()
	s.nnPaused = true
}

// ResumeNameNode implements faults.Operator. As a JVM after a full GC: the
// monitor's overdue wake-up runs first (HDFS-9107: the hdfs detector
// notices it slept past its interval and skips the scan), then what
// waited is read in arrival order.
func (s *Sim) ResumeNameNode() {
	if s.nn == nil || !s.nnPaused {
		return
	}
	s.nnPaused = false
	s.nn.Tick(s.now)
	s.drainNameNode(-1)
	held := s.nnHeld
	s.nnHeld = nil
	for _, m := range held {
		switch m.k {
		case kToNameNode:
			s.arrive(m.slot, m.ref)
		case kStepNameNode:
			s.stepNameNode(m.slot, m.ref)
		case kClientToNameNode:
			s.clientCall(m.ref)
		}
	}
}

// holdNameNode keeps e, an event of the paused NameNode, for its resume,
// and reports whether e was the NameNode's: a message or handler turn
// waits, a scan is skipped (ResumeNameNode ticks).
func (s *Sim) holdNameNode(e event) bool {
	switch e.k {
	case kToNameNode, kStepNameNode, kClientToNameNode:
		s.nnHeld = append(s.nnHeld, nnHeld{k: e.k, slot: e.node(), ref: e.ref})
		return true
	case kWakeNameNode:
		return true
	}
	return false
}

// The simulator carries out every fault the interpreter knows.
var _ faults.Operator = (*Sim)(nil)
