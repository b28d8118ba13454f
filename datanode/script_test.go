package datanode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/script"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// TestScripts runs the DataNode's scripts, testdata/*.txt; each file's
// header names the HDFS behaviour and Hadoop test it pins. The script
// plays the NameNode: it answers by hand (reply-register,
// reply-heartbeat) or lets tick answer every call at once (answer).
// `go test ./datanode -run TestScripts -rewrite` rewrites the outputs.
//
// After every command the harness checks the node's invariants
// (CheckInvariants) and prints any violation, which fails the script.
func TestScripts(t *testing.T) {
	script.Run(t, "testdata", func(testing.TB) []script.Command {
		h := &dnHarness{}
		cmds := h.commands()
		for k := range cmds {
			run := cmds[k].Run
			cmds[k].Run = func(a *script.Args) (string, error) {
				out, err := run(a)
				if h.dn != nil {
					if ierr := h.dn.CheckInvariants(); ierr != nil {
						out += fmt.Sprintf("%s: %v\n", script.Violation, ierr)
					}
				}
				return out, err
			}
		}
		return cmds
	})
}

// dnHarness drives one DataNode.
type dnHarness struct {
	dn  *DataNode
	now time.Duration
	// seq is the last heartbeat the node sent, which reply-heartbeat
	// answers unless told otherwise.
	seq uint64
}

func (h *dnHarness) commands() []script.Command {
	return []script.Command{
		{Name: "datanode", Usage: "datanode [id=NODE] [interval=DUR] [rpc-timeout=DUR] [retry=DUR] [lifeline=DUR] " +
			"[block-reports] [blocks=B,...] [volumes=N] [tolerated=N]", Run: h.newDataNode},
		{Name: "start", Usage: "start [at=DUR]", Run: h.start},
		{Name: "stop", Usage: "stop [at=DUR] (a crash)", Run: h.stop},
		{Name: "tick", Usage: "tick DUR | tick until=DUR [answer] (wake the node whenever it asks; answer: the NameNode accepts every registration and answers every heartbeat at once)",
			Run: h.tick},
		{Name: "reply-register", Usage: "reply-register [handle=N] [refused=WORD] [at=DUR]", Run: h.replyRegister},
		{Name: "reply-heartbeat", Usage: "reply-heartbeat [seq=N] [register] [transfer=B:NODE+NODE,...] [invalidate=B,...] [at=DUR]",
			Run: h.replyHeartbeat},
		{Name: "receive", Usage: "receive block=B [downstream=NODE,...] [at=DUR] (a block arrived, from a client or a pipeline)",
			Run: h.receive},
		{Name: "transfer-done", Usage: "transfer-done (a transfer this node sent has ended)", Run: h.transferDone},
		{Name: "fail-volumes", Usage: "fail-volumes N [at=DUR]", Run: h.failVolumes},
		{Name: "status", Usage: "status", Run: h.status},
	}
}

var errNoDataNode = errors.New("no datanode yet: start the script with `datanode`")

func (h *dnHarness) newDataNode(a *script.Args) (string, error) {
	cfg := DefaultConfig()
	cfg.ID = a.String("id", "dn1")
	cfg.HeartbeatInterval = a.Dur("interval", cfg.HeartbeatInterval)
	cfg.RPCTimeout = a.Dur("rpc-timeout", cfg.RPCTimeout)
	cfg.RegisterRetry = a.Dur("retry", cfg.RegisterRetry)
	cfg.LifelineInterval = a.Dur("lifeline", 0)
	cfg.BlockReports = a.Has("block-reports")
	for _, b := range a.Ints("blocks") {
		cfg.Blocks = append(cfg.Blocks, int32(b))
	}
	cfg.Volumes = a.Int("volumes", cfg.Volumes)
	cfg.FailedVolumesTolerated = a.Int("tolerated", cfg.FailedVolumesTolerated)
	dn, err := New(cfg)
	if err != nil {
		return "", err
	}
	h.dn, h.now, h.seq = dn, 0, 0
	return "", nil
}

func (h *dnHarness) start(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	h.dn.Start(h.now)
	return h.drain(false), nil
}

func (h *dnHarness) stop(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	h.dn.Stop()
	return h.drain(false), nil
}

// tick wakes the node at every time it asks for, up to the target.
func (h *dnHarness) tick(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	until, set, ok := a.Until(h.now, "answer")
	if !ok {
		return "", nil
	}
	answer := set["answer"]
	var out strings.Builder
	// Whatever is waiting to go out is sent (and answered) first.
	out.WriteString(h.drain(answer))
	for {
		wake := h.dn.Ready().Wake
		if wake == 0 || wake > until {
			break
		}
		h.now = max(h.now, wake)
		h.dn.Tick(h.now)
		out.WriteString(h.drain(answer))
	}
	h.now = until
	return out.String(), nil
}

