package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Exit codes of a command stopped by a signal, as a shell reports a
// process killed by one: 128 + the signal's number.
const (
	exitInterrupted = 130 // SIGINT, Ctrl-C
	exitTerminated  = 143 // SIGTERM
)

// notifySignals starts delivering SIGINT and SIGTERM to c and returns what
// stops it: os/signal's, unless a test gives the app its own.
func notifySignals(c chan<- os.Signal) (stop func()) {
	signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
	return func() { signal.Stop(c) }
}

// interrupt is a context cancelled by the first SIGINT or SIGTERM, and
// which one it was. After the first, the signals are no longer caught: a
// second Ctrl-C stops the process at once, the usual way out of a command
// that takes long to stop.
type interrupt struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	sig    os.Signal
	stop   func()
	done   chan struct{}
}

// interruptible returns a context the signals cancel; call stop when the
// command is done with it.
func (a *app) interruptible() *interrupt {
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupt{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	c := make(chan os.Signal, 1)
	notify := a.signals
	if notify == nil {
		notify = notifySignals
	}
	stopNotify := notify(c)
	var once sync.Once
	in.stop = func() {
		once.Do(func() {
			stopNotify()
			close(in.done)
			cancel()
		})
	}
	go func() {
		select {
		case s := <-c:
			in.mu.Lock()
			in.sig = s
			in.mu.Unlock()
			stopNotify()
			cancel()
		case <-in.done:
		}
	}()
	return in
}

// signal is the signal that cancelled the context, or nil.
func (in *interrupt) signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// exitError is the exit status of an interrupted command, with what to
// say: exit 130 for SIGINT, 143 for SIGTERM.
func (in *interrupt) exitError(what string) *exitError {
	code, name := exitInterrupted, "SIGINT"
	if in.signal() == syscall.SIGTERM {
		code, name = exitTerminated, "SIGTERM"
	}
	return &exitError{code: code, err: fmt.Errorf("%s (%s)", what, name)}
}
