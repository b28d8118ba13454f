package live

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// Benchmarks of the live NameNode, run by `make bench`, not `make test`.
//
//	BenchmarkTenThousandDataNodes: one NameNode (this process) takes
//	  heartbeats every 3s from 10,000 DataNodes hosted in a child process,
//	  as `hbsim datanode --count 10000` hosts them; it reports the false
//	  positives (must be 0) and the heartbeats ingested per second.
//	  HBSIM_BENCH_DURATION is how long the cluster is watched in all
//	  (default 1m, split over the iterations: 3 under make bench);
//	  HBSIM_BENCH_DURATION=10m is the ten-minute run.
//	  HBSIM_BENCH_NODES changes the 10,000.
//	BenchmarkHeartbeatIngest: connections hammering heartbeats, each
//	  waiting for its reply; one op is 10,000 heartbeats; it reports
//	  heartbeats/s and the p99 round trip (send to reply).

// childEnv makes the test binary a DataNode host (see TestMain).
const childEnv = "HBSIM_BENCH_CHILD_DATANODES"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(hostDataNodes(spec))
	}
	os.Exit(m.Run())
}

// hostDataNodes runs "count,addr,interval" DataNodes until SIGTERM, as
// `hbsim datanode --count` does: one RunDataNode each, one start time.
func hostDataNodes(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 3 {
		fmt.Fprintln(os.Stderr, "bad", childEnv, spec)
		return 2
	}
	count, err := strconv.Atoi(f[0])
	addr := f[1]
	interval, err2 := time.ParseDuration(f[2])
	if err != nil || err2 != nil || count < 1 || interval <= 0 {
		fmt.Fprintln(os.Stderr, "bad", childEnv, spec)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	start := time.Now()
	cfgs := make([]DataNodeConfig, count)
	for i := range cfgs {
		cfgs[i] = DataNodeConfig{
			DataNode: dnConfig(fmt.Sprintf("dn%d", i+1), interval, 100<<30, 0),
			Addr:     addr, Secret: []byte(os.Getenv(SecretEnv)), Start: start,
		}
	}
	if err := RunDataNodes(ctx, cfgs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func envDuration(b *testing.B, key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			b.Fatalf("%s=%q: want a positive duration such as 10m", key, v)
		}
		return d
	}
	return def
}

func BenchmarkTenThousandDataNodes(b *testing.B) {
	total := envDuration(b, "HBSIM_BENCH_DURATION", time.Minute)
	nodes := 10000
	if v := os.Getenv("HBSIM_BENCH_NODES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("HBSIM_BENCH_NODES=%q", v)
		}
		nodes = n
	}
	const interval = benchInterval
	srv, ln := serveBench(b)

	// The DataNodes live in a child process: 10,000 connections have two
	// ends, and one process may not hold 20,000 descriptors.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s %v", childEnv, nodes, ln.Addr(), interval), SecretEnv+"=bench")
	child.Stderr = os.Stderr
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		_ = child.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = child.Process.Kill()
			<-exited
		}
	}()

	began := time.Now()
	for srv.Report().Live < nodes {
		select {
		case err := <-exited:
			b.Fatalf("the DataNode host exited: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
		if time.Since(began) > 3*time.Minute {
			b.Fatalf("only %d of %d DataNodes live after 3 minutes", srv.Report().Live, nodes)
		}
	}
	registered := time.Since(began)
	b.Logf("%d DataNodes live %v after their host started", nodes, registered.Round(100*time.Millisecond))

	sum := func() (hb int64, worst float64) {
		for _, d := range srv.Report().DataNodes {
			hb += d.Heartbeats
			worst = max(worst, d.LastContactS)
		}
		return hb, worst
	}
	// Each iteration watches an equal share of the run; make bench's
	// -benchtime 3x makes three.
	window := total / 3
	hb0, _ := sum()
	t0 := time.Now()
	var worst float64
	for b.Loop() {
		end := time.Now().Add(window)
		for time.Now().Before(end) {
			select {
			case err := <-exited:
				b.Fatalf("the DataNode host exited: %v", err)
			case <-time.After(min(5*time.Second, time.Until(end))):
			}
			_, w := sum()
			worst = max(worst, w)
		}
	}
	hb1, _ := sum()
	watched := time.Since(t0)
	falsePositives := 0
	for _, e := range srv.Events(0) {
		if e.Kind == "transition" && e.To == "dead" {
			falsePositives++
		}
	}
	r := srv.Report()
	b.ReportMetric(float64(falsePositives), "false_positives")
	b.ReportMetric(float64(hb1-hb0)/watched.Seconds(), "heartbeats/s")
	b.ReportMetric(worst, "max_last_contact_s")
	b.ReportMetric(registered.Seconds(), "register_all_s")
	b.Logf("watched %v: %d heartbeats, %d false positives, %d live / %d stale / %d dead, longest silence seen %.1fs",
		watched.Round(time.Second), hb1-hb0, falsePositives, r.Live, r.Stale, r.Dead, worst)
	if falsePositives != 0 {
		b.Errorf("%d false positives with no DataNode killed", falsePositives)
	}
}

func BenchmarkHeartbeatIngest(b *testing.B) {
	for _, conns := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchIngest(b, conns) })
	}
}

