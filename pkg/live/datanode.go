package live

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// DataNodeConfig configures one real-time DataNode.
type DataNodeConfig struct {
	// DataNode configures the state machine, exactly as the simulator does.
	DataNode datanode.Config
	// Addr is the NameNode's host:port.
	Addr string
	// Secret is the cluster secret.
	Secret []byte
	// Wire tunes the connection; a zero WriteTimeout becomes one heartbeat
	// interval (a write that takes longer is a lost heartbeat anyway).
	Wire wire.Options
	// BackoffMin and BackoffMax bound the wait between two connection
	// attempts; it doubles from min to max with ±50% jitter. Defaults:
	// 100ms and 5s (HDFS retries its handshake every 5s).
	BackoffMin, BackoffMax time.Duration
	// Start is the node's time zero; zero means when RunDataNode is called.
	Start time.Time
	// TimeScale is wall-clock seconds per second of the machine's time, as
	// for the NameNode (0 or 1: real time).
	TimeScale float64
	// Log receives connection logs; nil discards them.
	Log *slog.Logger
	// OnSent, if not nil, is called after the machine sends messages,
	// with the heartbeats and all messages sent so far, lost ones included
	// (for `hbsim run --live`, which counts them as the simulator does).
	OnSent func(id string, heartbeats, messages int64)
}

// Status is a DataNode process's status line on stdout with --status
// (JSON, one a line), read by `hbsim run --live`.
type Status struct {
	Kind           string `json:"kind"` // "sent"
	Node           string `json:"node"`
	HeartbeatsSent int64  `json:"heartbeats_sent"`
	// MessagesSent counts every message the DataNode sent, heartbeats,
	// registrations and lifelines included, lost or not.
	MessagesSent int64 `json:"messages_sent"`
}

// ErrRefused is returned when the NameNode refuses the node's registration.
var ErrRefused = errors.New("registration refused")

// fatal reports whether a connection error means retrying is pointless:
// the other side will say the same again.
func fatal(err error) bool {
	return errors.Is(err, wire.ErrAuth) || errors.Is(err, wire.ErrIncompatible) || errors.Is(err, wire.ErrBadMagic)
}

// inbound is what a connection's reader hands the node's loop.
type inbound struct {
	gen int // which connection: replies on a dropped one are ignored
	m   proto.Message
	err error
}

type dialResult struct {
	conn *wire.Conn
	err  error
}

// RunDataNode runs one DataNode until ctx ends (returning nil) or a fatal
// error: wrong secret, incompatible NameNode, or a refused registration.
// The connection drops and comes back as the network pleases; while it is
// down the node's messages are lost, exactly as the simulator loses them,
// and the state machine goes on ticking.
func RunDataNode(ctx context.Context, cfg DataNodeConfig) error {
	p, err := newDataNodeProc(cfg)
	if err != nil {
		return err
	}
	defer p.close()
	return p.loop(ctx)
}

// dataNodeProc is one DataNode's event loop: the state machine, its
// timer, and the connection to the NameNode with the goroutines that dial
// it and read from it. Only the loop's goroutine touches its fields; the
// dialer and reader hand results over channels.
type dataNodeProc struct {
	cfg   DataNodeConfig
	dn    *datanode.DataNode
	id    string
	log   *slog.Logger
	clock Clock
	rng   *rand.Rand
	timer *time.Timer

	wg     sync.WaitGroup // the dialer and readers
	done   chan struct{}  // closed at shutdown
	in     chan inbound
	dialed chan dialResult

	conn    *wire.Conn // nil while disconnected
	gen     int        // the current connection's number
	dialing bool
	attempt int // failed dials since the last connection

	// started: the machine booted (at the first connection).
	started bool
	// heartbeats and messages the machine has sent, as last reported.
	heartbeats, messages int64
}

func newDataNodeProc(cfg DataNodeConfig) (*dataNodeProc, error) {
	dn, err := datanode.New(cfg.DataNode)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	id := dn.ID()
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Now()
	}
	if cfg.BackoffMin <= 0 {
		cfg.BackoffMin = 100 * time.Millisecond
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		cfg.BackoffMax = max(5*time.Second, cfg.BackoffMin)
	}
	clock := Clock{Start: cfg.Start, Scale: cfg.TimeScale}
	if cfg.Wire.WriteTimeout == 0 {
		cfg.Wire.WriteTimeout = max(clock.Real(cfg.DataNode.HeartbeatInterval), time.Second)
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return &dataNodeProc{
		cfg: cfg, dn: dn, id: id, log: log.With("node", id), clock: clock,
		rng:    rand.New(rand.NewPCG(h.Sum64(), uint64(time.Now().UnixNano()))),
		timer:  time.NewTimer(time.Hour),
		done:   make(chan struct{}),
		in:     make(chan inbound, 16),
		dialed: make(chan dialResult, 1),
	}, nil
}

