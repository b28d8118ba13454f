package liverun

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"

	"github.com/hbsim/hbsim/pkg/live"
)

// child is one process hbsim started.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once every line is read and the child reaped
}

// procs owns every child; reapAll kills and waits for all of them.
type procs struct {
	mu   sync.Mutex
	all  []*child
	exe  string
	env  []string
	errw io.Writer
}

// start starts a child; read gets each line of its stdout, in order, on
// one goroutine, all of them before the child counts as reaped.
func (p *procs) start(name string, read func(line string), args ...string) (*child, error) {
	cmd := exec.Command(p.exe, args...)
	cmd.Env = p.env
	cmd.Stderr = p.errw
	// Own process group: Ctrl-C at the terminal reaches only us, and we
	// kill each child's whole group. Pdeathsig: if we die by SIGKILL,
	// the kernel kills the children too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	p.mu.Lock()
	p.all = append(p.all, c)
	p.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			read(sc.Text())
		}
		_, _ = io.Copy(io.Discard, out) // past a line too long to scan
		_ = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// signal sends sig to the child's process group.
func (c *child) signal(sig syscall.Signal) error {
	if err := syscall.Kill(-c.cmd.Process.Pid, sig); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("%s: %v: %w", c.name, sig, err)
	}
	return nil
}

// kill SIGKILLs the child's group and waits until it is reaped.
func (c *child) kill() {
	_ = c.signal(syscall.SIGKILL)
	<-c.done
}

// reapAll kills every child still running and waits for each.
func (p *procs) reapAll() {
	p.mu.Lock()
	all := append([]*child(nil), p.all...)
	p.mu.Unlock()
	for _, c := range all {
		_ = c.signal(syscall.SIGCONT) // a stopped process dies of SIGKILL too, but be plain about it
		c.kill()
	}
}

// pids lists the children started, for tests that check none survives.
func (p *procs) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, len(p.all))
	for i, c := range p.all {
		pids[i] = c.cmd.Process.Pid
	}
	return pids
}

// dataNodes is what a live run does to its DataNodes' processes: the
// fault interpreter's kill, restart, pause and resume reach them through
// it. Node arguments are model handles.
type dataNodes interface {
	start(node int32) error // a fresh process (a restart is a start)
	kill(node int32)        // SIGKILL, and wait until it is reaped
	pause(node int32) error // SIGSTOP: alive, but silent
	resume(node int32) error
}

// osDataNodes runs each DataNode as an `hbsim datanode` child.
type osDataNodes struct {
	p    *procs
	ids  []string
	args func(node int32) []string // the child's command line
	cur  []*child                  // nil: not running
	sent []sentCount
}

func newOSDataNodes(p *procs, ids []string, args func(int32) []string) *osDataNodes {
	return &osDataNodes{p: p, ids: ids, args: args, cur: make([]*child, len(ids)), sent: make([]sentCount, len(ids))}
}

func (d *osDataNodes) start(node int32) error {
	sc := &d.sent[node]
	gen := sc.newLife()
	c, err := d.p.start(d.ids[node], func(line string) {
		var st live.Status
		if json.Unmarshal([]byte(line), &st) == nil && st.Kind == "sent" {
			sc.set(gen, st)
		}
	}, d.args(node)...)
	if err != nil {
		return err
	}
	d.cur[node] = c
	return nil
}

func (d *osDataNodes) kill(node int32) {
	if c := d.cur[node]; c != nil {
		c.kill()
		d.cur[node] = nil
	}
}

func (d *osDataNodes) pause(node int32) error { return d.signal(node, syscall.SIGSTOP) }

func (d *osDataNodes) resume(node int32) error { return d.signal(node, syscall.SIGCONT) }

func (d *osDataNodes) signal(node int32, sig syscall.Signal) error {
	if c := d.cur[node]; c != nil {
		return c.signal(sig)
	}
	return nil
}

// sentCount sums what a node sent over its lifetimes: each process
// counts from zero.
type sentCount struct {
	mu         sync.Mutex
	past, cur  live.Status
	generation int
}

// newLife starts counting a new process and returns its generation.
func (s *sentCount) newLife() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.past.HeartbeatsSent += s.cur.HeartbeatsSent
	s.past.MessagesSent += s.cur.MessagesSent
	s.cur = live.Status{}
	s.generation++
	return s.generation
}

// set takes a status line of generation gen (ignored once the node has
// restarted: a dead process's last lines may still be in the pipe).
func (s *sentCount) set(gen int, st live.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.generation == gen {
		s.cur = st
	}
}

// total is the heartbeats and messages sent over every lifetime.
func (s *sentCount) total() (heartbeats, messages int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.past.HeartbeatsSent + s.cur.HeartbeatsSent, s.past.MessagesSent + s.cur.MessagesSent
}
