package live

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/wire"
)

// Timings small enough for tests, with HDFS's proportions: dead after
// 5 missed 100ms heartbeats, scans every 50ms.
const (
	interval  = 100 * time.Millisecond
	check     = 50 * time.Millisecond
	threshold = 5
	// margin absorbs scheduling on a loaded 2-core machine.
	margin = time.Second
)

var secret = []byte("test-secret")

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// await reports whether the buffer comes to hold substr before timeout.
func (s *syncBuffer) await(substr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.String(), substr) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testCluster struct {
	t    *testing.T
	srv  *NameNodeServer
	addr string
	logs *syncBuffer
	ctx  context.Context
	wg   sync.WaitGroup
}

// testServerConfig is a NameNode with the test timings and secret,
// logging to logs (if not nil).
func testServerConfig(logs *syncBuffer) ServerConfig {
	cfg := ServerConfig{NameNode: nnConfig(interval, check, threshold, 3*interval), Secret: secret}
	if logs != nil {
		cfg.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return cfg
}

// testDataNode is a DataNode machine with the test timings.
func testDataNode(id string) datanode.Config {
	return dnConfig(id, interval, 1<<30, 1<<20)
}

// newCluster starts a NameNode on 127.0.0.1 that stops with the test.
func newCluster(t *testing.T) *testCluster { return newClusterWith(t, nil) }

// newClusterWith is newCluster with the server's config changed by edit
// (if not nil) before it starts.
func newClusterWith(t *testing.T, edit func(*ServerConfig)) *testCluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	logs := &syncBuffer{}
	cfg := testServerConfig(logs)
	if edit != nil {
		edit(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &testCluster{t: t, srv: srv, addr: ln.Addr().String(), logs: logs, ctx: ctx}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		c.wg.Wait()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("namenode log:\n%s", logs.String())
		}
	})
	return c
}

func (c *testCluster) dnConfig(id string, sec []byte) DataNodeConfig {
	return DataNodeConfig{
		DataNode: testDataNode(id),
		Addr:     c.addr, Secret: sec, BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
	}
}

// startDN runs a DataNode until the returned stop is called (a crash, as
// far as the NameNode can tell: the connection closes, heartbeats stop).
func (c *testCluster) startDN(id string) (stop func(), result <-chan error) {
	ctx, cancel := context.WithCancel(c.ctx)
	res := make(chan error, 1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		res <- RunDataNode(ctx, c.dnConfig(id, secret))
	}()
	return cancel, res
}

// await waits for a transition matching pred, from event index *next on.
func (c *testCluster) await(next *int, what string, pred func(Event) bool) Event {
	c.t.Helper()
	for {
		evs, ch := c.srv.events.since(*next)
		for _, e := range evs {
			*next++
			if pred(e) {
				return e
			}
		}
		select {
		case <-ch:
		case <-c.ctx.Done():
			c.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func to(node, state string) func(Event) bool {
	return func(e Event) bool { return e.Kind == "transition" && e.Node == node && e.To == state }
}

func (c *testCluster) heartbeats(id string) int64 {
	for _, d := range c.srv.Report().DataNodes {
		if d.ID == id {
			return d.Heartbeats
		}
	}
	return 0
}

func TestKilledDataNodeDeclaredDeadAndReregisters(t *testing.T) {
	c := newCluster(t)
	next := 0
	stops := map[string]func(){}
	for _, id := range []string{"dn1", "dn2", "dn3"} {
		stops[id], _ = c.startDN(id)
		c.await(&next, id+" live", to(id, "live"))
	}
	time.Sleep(3 * interval) // a few heartbeats in steady state
	killed := time.Now()
	stops["dn2"]()
	e := c.await(&next, "dn2 dead", func(e Event) bool {
		if e.To == "dead" && e.Node != "dn2" {
			t.Errorf("false positive: %+v", e)
		}
		return to("dn2", "dead")(e)
	})
	took := time.Since(killed)
	bound := threshold*interval + check + margin
	t.Logf("dn2 declared dead %v after the kill (bound %v): %s", took, bound, e.Reason)
	if took > bound || took < (threshold-1)*interval {
		t.Errorf("detection took %v, want within [%v, %v]", took, (threshold-1)*interval, bound)
	}
	// A new process with the same id registers again.
	c.startDN("dn2")
	e = c.await(&next, "dn2 live again", to("dn2", "live"))
	if e.From != "dead" {
		t.Errorf("re-registration went %s → %s, want dead → live", e.From, e.To)
	}
	if r := c.srv.Report(); r.Live != 3 || r.Dead != 0 {
		t.Errorf("after restart: %d live, %d dead; want 3, 0", r.Live, r.Dead)
	}
}

func TestWrongSecretRefused(t *testing.T) {
	c := newCluster(t)
	err := RunDataNode(c.ctx, c.dnConfig("intruder", []byte("wrong")))
	if !errors.Is(err, wire.ErrAuth) || !strings.Contains(err.Error(), "authentication failed: ") {
		t.Fatalf("RunDataNode = %v, want authentication failed", err)
	}
	// The server logs the refusal just after the client reads it: await
	// the line, within a generous bound.
	if !c.logs.await("authentication failed", 10*time.Second) {
		t.Errorf("the NameNode did not log the refusal:\n%s", c.logs.String())
	}
	if n := len(c.srv.Report().DataNodes); n != 0 {
		t.Errorf("%d nodes registered, want none", n)
	}
}

func TestDuplicateIDRefused(t *testing.T) {
	c := newCluster(t)
	next := 0
	c.startDN("dn1")
	c.await(&next, "dn1 live", to("dn1", "live"))
	err := RunDataNode(c.ctx, c.dnConfig("dn1", secret))
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "already live") {
		t.Fatalf("second dn1: %v, want a refusal saying it is already live", err)
	}
	// The first one keeps heartbeating.
	before := c.heartbeats("dn1")
	deadline := time.Now().Add(5 * time.Second)
	for c.heartbeats("dn1") < before+3 {
		if time.Now().After(deadline) {
			t.Fatal("the original dn1 stopped heartbeating")
		}
		time.Sleep(interval)
	}
	if !c.logs.await("duplicate id", 10*time.Second) {
		t.Errorf("the NameNode did not log the refusal:\n%s", c.logs.String())
	}
}

// nnConfig is the default NameNode configuration with the missed-count
// detector at the given settings.
func nnConfig(interval, check time.Duration, threshold int, stale time.Duration) namenode.Config {
	nc := namenode.DefaultConfig()
	nc.HeartbeatInterval, nc.StaleAfter = interval, stale
	nc.Detectors[0].MissedCount = namenode.MissedCountConfig{Threshold: threshold, CheckInterval: check}
	return nc
}

// dnConfig is the default DataNode configuration with a heartbeat every
// interval, the call timing out after one interval, and the given storage.
func dnConfig(id string, interval time.Duration, capacity, used int64) datanode.Config {
	dc := datanode.DefaultConfig()
	dc.ID, dc.HeartbeatInterval, dc.RPCTimeout, dc.Capacity, dc.Used = id, interval, interval, capacity, used
	return dc
}