func benchIngest(b *testing.B, conns int) {
	const perOp = 10000 // heartbeats per op: one 3s round of a 10,000-node cluster
	secret := benchSecret
	srv, ln := serveBench(b)

	type client struct {
		c      *wire.Conn
		id     string
		handle uint32
		seq    uint64
		lat    []time.Duration
	}
	clients := make([]*client, conns)
	for i := range clients {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		c := wire.NewConn(nc, wire.Options{ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second})
		defer c.Close()
		id := fmt.Sprintf("dn%d", i+1)
		if err := c.Handshake(id, secret); err != nil {
			b.Fatal(err)
		}
		if err := c.Send(proto.Message{Type: proto.TypeRegister, Node: id, Stats: proto.Stats{Capacity: 1 << 40}}); err != nil {
			b.Fatal(err)
		}
		m, err := c.Recv()
		if err != nil || m.Type != proto.TypeRegisterReply || m.Refused != "" {
			b.Fatalf("register %s: %+v, %v", id, m, err)
		}
		clients[i] = &client{c: c, id: id, handle: m.Handle}
	}
	// Each connection sends its share, waits for each reply, and times it.
	round := func() error {
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		for i, cl := range clients {
			n := perOp / conns
			if i < perOp%conns {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					cl.seq++
					start := time.Now()
					if err := cl.c.Send(proto.Message{Type: proto.TypeHeartbeat, Node: cl.id, Handle: cl.handle, Seq: cl.seq,
						Stats: proto.Stats{Capacity: 1 << 40, Used: int64(cl.seq)}}); err != nil {
						errs <- err
						return
					}
					m, err := cl.c.Recv()
					if err != nil || m.Type != proto.TypeHeartbeatReply || m.Seq != cl.seq {
						errs <- fmt.Errorf("%s: reply %+v, %v", cl.id, m, err)
						return
					}
					cl.lat = append(cl.lat, time.Since(start))
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
	if err := round(); err != nil { // warm up
		b.Fatal(err)
	}
	for _, cl := range clients {
		cl.lat = cl.lat[:0]
	}
	start := time.Now()
	ops := 0
	for b.Loop() {
		if err := round(); err != nil {
			b.Fatal(err)
		}
		ops++
	}
	elapsed := time.Since(start)
	var all []time.Duration
	for _, cl := range clients {
		all = append(all, cl.lat...)
	}
	slices.Sort(all)
	p := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	b.ReportMetric(float64(ops*perOp)/elapsed.Seconds(), "heartbeats/s")
	b.ReportMetric(float64(p(0.99))/float64(time.Microsecond), "p99_us")
	b.ReportMetric(float64(p(0.5))/float64(time.Microsecond), "p50_us")
	if r := srv.Report(); r.Live != conns {
		b.Errorf("%d live after the run, want %d", r.Live, conns)
	}
}

// benchInterval and benchSecret are HDFS's heartbeat interval and the
// benchmarks' cluster secret.
const benchInterval = 3 * time.Second

var benchSecret = []byte("bench")

// serveBench starts a NameNode with HDFS's defaults (dead after 10 missed
// 3s heartbeats, scans every 3s) on 127.0.0.1; it stops with the benchmark.
func serveBench(b *testing.B) (*NameNodeServer, net.Listener) {
	b.Helper()
	srv, err := NewServer(ServerConfig{
		NameNode: nnConfig(benchInterval, benchInterval, 10, 30*time.Second),
		Secret:   benchSecret,
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			b.Error(err)
		}
	})
	return srv, ln
}
