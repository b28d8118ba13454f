package liverun

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
)

// child is one process hbsim started.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once reaped
	// lines are the child's stdout lines, until it exits.
	lines chan string
}

// procs owns every child; reapAll kills and waits for all of them.
type procs struct {
	mu   sync.Mutex
	all  []*child
	exe  string
	env  []string
	errw io.Writer
}

func (p *procs) start(name string, args ...string) (*child, error) {
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
	c := &child{name: name, cmd: cmd, done: make(chan struct{}), lines: make(chan string, 1024)}
	p.mu.Lock()
	p.all = append(p.all, c)
	p.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
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
	for range c.lines { // drain so the reader can reach Wait
	}
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

// Pids lists the children started, for tests that check none survives.
func (p *procs) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, len(p.all))
	for i, c := range p.all {
		pids[i] = c.cmd.Process.Pid
	}
	return pids
}
