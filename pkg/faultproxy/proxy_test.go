package faultproxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// Timings small enough for tests, with HDFS's proportions: dead after 5
// missed 100ms heartbeats, scans every 50ms.
const (
	interval  = 100 * time.Millisecond
	check     = 50 * time.Millisecond
	threshold = 5
	// bound is how long any awaited event may take on a loaded 2-core
	// machine: far above the 550ms detection time.
	bound = 10 * time.Second
)

var secret = []byte("proxy-test-secret")

// noLeak fails the test if goroutines it started outlive it. Register it
// first: cleanups run last-in first-out, so it checks after the others.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines left behind (before: %d):\n%s", runtime.NumGoroutine()-before, before,
					buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// cluster is a NameNode on 127.0.0.1, a proxy in front of it, and
// DataNodes connecting through one link each.
type cluster struct {
	t   *testing.T
	srv *live.NameNodeServer
	px  *Proxy
	ctx context.Context
	wg  sync.WaitGroup
}

func newCluster(t *testing.T, opts Options) *cluster {
	t.Helper()
	noLeak(t)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	srv, err := live.NewServer(live.ServerConfig{
		NameNode: nnConfig(interval, check, threshold, 3*interval),
		Secret:   secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	px, err := New(ln.Addr().String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, srv: srv, px: px, ctx: ctx}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		c.wg.Wait()
		px.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return c
}

// startDN runs a DataNode through its own link until the test ends.
func (c *cluster) startDN(id string) *Link {
	c.t.Helper()
	l, err := c.px.Listen(id, "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := live.RunDataNode(c.ctx, live.DataNodeConfig{
			DataNode: dnConfig(id, interval, 1<<30, 0),
			Addr:     l.Addr(), Secret: secret,
			BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		})
		if err != nil {
			c.t.Errorf("%s: %v", id, err)
		}
	}()
	return l
}