// drain prints what the node sends and starts, takes it, and, when
// answer is set, plays a NameNode that accepts and answers at once.
func (h *dnHarness) drain(answer bool) string {
	var b strings.Builder
	for {
		rd := h.dn.Ready()
		var replies []proto.Message
		for _, m := range rd.Messages {
			fmt.Fprintf(&b, "%s → %s\n", vtime.Seconds(h.now), messageText(m))
			switch m.Type {
			case proto.TypeHeartbeat:
				h.seq = m.Seq
				replies = append(replies, proto.Message{Type: proto.TypeHeartbeatReply, Node: m.Node, Seq: m.Seq})
			case proto.TypeRegister:
				replies = append(replies, proto.Message{Type: proto.TypeRegisterReply, Node: m.Node, Handle: 1})
			}
		}
		for _, t := range rd.Transfers {
			kind := "transfer"
			if t.Forward {
				kind = "forward"
			}
			fmt.Fprintf(&b, "%s %s b%d → %s\n", vtime.Seconds(h.now), kind, t.Block, strings.Join(t.Targets, ","))
		}
		h.dn.Advance()
		if !answer || len(replies) == 0 {
			return b.String()
		}
		for _, r := range replies {
			h.dn.Step(h.now, r)
		}
	}
}

func messageText(m proto.Message) string {
	switch m.Type {
	case proto.TypeHeartbeat, proto.TypeLifeline:
		s := fmt.Sprintf("%s", m.Type)
		if m.Type == proto.TypeHeartbeat {
			s += fmt.Sprintf(" seq=%d", m.Seq)
		}
		st := m.Stats
		s += fmt.Sprintf(" xmits=%d blocks=%d", st.Xmits, st.Blocks)
		if st.FailedVolumes > 0 {
			s += fmt.Sprintf(" failed-volumes=%d", st.FailedVolumes)
		}
		return s
	case proto.TypeBlockReport:
		return fmt.Sprintf("block-report %v", m.Blocks)
	case proto.TypeBlockReceived:
		return fmt.Sprintf("block-received b%d", m.Block)
	case proto.TypeErrorReport:
		code := "DISK_ERROR"
		if m.Code == proto.ErrorFatalDisk {
			code = "FATAL_DISK_ERROR"
		}
		return fmt.Sprintf("error-report %s lost=%v", code, m.Blocks)
	}
	return m.Type.String()
}

func (h *dnHarness) replyRegister(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	h.dn.Step(h.now, proto.Message{Type: proto.TypeRegisterReply, Node: h.dn.ID(),
		Handle: uint32(a.Int("handle", 1)), Refused: a.String("refused", "")})
	out := h.drain(false)
	if r := h.dn.Refusal(); r != "" {
		out += fmt.Sprintf("refused (%s): the node stops\n", r)
	}
	return out, nil
}

func (h *dnHarness) replyHeartbeat(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	m := proto.Message{Type: proto.TypeHeartbeatReply, Node: h.dn.ID(), Seq: uint64(a.Int("seq", int(h.seq)))}
	if a.Has("register") {
		m.Commands = append(m.Commands, proto.Command{Action: proto.ActionRegister})
	}
	for _, t := range a.List("transfer") {
		blk, targets, ok := strings.Cut(t, ":")
		var b int64
		if _, err := fmt.Sscan(blk, &b); err != nil || !ok || targets == "" {
			a.Failf("transfer: %q is not B:NODE+NODE", t)
			continue
		}
		pipeline := strings.Split(targets, "+")
		m.Commands = append(m.Commands, proto.Command{Action: proto.ActionTransfer, Block: b, Target: pipeline[0], Targets: pipeline})
	}
	for _, b := range a.Ints("invalidate") {
		m.Commands = append(m.Commands, proto.Command{Action: proto.ActionInvalidate, Block: b})
	}
	h.dn.Step(h.now, m)
	return h.drain(false), nil
}

func (h *dnHarness) receive(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	b := int64(a.Int("block", -1))
	if b < 0 {
		a.Failf("want block=B")
	}
	h.dn.ReceiveStart()
	h.dn.ReceiveDone(h.now, b, a.List("downstream"))
	return h.drain(false), nil
}

func (h *dnHarness) transferDone(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.dn.TransferDone()
	return fmt.Sprintf("xmits %d", h.dn.Xmits()), nil
}

func (h *dnHarness) failVolumes(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	h.now = a.At(h.now)
	var k int
	if _, err := fmt.Sscan(a.Word("count"), &k); err != nil {
		a.Failf("want a count of volumes")
	}
	lost := h.dn.FailVolumes(h.now, k)
	out := fmt.Sprintf("%d replicas lost\n", lost) + h.drain(false)
	if h.dn.ShutDown() {
		out += "the node shut itself down\n"
	}
	return out, nil
}

func (h *dnHarness) status(a *script.Args) (string, error) {
	if h.dn == nil {
		return "", errNoDataNode
	}
	d := h.dn
	state := "down"
	switch {
	case d.ShutDown():
		state = "shut down"
	case d.Refusal() != "":
		state = "refused"
	case d.Running():
		state = "running"
	case d.phase == registering:
		state = "registering"
	}
	s := fmt.Sprintf("%s: %s; heartbeats sent %d, lifelines %d; blocks %v; xmits %d; failed volumes %d",
		d.ID(), state, d.HeartbeatsSent(), d.LifelinesSent(), d.Blocks(), d.Xmits(), d.FailedVolumes())
	if w := d.Ready().Wake; w > 0 {
		s += "; next wake-up " + vtime.Seconds(w)
	}
	return s, nil
}
