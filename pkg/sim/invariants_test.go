package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// TestCheckerTimeGoesBack: the checker refuses an event earlier than the
// last one it saw, naming the event and the time.
func TestCheckerTimeGoesBack(t *testing.T) {
	s, err := newScn(parse(t, "name: inv\nduration: 1m\ncluster: {datanodes: 3}\n"), Options{CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	c := newChecker(s)
	if err := c.after(event{at: 5 * time.Second, k: kSample}); err != nil {
		t.Fatal(err)
	}
	err = c.after(event{at: 4 * time.Second, k: kSample})
	if !errors.Is(err, ErrInvariant) || !strings.Contains(err.Error(), "at 4s, after a sample event") ||
		!strings.Contains(err.Error(), "time went back from 5s") {
		t.Fatalf("got %v", err)
	}
}

// TestCheckerBlockMapAgreesWithDataNodes: a DataNode that deletes a
// replica behind the NameNode's back (an INVALIDATE the NameNode never
// sent) stops the run at the next block check, naming the block and node.
func TestCheckerBlockMapAgreesWithDataNodes(t *testing.T) {
	scn := parse(t, "name: inv\nduration: 2m\ncluster: {datanodes: 4}\ndata: {blocks: 20, replication: 2}\n")
	s, err := newScn(scn, Options{CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.RunUntilContext(ctx, 40*time.Second); err != nil {
		t.Fatalf("a healthy run violates an invariant: %v", err)
	}
	id := s.nn.Replicas(3)[0]
	i := s.index[id]
	s.dns[i].Step(s.local(i), proto.Message{Type: proto.TypeHeartbeatReply, Node: id,
		Commands: []proto.Command{{Action: proto.ActionInvalidate, Block: 3}}})
	s.drainDataNode(i)
	err = s.RunUntilContext(ctx, 50*time.Second)
	if !errors.Is(err, ErrInvariant) || !strings.Contains(err.Error(), "the block map lists block 3 on "+id+", which does not hold it") {
		t.Fatalf("got %v", err)
	}
}
