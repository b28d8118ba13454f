package live

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/wire"
)

// readsEOF reports whether the server closed nc within d.
func readsEOF(nc net.Conn, d time.Duration) bool {
	nc.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, nc)
	return err == nil
}

// awaitUnauthenticated waits until the server holds n connections in
// their handshake.
func awaitUnauthenticated(t *testing.T, s *NameNodeServer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.unauthenticated() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d unauthenticated connections, want %d", s.unauthenticated(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Beyond the cap on connections that have not authenticated, the oldest
// is closed first, and an honest DataNode still gets in.
func TestUnauthenticatedCapClosesOldestFirst(t *testing.T) {
	c := newClusterWith(t, func(cfg *ServerConfig) {
		cfg.MaxUnauthenticated = 3
		cfg.Wire.HandshakeTimeout = time.Minute // only the cap closes them here
	})
	var idle []net.Conn
	for i := range 5 {
		nc, err := net.Dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		idle = append(idle, nc)
		awaitUnauthenticated(t, c.srv, min(i+1, 3))
		if i >= 3 && !readsEOF(idle[i-3], 5*time.Second) {
			t.Fatalf("connection %d still open after connection %d arrived; want the oldest closed", i-2, i+1)
		}
	}
	for i, nc := range idle[2:] {
		if readsEOF(nc, 200*time.Millisecond) {
			t.Errorf("connection %d was closed; only the two oldest should be", i+3)
		}
	}
	next := 0
	c.startDN("dn1")
	c.await(&next, "dn1 live", to("dn1", "live"))
	if n := closedCounts(t, c.srv)["shed"]; n != 3 { // idle 1, 2, then 3 for dn1
		t.Errorf("%v connections shed, want 3", n)
	}
	if !c.logs.await("not authenticated in time to keep its place", 5*time.Second) {
		t.Error("no log line for the connections shed")
	}
}

// The cap never exceeds half the open-file limit.
func TestMaxUnauthenticatedFollowsFileLimit(t *testing.T) {
	cases := []struct {
		configured int
		limit      uint64
		want       int
	}{
		{0, 0, DefaultMaxUnauthenticated},
		{0, 20000, DefaultMaxUnauthenticated},
		{0, 200, 100},
		{50, 200, 50},
		{5000, 1024, 512},
		{10, 1, 1},
	}
	for _, tc := range cases {
		if got := maxUnauthenticated(tc.configured, tc.limit); got != tc.want {
			t.Errorf("maxUnauthenticated(%d, ulimit %d) = %d, want %d", tc.configured, tc.limit, got, tc.want)
		}
	}
}

// flakyListener fails Accept with err while fail > 0, holding back the
// connection it really accepted until the failures are spent.
type flakyListener struct {
	net.Listener
	err   error
	mu    sync.Mutex
	fail  int
	stash net.Conn
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.fail > 0 && l.stash != nil {
		l.fail--
		l.mu.Unlock()
		return nil, l.err
	}
	if c := l.stash; c != nil {
		l.stash = nil
		l.mu.Unlock()
		return c, nil
	}
	l.mu.Unlock()
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail > 0 {
		l.fail--
		l.stash = c
		return nil, l.err
	}
	return c, nil
}

func (l *flakyListener) setFail(n int) {
	l.mu.Lock()
	l.fail = n
	l.mu.Unlock()
}

// serveOn runs a fresh server on ln until the test ends; it returns the
// server and Serve's result.
func serveOn(t *testing.T, ln net.Listener, edit func(*ServerConfig)) (*NameNodeServer, *syncBuffer, <-chan error) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := testServerConfig(logs)
	if edit != nil {
		edit(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done, finished := make(chan error, 1), make(chan struct{})
	go func() {
		done <- srv.Serve(ctx, ln)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		<-finished
		if t.Failed() {
			t.Logf("namenode log:\n%s", logs.String())
		}
	})
	return srv, logs, done
}

// Out of file descriptors, accept fails with EMFILE: the NameNode logs it
// once, closes the oldest unauthenticated connection to free one, backs
// off and accepts again. Before, the process exited ("accept: too many
// open files").
func TestAcceptSurvivesEMFILE(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	ln := &flakyListener{Listener: inner, err: emfile}
	srv, logs, done := serveOn(t, ln, nil)
	stranger, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	awaitUnauthenticated(t, srv, 1)
	ln.setFail(3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dn := DataNodeConfig{DataNode: testDataNode("dn1"), Addr: inner.Addr().String(), Secret: secret}
	dnDone := make(chan error, 1)
	go func() { dnDone <- RunDataNode(ctx, dn) }()
	for srv.Report().Live != 1 {
		select {
		case err := <-done:
			t.Fatalf("Serve returned: %v", err)
		case err := <-dnDone:
			t.Fatalf("the DataNode stopped: %v", err)
		case <-ctx.Done():
			t.Fatal("the DataNode never became live")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-dnDone
	if !readsEOF(stranger, 5*time.Second) {
		t.Error("the unauthenticated stranger was not closed to free a descriptor")
	}
	if n := strings.Count(logs.String(), "accept failed"); n != 1 {
		t.Errorf("%d log lines about accept failing, want 1 for the episode:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "too many open files") {
		t.Error("the log does not say why accept failed")
	}
	mfs, _ := srv.metrics.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "hbsim_namenode_accept_errors_total" && mf.GetMetric()[0].GetCounter().GetValue() != 3 {
			t.Errorf("accept errors = %v, want 3", mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
}

// An accept error that is not the machine's (the listener broke) still
// ends Serve, with the error.
func TestAcceptFatalErrorEndsServe(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &flakyListener{Listener: inner, err: errors.New("listener broken")}
	_, _, done := serveOn(t, ln, nil)
	ln.setFail(1)
	nc, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "listener broken") {
			t.Errorf("Serve = %v, want the listener's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve went on after a broken listener")
	}
}

// remoteListener makes every connection appear to come from addr.
type remoteListener struct {
	net.Listener
	addr net.Addr
}

type remoteConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteConn) RemoteAddr() net.Addr { return c.addr }

func (l remoteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return remoteConn{c, l.addr}, nil
}

// Without a cluster secret the NameNode accepts only DataNodes on its own
// host, unless --insecure; a refused DataNode is told which flag to use.
func TestNoSecretAcceptsLoopbackOnly(t *testing.T) {
	remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 50010} // TEST-NET-1
	cases := []struct {
		name     string
		from     net.Addr
		secret   []byte
		insecure bool
		refused  bool
	}{
		{"loopback, no secret", nil, nil, false, false},
		{"remote, no secret", remote, nil, false, true},
		{"remote, no secret, insecure", remote, nil, true, false},
		{"remote, secret", remote, secret, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var ln net.Listener = inner
			if tc.from != nil {
				ln = remoteListener{inner, tc.from}
			}
			srv, logs, _ := serveOn(t, ln, func(cfg *ServerConfig) { cfg.Secret, cfg.Insecure = tc.secret, tc.insecure })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			dnDone := make(chan error, 1)
			go func() {
				dnDone <- RunDataNode(ctx, DataNodeConfig{DataNode: testDataNode("dn1"), Addr: inner.Addr().String(), Secret: tc.secret})
			}()
			if tc.refused {
				err := <-dnDone
				if !errors.Is(err, wire.ErrAuth) || !strings.Contains(err.Error(), "--insecure") || !strings.Contains(err.Error(), SecretEnv) {
					t.Fatalf("DataNode: %v, want authentication failed naming --insecure and %s", err, SecretEnv)
				}
				if !logs.await("--insecure", 5*time.Second) {
					t.Error("the NameNode's log does not name --insecure")
				}
				return
			}
			for srv.Report().Live != 1 {
				select {
				case err := <-dnDone:
					t.Fatalf("DataNode: %v", err)
				case <-ctx.Done():
					t.Fatal("the DataNode never became live")
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
	}
}

// A thousand strangers each sending a 1 MiB length header cost the
// NameNode a few KiB each, not the 1 MiB they claim (before: 1 MiB per
// connection, VmPeak 3 GB).
func TestOversizedHeadersAllocateNothing(t *testing.T) {
	c := newCluster(t)
	const conns = 1000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			nc, err := net.Dial("tcp", c.addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			nc.Write(binary.BigEndian.AppendUint32(nil, 1<<20))
			if !readsEOF(nc, 10*time.Second) {
				t.Error("the NameNode kept a connection that announced a 1 MiB hello")
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for closedCounts(t, c.srv)["protocol"] < conns && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	runtime.ReadMemStats(&after)
	perConn := float64(after.TotalAlloc-before.TotalAlloc) / conns
	t.Logf("%.0f bytes allocated per connection (both ends, whole test process)", perConn)
	if perConn > 128<<10 {
		t.Errorf("%.0f bytes allocated per connection, want well under the 1 MiB it claimed", perConn)
	}
}

// BenchmarkUnauthenticatedConnection: the NameNode's memory for one
// connection that never authenticates (the cap multiplies it), reported
// as heap-B/conn.
func BenchmarkUnauthenticatedConnection(b *testing.B) {
	logs := &syncBuffer{}
	cfg := testServerConfig(logs)
	cfg.Wire.HandshakeTimeout = time.Hour
	cfg.MaxUnauthenticated = 1 << 20
	srv, err := NewServer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	const n = 1000
	var per float64
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var conns []net.Conn
		for range n {
			nc, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, nc)
		}
		for srv.unauthenticated() < n {
			time.Sleep(time.Millisecond)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		per = float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / n
		for _, nc := range conns {
			nc.Close()
		}
		for srv.unauthenticated() > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	b.ReportMetric(per, "heap-B/conn")
}

func TestCheckTimeScale(t *testing.T) {
	for _, x := range []float64{0, MinTimeScale, 0.05, 1, MaxTimeScale} {
		if err := CheckTimeScale(x); err != nil {
			t.Errorf("CheckTimeScale(%v) = %v, want nil", x, err)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 1e-300, MinTimeScale / 2, 1e300, MaxTimeScale * 2} {
		if err := CheckTimeScale(x); err == nil {
			t.Errorf("CheckTimeScale(%v) accepted", x)
		}
	}
	if _, err := NewServer(ServerConfig{NameNode: testServerConfig(nil).NameNode, TimeScale: math.NaN()}); err == nil {
		t.Error("NewServer accepted a NaN time scale (events would carry at_ms -9223372036854.775)")
	}
	if got := (Clock{Scale: MaxTimeScale}).Real(math.MaxInt64 / 2); got != math.MaxInt64 {
		t.Errorf("Real(never) at scale %v = %v, want it to saturate", MaxTimeScale, got)
	}
}
