package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/pkg/live"
)

// asHbsimEnv makes the test binary run as hbsim itself (see TestMain), so
// daemon tests start real `hbsim namenode` processes without a build.
const asHbsimEnv = "HBSIM_TEST_AS_HBSIM"

func TestMain(m *testing.M) {
	if os.Getenv(asHbsimEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
	}
	os.Exit(m.Run())
}

// Daemon flags reject NaN, infinities, overflow and values that make no
// sense with one line naming the flag, exit 2, before listening on
// anything. `--time-scale NaN` used to run, with events at
// at_ms -9223372036854.775.
func TestDaemonFlagsRejectBadNumbers(t *testing.T) {
	nn := []string{"namenode", "--listen", "127.0.0.1:0", "--http", ""}
	dn := []string{"datanode", "--namenode", "127.0.0.1:1"}
	cases := []struct {
		args []string
		flag string
	}{
		{append(nn, "--time-scale", "NaN"), "--time-scale"},
		{append(nn, "--time-scale", "Inf"), "--time-scale"},
		{append(nn, "--time-scale", "-Inf"), "--time-scale"},
		{append(nn, "--time-scale", "1e400"), "--time-scale"},
		{append(nn, "--time-scale", "0"), "--time-scale"},
		{append(nn, "--time-scale", "-1"), "--time-scale"},
		{append(nn, "--time-scale", "1e-300"), "--time-scale"},
		{append(nn, "--time-scale", "1e300"), "--time-scale"},
		{append(nn, "--max-unauthenticated", "0"), "--max-unauthenticated"},
		{append(nn, "--max-unauthenticated", "-5"), "--max-unauthenticated"},
		{append(nn, "--max-unauthenticated", "99999999999999999999"), "--max-unauthenticated"},
		{append(nn, "--handshake-timeout", "0s"), "--handshake-timeout"},
		{append(nn, "--handshake-timeout", "-1s"), "--handshake-timeout"},
		{append(nn, "--handshake-timeout", "9999999999h"), "--handshake-timeout"},
		{append(nn, "--handshake-timeout", "2h"), "--handshake-timeout"},
		{append(dn, "--time-scale", "NaN"), "--time-scale"},
		{append(dn, "--time-scale", "+Inf"), "--time-scale"},
		{append(dn, "--count", "0"), "--count"},
		{append(dn, "--count", "1000000000"), "--count"},
		{append(dn, "--count", "9223372036854775808"), "--count"},
		{append(dn, "--capacity", "-1"), "--capacity"},
		{append(dn, "--capacity", "99999999999999999999"), "--capacity"},
		{append(dn, "--used", "-1"), "--used"},
		{append(dn, "--capacity", "100", "--used", "200"), "--used"},
		// hbsim run --live hands --speed to its children as --time-scale:
		// refused up front, under its own name.
		{[]string{"run", "../../scenarios/single-crash.yaml", "--live", "--speed", "NaN"}, "--speed"},
		{[]string{"run", "../../scenarios/single-crash.yaml", "--live", "--speed", "1e-9"}, "--speed"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[len(c.args)-2:], " "), func(t *testing.T) {
			code, out, errOut := hbsim(t, c.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.HasPrefix(errOut, "hbsim: ") || !strings.Contains(errOut, c.flag) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr = %q, want one line naming %s", errOut, c.flag)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

// daemon is an hbsim process started by a test.
type daemon struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout
	stderr *lockedBuffer
	exited chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDaemon runs this test binary as hbsim with args, under `ulimit -n
// nofile` if nofile > 0. The process is killed if the test process dies,
// and stopped (SIGTERM, then SIGKILL) when the test ends.
func startDaemon(t *testing.T, env []string, nofile int, args ...string) *daemon {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if nofile > 0 {
		// exec keeps the pid, so signals and /proc reach hbsim itself.
		cmd = exec.Command("sh", append([]string{"-c", `ulimit -n "$1" && shift && exec "$@"`, "sh", strconv.Itoa(nofile), exe}, args...)...)
	} else {
		cmd = exec.Command(exe, args...)
	}
	cmd.Env = append(append(os.Environ(), asHbsimEnv+"=1", live.SecretEnv+"="), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	d := &daemon{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = d.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
		d.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("hbsim %s: %v\nstderr:\n%s", args[0], err, d.stderr.String())
		}
		if err := syscall.Kill(cmd.Process.Pid, 0); err != syscall.ESRCH {
			t.Errorf("hbsim %s (pid %d) still exists", args[0], cmd.Process.Pid)
		}
	})
	return d
}

// stop sends SIGTERM and waits for a clean exit; SIGKILL after 10s.
func (d *daemon) stop() error {
	if d.cmd.ProcessState != nil {
		return nil
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	for range d.lines { // drain, so the process never blocks on stdout
	}
	select {
	case err := <-d.exited:
		return err
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.exited
		return fmt.Errorf("did not stop within 10s of SIGTERM")
	}
}

// line returns the next stdout line, failing after 10s.
func (d *daemon) line() string {
	d.t.Helper()
	select {
	case l, ok := <-d.lines:
		if !ok {
			d.t.Fatalf("hbsim exited: stderr:\n%s", d.stderr.String())
		}
		return l
	case <-time.After(10 * time.Second):
		d.t.Fatalf("no output within 10s; stderr:\n%s", d.stderr.String())
	}
	return ""
}

// `hbsim namenode` says where DataNodes and people connect and whether a
// secret protects the cluster; with --events the first stdout line stays
// the JSON that `hbsim run --live` reads, and the words go to stderr.
// `hbsim report` pointed at the RPC port says to use the HTTP address.
func TestNameNodeStartsTalking(t *testing.T) {
	d := startDaemon(t, nil, 0, "namenode", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0")
	first := d.line()
	m := regexp.MustCompile(`^hbsim namenode: DataNodes connect to (\S+) \(RPC\)$`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q, want the RPC address", first)
	}
	rpc := m[1]
	banner := []string{first, d.line(), d.line(), d.line(), d.line()}
	hm := regexp.MustCompile(`status page:  http://(\S+)/`).FindStringSubmatch(banner[1])
	if hm == nil {
		t.Fatalf("banner %q lacks the status page", banner)
	}
	httpAddr := hm[1]
	for _, want := range []string{"hbsim report --namenode " + httpAddr, "secret:       none: only DataNodes on this host may join", "--insecure"} {
		if !strings.Contains(strings.Join(banner, "\n"), want) {
			t.Errorf("banner lacks %q:\n%s", want, strings.Join(banner, "\n"))
		}
	}
	for _, l := range banner {
		if len([]rune(l)) > 80 {
			t.Errorf("banner line of %d columns: %q", len([]rune(l)), l)
		}
	}

	code, _, errOut := hbsim(t, "report", "--namenode", rpc)
	want := "hbsim: report: " + rpc + " is the NameNode's RPC port, for DataNodes; use its HTTP address: hbsim report --namenode " + httpAddr + "\n"
	if code != exitBadInput || errOut != want {
		t.Errorf("report at the RPC port: exit %d, %q; want 2, %q", code, errOut, want)
	}
	if code, out, errOut := hbsim(t, "report", "--namenode", httpAddr); code != 0 || !strings.Contains(out, "Live datanodes (0)") {
		t.Errorf("report at the HTTP address: exit %d, %q %q", code, out, errOut)
	}

	ev := startDaemon(t, []string{live.SecretEnv + "=s3cret"}, 0, "namenode", "--listen", "127.0.0.1:0", "--http", "", "--events", "--log-level", "info")
	var hello struct{ Kind, Addr, HTTP string }
	if l := ev.line(); json.Unmarshal([]byte(l), &hello) != nil || hello.Kind != "listening" || hello.Addr == "" {
		t.Fatalf("with --events the first stdout line is %q, want the listening JSON", l)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ev.stderr.String(), `secret=$HBSIM_CLUSTER_SECRET`) {
		if time.Now().After(deadline) {
			t.Fatalf("with --events the log does not say where the secret comes from:\n%s", ev.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(ev.stderr.String(), "status page:") {
		t.Errorf("with --events the banner should stay out of stderr (hbsim run --live shows it):\n%s", ev.stderr.String())
	}
}

// Issue 12's live rows: a NameNode with `ulimit -n 200` exited on
// "accept: too many open files" under 400 connections that never log in,
// and 1,000 connections announcing 1 MiB frames cost it 1 MiB each. Here
// it faces 2,000 idle connections and a stream of 1 MiB headers with
// `ulimit -n 200`, while honest DataNodes heartbeat: every one stays live
// throughout, one that joins during the flood gets in, and the process
// neither exits nor grows.
func TestNameNodeSurvivesFloodUnderUlimit(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test skipped in -short mode: it opens 2,000 connections")
	}
	const (
		idleConns = 2000
		flood     = 8 * time.Second
		hbEvery   = 500 * time.Millisecond
		secret    = "flood-secret"
	)
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < idleConns+500 {
		t.Skipf("flood test skipped: the test process may open %d files, it needs %d", rl.Cur, idleConns+500)
	}
	d := startDaemon(t, []string{live.SecretEnv + "=" + secret}, 200,
		"namenode", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--events", "--log-level", "info",
		"--handshake-timeout", "2s",
		"--set", "heartbeat.interval=500ms", "--set", "heartbeat.check_interval=250ms",
		"--set", "heartbeat.miss_threshold=10", "--set", "heartbeat.stale_after=4s")
	var hello struct{ Kind, Addr, HTTP string }
	if l := d.line(); json.Unmarshal([]byte(l), &hello) != nil || hello.Kind != "listening" {
		t.Fatalf("first line %q, want the listening JSON", l)
	}
	// Every transition, as the NameNode publishes it.
	var (
		evMu   sync.Mutex
		events []live.Event
	)
	go func() {
		for l := range d.lines {
			var e live.Event
			if json.Unmarshal([]byte(l), &e) == nil && e.Kind == "transition" {
				evMu.Lock()
				events = append(events, e)
				evMu.Unlock()
			}
		}
	}()
	liveNodes := func() map[string]bool {
		evMu.Lock()
		defer evMu.Unlock()
		m := map[string]bool{}
		for _, e := range events {
			m[e.Node] = e.To == "live"
		}
		return m
	}
	awaitLive := func(ids []string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			m, all := liveNodes(), true
			for _, id := range ids {
				all = all && m[id]
			}
			if all {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%v not all live within %v: %v\nnamenode stderr (tail):\n%s", ids, within, m, tail(d.stderr.String(), 40))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var dns sync.WaitGroup
	defer func() { cancel(); dns.Wait() }()
	startDN := func(id string) {
		dns.Add(1)
		go func() {
			defer dns.Done()
			dc := datanode.DefaultConfig()
			dc.ID, dc.HeartbeatInterval, dc.RPCTimeout, dc.Capacity = id, hbEvery, hbEvery, 1<<30
			cfg := live.DataNodeConfig{DataNode: dc, Addr: hello.Addr, Secret: []byte(secret)}
			if err := live.RunDataNode(ctx, cfg); err != nil {
				t.Errorf("honest %s: %v", id, err)
			}
		}()
	}
	honest := []string{"dn1", "dn2", "dn3", "dn4", "dn5"}
	for _, id := range honest {
		startDN(id)
	}
	awaitLive(honest, 20*time.Second)

	// The flood: 2,000 connections that never send a byte, held until
	// the NameNode closes them, and a stream of 1 MiB length headers.
	var (
		floodWG                     sync.WaitGroup
		dialed, dialFailed, closedB atomic.Int64
		headers                     atomic.Int64
		held                        sync.Map
	)
	floodCtx, stopFlood := context.WithTimeout(ctx, flood)
	defer stopFlood()
	work := make(chan struct{}, idleConns)
	for range idleConns {
		work <- struct{}{}
	}
	close(work)
	for range 32 {
		floodWG.Add(1)
		go func() {
			defer floodWG.Done()
			for range work {
				nc, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(floodCtx, "tcp", hello.Addr)
				if err != nil {
					dialFailed.Add(1)
					continue
				}
				dialed.Add(1)
				held.Store(nc, true)
				floodWG.Add(1)
				go func() { // hold it; count the NameNode closing it
					defer floodWG.Done()
					if _, err := io.Copy(io.Discard, nc); err == nil {
						closedB.Add(1)
					}
				}()
			}
		}()
	}
	for range 8 {
		floodWG.Add(1)
		go func() {
			defer floodWG.Done()
			for floodCtx.Err() == nil {
				nc, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(floodCtx, "tcp", hello.Addr)
				if err != nil {
					continue
				}
				nc.Write(binary.BigEndian.AppendUint32(nil, 1<<20))
				nc.SetReadDeadline(time.Now().Add(3 * time.Second))
				io.Copy(io.Discard, nc)
				nc.Close()
				headers.Add(1)
			}
		}()
	}
	// A DataNode that joins during the flood gets in.
	time.Sleep(2 * time.Second)
	startDN("dn6")
	awaitLive(append(honest, "dn6"), 30*time.Second)
	<-floodCtx.Done()
	held.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
	floodWG.Wait()
	t.Logf("flood: %d idle connections made (%d failed to connect), %d closed by the NameNode; %d 1 MiB headers sent",
		dialed.Load(), dialFailed.Load(), closedB.Load(), headers.Load())
	if dialed.Load() < idleConns/2 || headers.Load() < 100 {
		t.Errorf("the flood did not reach the NameNode: %d idle connections, %d headers", dialed.Load(), headers.Load())
	}

	// Heartbeats go on after the flood, and nothing honest ever left live.
	time.Sleep(2 * hbEvery)
	resp, err := http.Get("http://" + hello.HTTP + "/api/datanodes")
	if err != nil {
		t.Fatal(err)
	}
	var r live.DataNodesReport
	err = json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	if err != nil || r.Live != 6 || r.Stale != 0 || r.Dead != 0 {
		t.Errorf("after the flood: %d live, %d stale, %d dead (%v); want 6 live", r.Live, r.Stale, r.Dead, err)
	}
	evMu.Lock()
	for _, e := range events {
		if e.To != "live" {
			t.Errorf("an honest DataNode left live: %+v", e)
		}
	}
	evMu.Unlock()
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid)); err == nil {
		m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
		if m != nil {
			kb, _ := strconv.Atoi(string(m[1]))
			t.Logf("NameNode peak resident memory (VmHWM): %d MiB", kb>>10)
			if kb > 256<<10 {
				t.Errorf("NameNode peak resident memory %d MiB, want under 256 MiB", kb>>10)
			}
		}
	}
	for _, want := range []string{"fewer unauthenticated connections allowed than asked", "max_unauthenticated=100"} {
		if !strings.Contains(d.stderr.String(), want) {
			t.Errorf("the NameNode's log lacks %q", want)
		}
	}
	cancel()
	dns.Wait()
	if err := d.stop(); err != nil {
		t.Errorf("the NameNode did not stop cleanly after the flood: %v\n%s", err, tail(d.stderr.String(), 40))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// The README quotes the banner as `hbsim namenode` prints it for the
// addresses of its example.
func TestREADMEQuotesNameNodeBanner(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "```\n" + startBanner("127.0.0.1:8020", "127.0.0.1:9870", "$"+live.SecretEnv, false) + "```\n"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md should quote the banner exactly:\n%s", want)
	}
}

// TestDataNodeIDs: --count alone names the DataNodes dn1..dnN as the
// simulator does (it gave dn11..dn1N: the default id dn1 was taken as the
// prefix); --id names one node, or is the prefix with --count.
func TestDataNodeIDs(t *testing.T) {
	for _, c := range []struct {
		id    string
		count int
		want  string
	}{
		{"", 1, "dn1"},
		{"", 3, "dn1 dn2 dn3"},
		{"edge7", 1, "edge7"},
		{"r1-dn", 2, "r1-dn1 r1-dn2"},
	} {
		ids, err := datanodeIDs(c.id, c.count)
		if got := strings.Join(ids, " "); err != nil || got != c.want {
			t.Errorf("--id %q --count %d: %q, %v; want %q", c.id, c.count, got, err, c.want)
		}
	}
}
