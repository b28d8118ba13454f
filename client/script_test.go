package client

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

// TestScripts runs the client's scripts, testdata/*.txt; each file's
// header names the HDFS behaviour and Hadoop test it pins. The script
// plays the NameNode (locations, allocate, replacement) and the
// DataNodes (read-reply, ack); a DataNode that never answers is one the
// script leaves silent until tick passes the client's timeout.
// `go test ./client -run TestScripts -rewrite` rewrites the outputs.
func TestScripts(t *testing.T) {
	script.Run(t, "testdata", func(testing.TB) []script.Command {
		h := &clHarness{}
		return h.commands()
	})
}

// clHarness drives one client.
type clHarness struct {
	c   *Client
	now time.Duration
	// seq is the last attempt each call sent, which replies echo.
	seq map[uint64]uint64
}

func (h *clHarness) commands() []script.Command {
	return []script.Command{
		{Name: "client", Usage: "client [timeout=DUR] [retry-base=DUR] [acquire-failures=N] [write-retries=N] " +
			"[policy=default|always|never|disable] [blocks=N]", Run: h.newClient},
		{Name: "read", Usage: "read block=B [at=DUR]", Run: h.read},
		{Name: "write", Usage: "write [at=DUR]", Run: h.write},
		{Name: "locations", Usage: "locations [call=N] [block=B] [nodes=NODE,...] [refused=WORDS] [at=DUR] (the NameNode's answer)",
			Run: h.locations},
		{Name: "read-reply", Usage: "read-reply node=NODE [call=N] [missing] [at=DUR]", Run: h.readReply},
		{Name: "ack", Usage: "ack nodes=NODE,... [call=N] [data] [at=DUR] (setup acks, or data stored)", Run: h.ack},
		{Name: "tick", Usage: "tick DUR | tick until=DUR", Run: h.tick},
	}
}

var errNoClient = errors.New("no client yet: start the script with `client`")

func (h *clHarness) newClient(a *script.Args) (string, error) {
	cfg := DefaultConfig()
	cfg.Read.SocketTimeout = a.Dur("timeout", cfg.Read.SocketTimeout)
	cfg.Read.RetryWindowBase = a.Dur("retry-base", cfg.Read.RetryWindowBase)
	cfg.Read.MaxBlockAcquireFailures = a.Int("acquire-failures", cfg.Read.MaxBlockAcquireFailures)
	cfg.BlockWriteRetries = a.Int("write-retries", cfg.BlockWriteRetries)
	cfg.Blocks = a.Int("blocks", 10)
	p, err := ParseReplacePolicy(a.String("policy", "default"))
	if err != nil {
		return "", err
	}
	cfg.Replace = p
	c, err := New(cfg)
	if err != nil {
		return "", err
	}
	h.c, h.now, h.seq = c, 0, map[uint64]uint64{}
	return fmt.Sprintf("client: timeout %s, retry base %s, %d refetches, %d write retries, policy %s; stream %s",
		vtime.Seconds(cfg.Read.SocketTimeout), vtime.Seconds(cfg.Read.RetryWindowBase), cfg.Read.MaxBlockAcquireFailures,
		cfg.BlockWriteRetries, cfg.Replace, vtime.Seconds(cfg.streamTime())), nil
}

func (h *clHarness) read(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	h.now = a.At(h.now)
	b := int64(a.Int("block", -1))
	if b < 0 {
		a.Failf("want block=B")
	}
	h.c.Read(h.now, b)
	return h.drain(), nil
}

func (h *clHarness) write(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	h.now = a.At(h.now)
	h.c.Write(h.now)
	return h.drain(), nil
}

// call is the call a reply answers: call=N, or the only one in flight.
func (h *clHarness) call(a *script.Args) uint64 {
	n := a.Int("call", 0)
	if n == 0 && len(h.c.ops) == 1 {
		for k := range h.c.ops {
			return k
		}
	}
	return uint64(n)
}

func (h *clHarness) locations(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	h.now = a.At(h.now)
	call := h.call(a)
	m := proto.Message{Type: proto.TypeLocatedBlock, Client: h.c.cfg.ID, Call: call, Seq: h.seq[call],
		Block: int64(a.Int("block", -1)), Nodes: a.List("nodes"), Refused: a.String("refused", "")}
	if m.Block < 0 && h.c.ops[call] != nil {
		m.Block = h.c.ops[call].block
	}
	h.c.Step(h.now, m)
	return h.drain(), nil
}

func (h *clHarness) readReply(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	h.now = a.At(h.now)
	call := h.call(a)
	m := proto.Message{Type: proto.TypeReadReply, Node: a.String("node", ""), Client: h.c.cfg.ID, Call: call, Seq: h.seq[call]}
	if a.Has("missing") {
		m.Refused = proto.RefusedNoReplica
	}
	h.c.Step(h.now, m)
	return h.drain(), nil
}

func (h *clHarness) ack(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	h.now = a.At(h.now)
	call := h.call(a)
	var bytes int64
	if a.Has("data") {
		bytes = h.c.cfg.BlockSize
	}
	for _, node := range a.List("nodes") {
		h.c.Step(h.now, proto.Message{Type: proto.TypeWriteAck, Node: node, Client: h.c.cfg.ID, Call: call,
			Seq: h.seq[call], Bytes: bytes})
	}
	return h.drain(), nil
}

// tick fires the client's timers up to the target.
func (h *clHarness) tick(a *script.Args) (string, error) {
	if h.c == nil {
		return "", errNoClient
	}
	until, _, ok := a.Until(h.now)
	if !ok {
		return "", nil
	}
	var out strings.Builder
	for {
		wake := h.c.Ready().Wake
		if wake == 0 || wake > until {
			break
		}
		h.now = max(h.now, wake)
		h.c.Tick(h.now)
		out.WriteString(h.drain())
	}
	h.now = until
	return out.String(), nil
}

// drain prints what the client sends and which operations ended.
func (h *clHarness) drain() string {
	var b strings.Builder
	rd := h.c.Ready()
	for _, m := range rd.Messages {
		h.seq[m.Call] = m.Seq
		to := m.Node
		if to == "" {
			to = "nn"
		}
		fmt.Fprintf(&b, "%s → %s %s call=%d", vtime.Seconds(h.now), to, m.Type, m.Call)
		if m.Block >= 0 && m.Type != proto.TypeAddBlock {
			fmt.Fprintf(&b, " b%d", m.Block)
		}
		if len(m.Nodes) > 0 {
			fmt.Fprintf(&b, " nodes=%s", strings.Join(m.Nodes, ","))
		}
		if m.Bytes > 0 {
			b.WriteString(" data")
		}
		b.WriteString("\n")
	}
	for _, r := range rd.Results {
		fmt.Fprintf(&b, "%s %s call=%d b%d ", vtime.Seconds(h.now), r.Op, r.Call, r.Block)
		switch {
		case r.Refused != "":
			fmt.Fprintf(&b, "refused (%s)", r.Refused)
		case r.Failed:
			b.WriteString("failed")
		default:
			b.WriteString("done")
			if r.Op == OpWrite {
				fmt.Fprintf(&b, " stored=%d", r.Stored)
			}
		}
		fmt.Fprintf(&b, " after %s", vtime.Seconds(r.Latency))
		if r.Rerouted {
			b.WriteString(" rerouted")
		}
		if r.Recovered {
			b.WriteString(" recovered")
		}
		b.WriteString("\n")
	}
	if rd.Wake != 0 {
		fmt.Fprintf(&b, "timer %s\n", vtime.Seconds(rd.Wake))
	}
	h.c.Advance()
	return b.String()
}