// loop runs the machine until ctx ends or a fatal error. The process
// boots when it first reaches the NameNode: its first Register then goes
// out at once instead of being lost to a connection not yet made and
// retried a whole RegisterRetry later.
func (p *dataNodeProc) loop(ctx context.Context) error {
	p.dial(0)
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-p.dialed:
			if err := p.connected(r); err != nil {
				return err
			}
		case ev := <-p.in:
			if ev.gen != p.gen {
				continue // from a connection already dropped
			}
			if ev.err != nil {
				p.drop(ev.err)
				continue
			}
			p.dn.Step(p.clock.Now(), ev.m)
		case <-p.timer.C:
			p.dn.Tick(p.clock.Now())
		}
		if err := p.flush(); err != nil {
			return err
		}
	}
}

// connected takes a dial's result: a connection to read from (booting the
// machine the first time), or another dial after a backoff.
func (p *dataNodeProc) connected(r dialResult) error {
	p.dialing = false
	if r.err != nil {
		if fatal(r.err) {
			return fmt.Errorf("%s: %w", p.id, r.err)
		}
		p.log.Debug("cannot reach namenode", "addr", p.cfg.Addr, "err", r.err)
		p.dial(p.backoff())
		return nil
	}
	p.conn, p.attempt = r.conn, 0
	p.log.Info("connected to namenode", "addr", p.cfg.Addr)
	p.read(p.conn, p.gen)
	if !p.started {
		p.started = true
		p.dn.Start(p.clock.Now())
	}
	return nil
}

// close stops the dialer and readers and waits for them.
func (p *dataNodeProc) close() {
	p.timer.Stop()
	close(p.done)
	if p.conn != nil {
		p.conn.Close()
	}
	if p.dialing {
		if r := <-p.dialed; r.conn != nil {
			r.conn.Close()
		}
	}
	p.wg.Wait()
}

// dial connects and shakes hands after delay, in the background; the
// result arrives on p.dialed.
func (p *dataNodeProc) dial(delay time.Duration) {
	p.dialing = true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-p.done:
			p.dialed <- dialResult{err: context.Canceled}
			return
		}
		var d net.Dialer
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		go func() { // abandon the dial at shutdown
			select {
			case <-p.done:
				cancel()
			case <-dctx.Done():
			}
		}()
		nc, err := d.DialContext(dctx, "tcp", p.cfg.Addr)
		if err != nil {
			p.dialed <- dialResult{err: err}
			return
		}
		c := wire.NewConn(nc, p.cfg.Wire)
		if err := c.Handshake(p.id, p.cfg.Secret); err != nil {
			c.Close()
			p.dialed <- dialResult{err: err}
			return
		}
		p.dialed <- dialResult{conn: c}
	}()
}

// read hands connection g's messages to the loop until it fails.
func (p *dataNodeProc) read(c *wire.Conn, g int) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			m, err := c.Recv()
			select {
			case p.in <- inbound{gen: g, m: m, err: err}:
			case <-p.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
}

// backoff is the wait before the next dial: doubling from BackoffMin to
// BackoffMax, ±50%.
func (p *dataNodeProc) backoff() time.Duration {
	d := p.cfg.BackoffMin << min(p.attempt, 20)
	d = min(d, p.cfg.BackoffMax)
	p.attempt++
	return time.Duration(float64(d) * (0.5 + p.rng.Float64()))
}

// drop closes the connection after an error and dials again.
func (p *dataNodeProc) drop(why error) {
	if p.conn == nil {
		return
	}
	p.log.Info("connection to namenode lost", "err", why)
	p.conn.Close()
	p.conn = nil
	p.gen++
	p.dial(p.backoff())
}

// flush sends what the machine wants sent (lost while disconnected, as the
// simulator loses a message on a cut link, and counted as sent all the
// same) and re-arms its timer.
func (p *dataNodeProc) flush() error {
	rd := p.dn.Ready()
	for _, m := range rd.Messages {
		if p.conn == nil {
			continue // lost: the network is down
		}
		if err := p.conn.Send(m); err != nil {
			p.drop(fmt.Errorf("send %s: %w", m.Type, err))
		}
	}
	wake := rd.Wake
	p.dn.Advance()
	if r := p.dn.Refusal(); r != "" {
		return fmt.Errorf("%s: %w by the NameNode: %s", p.id, ErrRefused, r)
	}
	if len(rd.Messages) > 0 {
		p.messages += int64(len(rd.Messages))
		p.heartbeats = p.dn.HeartbeatsSent()
		if p.cfg.OnSent != nil {
			p.cfg.OnSent(p.id, p.heartbeats, p.messages)
		}
	}
	if !p.timer.Stop() {
		select {
		case <-p.timer.C:
		default:
		}
	}
	if wake != 0 {
		p.timer.Reset(p.clock.Real(max(wake-p.clock.Now(), 0)))
	}
	return nil
}

// RunDataNodes runs one DataNode per config, each with its own connection
// and timers, until ctx ends or one fails fatally; then it stops the
// others and returns the first error.
func RunDataNodes(ctx context.Context, cfgs []DataNodeConfig) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, c := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := RunDataNode(ctx, c); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}
