package client

import (
	"errors"
	"testing"
	"time"
)

// TestDFSClientRetriesRetryWindow follows DFSInputStream.refetchLocations
// (TestDFSClientRetries#testDFSClientRetriesOnBusyBlocks): with every
// location failing, a read waits u × 3s, then 3s + u × 6s, then 6s + u ×
// 9s before its three refetches, clearing its dead list each time, and
// gives up at the fourth exhaustion; a failed node is not tried again
// before a refetch.
func TestDFSClientRetriesRetryWindow(t *testing.T) {
	s := NewInputStream(DefaultReadConfig(), []string{"a", "b"})
	var waits []time.Duration
	tries := 0
	for {
		st := s.Next()
		if st.Missing {
			break
		}
		if st.Node != "" {
			tries++
			if done, err := s.Tried(st.Node, Refused); done || err != nil {
				t.Fatalf("tried %s: %v %v", st.Node, done, err)
			}
			continue
		}
		waits = append(waits, s.Wait(0.5))
		s.Refetched([]string{"a", "b"})
	}
	want := []time.Duration{1500 * time.Millisecond, 6 * time.Second, 10500 * time.Millisecond}
	if len(waits) != 3 || waits[0] != want[0] || waits[1] != want[1] || waits[2] != want[2] {
		t.Errorf("waits %v, want %v (u = 0.5)", waits, want)
	}
	if tries != 8 || s.Failures() != 3 {
		t.Errorf("%d tries, %d refetches; want 2 nodes × 4 passes and 3 refetches", tries, s.Failures())
	}
	if _, err := s.Tried("a", Read); !errors.Is(err, ErrNotTried) {
		t.Errorf("an outcome for a node not being tried: %v", err)
	}
}

// A read goes to the first location not on the dead list, skips nodes
// that failed, and is done at the first success; a refetch brings a node
// back.
func TestInputStreamDeadList(t *testing.T) {
	s := NewInputStream(DefaultReadConfig(), []string{"a", "b", "c"})
	if st := s.Next(); st.Node != "a" {
		t.Fatalf("first try %+v, want a", st)
	}
	s.Tried("a", NoAnswer)
	if st := s.Next(); st.Node != "b" {
		t.Fatalf("after a failed: %+v, want b", st)
	}
	s.Tried("b", NoReplica)
	st := s.Next()
	if done, _ := s.Tried(st.Node, Read); st.Node != "c" || !done {
		t.Fatalf("third try %+v done %v, want c and done", st, done)
	}
	c := DefaultReadConfig()
	if c.Cost(NoAnswer, time.Millisecond) != time.Minute || c.Cost(Refused, time.Millisecond) != time.Millisecond {
		t.Error("costs: a node that does not answer costs the socket timeout, a refusal one round trip")
	}
	bad := c
	bad.SocketTimeout = 0
	if bad.Validate() == nil || c.Validate() != nil {
		t.Error("Validate")
	}
}

// TestReplaceDatanodeOnFailure reproduces TestReplaceDatanodeOnFailure
// #testDefaultPolicy's rule: with the DEFAULT policy, replication r ≥ 3
// and n nodes left (0 < n < r), a node is added when n ≤ ⌊r/2⌋ or the
// block was hflushed; ALWAYS always, NEVER and a disabled feature never.
func TestReplaceDatanodeOnFailure(t *testing.T) {
	for _, tc := range []struct {
		p        ReplacePolicy
		r, n     int
		hflushed bool
		want     bool
	}{
		{ReplaceDefault, 3, 2, false, false},
		{ReplaceDefault, 3, 1, false, true},
		{ReplaceDefault, 3, 2, true, true},
		{ReplaceDefault, 2, 1, false, false},
		{ReplaceDefault, 2, 1, true, false},
		{ReplaceDefault, 6, 3, false, true},
		{ReplaceDefault, 6, 4, false, false},
		{ReplaceDefault, 3, 0, false, false},
		{ReplaceAlways, 2, 1, false, true},
		{ReplaceAlways, 3, 3, false, false},
		{ReplaceNever, 3, 1, false, false},
		{ReplaceDisable, 3, 1, false, false},
	} {
		if got := tc.p.Replace(tc.r, tc.n, tc.hflushed); got != tc.want {
			t.Errorf("%v r=%d n=%d hflushed=%v: %v, want %v", tc.p, tc.r, tc.n, tc.hflushed, got, tc.want)
		}
	}
	if p, err := ParseReplacePolicy("ALWAYS"); err != nil || p != ReplaceAlways {
		t.Errorf("ParseReplacePolicy(ALWAYS) = %v, %v", p, err)
	}
	if _, err := ParseReplacePolicy("sometimes"); err == nil {
		t.Error("an unknown policy parsed")
	}
}