// await polls the NameNode's transitions from *next on until one matches;
// any transition of a node in healthy to dead fails the test.
func (c *cluster) await(next *int, what string, healthy []string, pred func(live.Event) bool) live.Event {
	c.t.Helper()
	deadline := time.Now().Add(bound)
	for {
		for _, e := range c.srv.Events(*next) {
			*next++
			if e.Kind == "transition" && e.To == "dead" && slices.Contains(healthy, e.Node) {
				c.t.Errorf("false positive: %+v", e)
			}
			if pred(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s within %v; events: %+v", what, bound, c.srv.Events(0))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func to(node, state string) func(live.Event) bool {
	return func(e live.Event) bool { return e.Kind == "transition" && e.Node == node && e.To == state }
}

// awaitLive polls until every node in ids is registered and live.
func (c *cluster) awaitLive(ids ...string) {
	c.t.Helper()
	deadline := time.Now().Add(bound)
	for _, id := range ids {
		for c.state(id) != "live" {
			if time.Now().After(deadline) {
				c.t.Fatalf("%s not live within %v", id, bound)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func (c *cluster) state(id string) string {
	for _, d := range c.srv.Report().DataNodes {
		if d.ID == id {
			return d.State
		}
	}
	return ""
}

func (c *cluster) heartbeats(id string) int64 {
	for _, d := range c.srv.Report().DataNodes {
		if d.ID == id {
			return d.Heartbeats
		}
	}
	return 0
}

// quiet waits for d and fails if id leaves live meanwhile.
func (c *cluster) quiet(next *int, d time.Duration, healthy []string) {
	c.t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for _, e := range c.srv.Events(*next) {
			*next++
			if e.Kind == "transition" && e.To != "live" && slices.Contains(healthy, e.Node) {
				c.t.Errorf("%s went %s → %s (%s)", e.Node, e.From, e.To, e.Reason)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A partitioned DataNode is declared dead; the other stays live; after the
// heal the node comes back (its next heartbeat is answered with REGISTER).
func TestPartitionDeadThenBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Fault
	}{
		{"drop both", Fault{Partition: Drop}},
		{"drop from the node", Fault{Partition: Drop, Dir: Up}},
		{"hold both", Fault{Partition: Hold}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, Options{})
			next := 0
			l1 := c.startDN("dn1")
			c.startDN("dn2")
			c.awaitLive("dn1", "dn2")
			heal, err := l1.Apply(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			cut := time.Now()
			e := c.await(&next, "dn1 dead", []string{"dn2"}, to("dn1", "dead"))
			t.Logf("dn1 declared dead %v after the cut: %s", time.Since(cut).Round(time.Millisecond), e.Reason)
			if took := time.Since(cut); took < (threshold-1)*interval {
				t.Errorf("dn1 declared dead after %v, sooner than %d intervals", took, threshold-1)
			}
			heal()
			healed := time.Now()
			e = c.await(&next, "dn1 back", []string{"dn2"}, to("dn1", "live"))
			t.Logf("dn1 live again %v after the heal: %s", time.Since(healed).Round(time.Millisecond), e.Reason)
			if c.state("dn2") != "live" {
				t.Errorf("dn2 is %s", c.state("dn2"))
			}
			st := l1.Stats()
			if tc.f.Partition == Drop && st.Up.Dropped == 0 {
				t.Errorf("no frame dropped: %+v", st)
			}
			if tc.f.Partition == Hold && (st.Up.Held == 0 || st.Up.Dropped != 0) {
				t.Errorf("hold should hold and never drop: %+v", st)
			}
		})
	}
}

// Cutting only what the NameNode sends leaves its view alone: heartbeats
// still arrive, the node stays live.
func TestPartitionToTheNodeKeepsItLive(t *testing.T) {
	c := newCluster(t, Options{})
	next := 0
	l := c.startDN("dn1")
	c.await(&next, "dn1 live", nil, to("dn1", "live"))
	heal, err := l.Apply(Fault{Partition: Drop, Dir: Down})
	if err != nil {
		t.Fatal(err)
	}
	defer heal()
	before := c.heartbeats("dn1")
	c.quiet(&next, 2*threshold*interval, []string{"dn1"})
	if got := c.heartbeats("dn1"); got < before+threshold {
		t.Errorf("heartbeats went from %d to %d; they should still arrive", before, got)
	}
	if st := l.Stats(); st.Down.Dropped == 0 {
		t.Errorf("no reply dropped: %+v", st)
	}
}

// A link losing every frame kills its node; the others, on their own
// links, stay live; with the loss over, the node comes back.
func TestLossOneKillsOnlyThatNode(t *testing.T) {
	c := newCluster(t, Options{})
	next := 0
	links := map[string]*Link{}
	for _, id := range []string{"dn1", "dn2", "dn3"} {
		links[id] = c.startDN(id)
		c.await(&next, id+" live", nil, to(id, "live"))
	}
	heal, err := links["dn2"].Apply(Fault{Loss: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.await(&next, "dn2 dead", []string{"dn1", "dn3"}, to("dn2", "dead"))
	c.quiet(&next, threshold*interval, []string{"dn1", "dn3"})
	if s := c.state("dn2"); s != "dead" {
		t.Errorf("dn2 is %s under total loss, want dead", s)
	}
	st := links["dn2"].Stats()
	if st.Up.Dropped < threshold || st.Up.Forwarded > 2+st.Conns*2 {
		// what goes up is the handshake's two frames per connection
		t.Errorf("dn2's link: %+v", st)
	}
	heal()
	c.await(&next, "dn2 back", []string{"dn1", "dn3"}, to("dn2", "live"))
}

// rtt sends heartbeats through addr on a raw connection and returns each
// round trip (heartbeat out, reply in).
func rtt(t *testing.T, addr, id string, n int) []time.Duration {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, bound)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	conn := wire.NewConn(nc, wire.Options{ReadTimeout: bound, WriteTimeout: bound, HandshakeTimeout: bound})
	if err := conn.Handshake(id, secret); err != nil {
		t.Fatal(err)
	}
	if err := conn.Send(proto.Message{Type: proto.TypeRegister, Node: id}); err != nil {
		t.Fatal(err)
	}
	reg, err := conn.Recv()
	if err != nil || reg.Type != proto.TypeRegisterReply || reg.Refused != "" {
		t.Fatalf("register: %+v, %v", reg, err)
	}
	out := make([]time.Duration, n)
	for i := range out {
		start := time.Now()
		if err := conn.Send(proto.Message{Type: proto.TypeHeartbeat, Node: id, Handle: reg.Handle, Seq: uint64(i + 1)}); err != nil {
			t.Fatal(err)
		}
		m, err := conn.Recv()
		if err != nil || m.Type != proto.TypeHeartbeatReply || m.Seq != uint64(i+1) {
			t.Fatalf("heartbeat %d: %+v, %v", i+1, m, err)
		}
		out[i] = time.Since(start)
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// Added latency shows up in the round trips measured through the proxy:
// both ways adds twice, one way once.
func TestLatencyInRoundTrips(t *testing.T) {
	c := newCluster(t, Options{})
	const lat = 40 * time.Millisecond
	for _, tc := range []struct {
		name     string
		f        Fault
		min, max time.Duration // of every round trip
	}{
		{"none", Fault{}, 0, bound},
		{"both ways", Fault{Latency: config.Constant(lat)}, 2 * lat, 2*lat + time.Second},
		{"one way", Fault{Latency: config.Constant(lat), Dir: Up}, lat, lat + time.Second},
		{"uniform", Fault{Latency: config.Latency{Dist: "uniform", Min: lat, Max: 2 * lat}}, 2 * lat, 4*lat + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := c.px.Listen("rtt-"+strings.ReplaceAll(tc.name, " ", "-"), "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			heal, err := l.Apply(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			defer heal()
			rtts := rtt(t, l.Addr(), "rtt-"+strings.ReplaceAll(tc.name, " ", "-"), 8)
			t.Logf("round trips: median %v, min %v, max %v", median(rtts), slices.Min(rtts), slices.Max(rtts))
			if lo, hi := slices.Min(rtts), median(rtts); lo < tc.min || hi > tc.max {
				t.Errorf("round trips %v: want each ≥ %v and the median ≤ %v", rtts, tc.min, tc.max)
			}
			if st := l.Stats(); st.Up.Forwarded < 8 || st.Down.Forwarded < 8 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// frameSink is an upstream that records the frames it receives.
type frameSink struct {
	ln     net.Listener
	mu     sync.Mutex
	frames []wire.Frame
	done   chan struct{}
}

func newSink(t *testing.T) *frameSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &frameSink{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		fr := wire.NewFrameReader(bufio.NewReader(nc), 0)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.frames = append(s.frames, wire.Frame{Type: f.Type, Body: slices.Clone(f.Body)})
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-s.done })
	return s
}

// Loss drops whole frames, never bytes: what arrives is a subsequence of
// what was sent, every frame intact and in order, and handshake frames
// are never lost.
func TestLossDropsWholeFrames(t *testing.T) {
	noLeak(t)
	sink := newSink(t)
	px, err := New(sink.ln.Addr().String(), Options{Base: Fault{Loss: 0.5, Latency: config.Latency{Dist: "uniform", Min: 0, Max: time.Millisecond}}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	l, err := px.Listen("dn1", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	codec := wire.NewCodec()
	const n = 400
	var stream []byte
	for i := range n {
		if i%50 == 0 {
			stream, _ = codec.AppendEncode(stream, wire.FrameHello, wire.Hello{Magic: wire.Magic, Client: fmt.Sprint(i)})
		}
		stream, _ = codec.AppendMessage(stream, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Seq: uint64(i),
			Stats: proto.Stats{Capacity: int64(i) << 20}})
	}
	// Odd-sized writes, so frames straddle reads.
	for len(stream) > 0 {
		k := min(len(stream), 37)
		if _, err := nc.Write(stream[:k]); err != nil {
			t.Fatal(err)
		}
		stream = stream[k:]
	}
	nc.Close()
	select {
	case <-sink.done:
	case <-time.After(bound):
		t.Fatal("the proxy did not pass on the close")
	}
	var seqs []uint64
	hellos := 0
	for _, f := range sink.frames {
		if f.Type == wire.FrameHello {
			hellos++
			continue
		}
		m, err := codec.DecodeMessage(f)
		if err != nil {
			t.Fatalf("a corrupt frame arrived: %v", err)
		}
		if m.Stats.Capacity != int64(m.Seq)<<20 {
			t.Fatalf("frame %d carries another's body: %+v", m.Seq, m)
		}
		seqs = append(seqs, m.Seq)
	}
	if hellos != n/50 {
		t.Errorf("%d of %d handshake frames arrived; loss must spare them", hellos, n/50)
	}
	if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
		t.Errorf("frames reordered or duplicated: %v", seqs)
	}
	st := l.Stats()
	t.Logf("%d of %d heartbeats arrived; %+v", len(seqs), n, st)
	if len(seqs) < n/4 || len(seqs) > 3*n/4 || st.Up.Dropped != int64(n-len(seqs)) {
		t.Errorf("with p=0.5, %d of %d arrived (stats %+v)", len(seqs), n, st)
	}
}

// An oversized or unknown frame closes only its connection, as the
// NameNode would.
func TestBadFrameClosesConnection(t *testing.T) {
	c := newCluster(t, Options{})
	next := 0
	c.startDN("dn1")
	c.await(&next, "dn1 live", nil, to("dn1", "live"))
	l, err := c.px.Listen("rogue", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Write([]byte{0x7f, 0xff, 0xff, 0xff, 1}); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(bound))
	if _, err := io.Copy(io.Discard, nc); err != nil { // nil: EOF, the proxy closed it
		t.Fatalf("the proxy kept a connection that sent an oversized frame: %v", err)
	}
	c.quiet(&next, 3*interval, []string{"dn1"})
}

func TestFaultCheckAndScale(t *testing.T) {
	for _, f := range []Fault{{Loss: 1.5}, {Loss: -0.1}, {Dir: 4}, {Partition: 9}, {Jitter: -1}, {Burst: config.Burst{Enter: 2}}} {
		if f.Check() == nil {
			t.Errorf("%+v passed Check", f)
		}
	}
	f := Fault{Latency: config.Latency{Dist: "lognormal", Median: 2 * time.Second, P99: 20 * time.Second}, Jitter: time.Second}.Scale(0.1)
	if f.Latency.Median != 200*time.Millisecond || f.Latency.P99 != 2*time.Second || f.Jitter != 100*time.Millisecond {
		t.Errorf("Scale: %+v", f)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	noLeak(t)
	sink := newSink(t)
	px, err := New(sink.ln.Addr().String(), Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := px.Listen("dn1", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Apply(Fault{Partition: Hold}); err != nil { // a held frame must not block Close
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	b, _ := wire.NewCodec().AppendMessage(nil, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1"})
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(bound)
	for l.Stats().Up.Held == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the frame was never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
	px.Close()
	if _, err := px.Listen("dn2", "127.0.0.1:0"); err == nil {
		t.Error("Listen after Close should fail")
	}
	nc.SetReadDeadline(time.Now().Add(bound))
	if _, err := nc.Read(make([]byte, 1)); err == nil {
		t.Error("the connection survived Close")
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
