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
	// OnSent, if not nil, is called after each heartbeat with the number
	// sent so far (for `hbsim run --live`, which counts them).
	OnSent func(id string, sent int64)
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
	dn, err := datanode.New(cfg.DataNode)
	if err != nil {
		return fmt.Errorf("live: %w", err)
	}
	id := dn.ID()
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("node", id)
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
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(time.Now().UnixNano())))
	now := clock.Now

	var (
		wg      sync.WaitGroup
		done    = make(chan struct{})
		in      = make(chan inbound, 16)
		dialed  = make(chan dialResult, 1)
		conn    *wire.Conn
		gen     int
		dialing bool
		attempt int
	)
	defer func() {
		close(done)
		if conn != nil {
			conn.Close()
		}
		if dialing {
			if r := <-dialed; r.conn != nil {
				r.conn.Close()
			}
		}
		wg.Wait()
	}()

	dial := func(delay time.Duration) {
		dialing = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-done:
				dialed <- dialResult{err: context.Canceled}
				return
			}
			var d net.Dialer
			dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			go func() { // abandon the dial at shutdown
				select {
				case <-done:
					cancel()
				case <-dctx.Done():
				}
			}()
			nc, err := d.DialContext(dctx, "tcp", cfg.Addr)
			if err != nil {
				dialed <- dialResult{err: err}
				return
			}
			c := wire.NewConn(nc, cfg.Wire)
			if err := c.Handshake(id, cfg.Secret); err != nil {
				c.Close()
				dialed <- dialResult{err: err}
				return
			}
			dialed <- dialResult{conn: c}
		}()
	}
	read := func(c *wire.Conn, g int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := c.Recv()
				select {
				case in <- inbound{gen: g, m: m, err: err}:
				case <-done:
					return
				}
				if err != nil {
					return
				}
			}
		}()
	}
	backoff := func() time.Duration {
		d := cfg.BackoffMin << min(attempt, 20)
		d = min(d, cfg.BackoffMax)
		attempt++
		return time.Duration(float64(d) * (0.5 + rng.Float64()))
	}
	drop := func(why error) {
		if conn == nil {
			return
		}
		log.Info("connection to namenode lost", "err", why)
		conn.Close()
		conn = nil
		gen++
		dial(backoff())
	}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var sent int64
	// flush sends what the machine wants sent and re-arms its timer.
	flush := func() error {
		rd := dn.Ready()
		for _, m := range rd.Messages {
			if conn == nil {
				continue // lost: the network is down
			}
			if err := conn.Send(m); err != nil {
				drop(fmt.Errorf("send %s: %w", m.Type, err))
			}
		}
		wake := rd.Wake
		dn.Advance()
		if r := dn.Refusal(); r != "" {
			return fmt.Errorf("%s: %w by the NameNode: %s", id, ErrRefused, r)
		}
		if s := dn.HeartbeatsSent(); s != sent && cfg.OnSent != nil {
			sent = s
			cfg.OnSent(id, s)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if wake != 0 {
			timer.Reset(clock.Real(max(wake-now(), 0)))
		}
		return nil
	}

	// The process boots when it first reaches the NameNode: its first
	// Register then goes out at once instead of being lost to a
	// connection not yet made and retried a whole RegisterRetry later.
	started := false
	dial(0)
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-dialed:
			dialing = false
			if r.err != nil {
				if fatal(r.err) {
					return fmt.Errorf("%s: %w", id, r.err)
				}
				log.Debug("cannot reach namenode", "addr", cfg.Addr, "err", r.err)
				dial(backoff())
				continue
			}
			conn, attempt = r.conn, 0
			log.Info("connected to namenode", "addr", cfg.Addr)
			read(conn, gen)
			if !started {
				started = true
				dn.Start(now())
			}
		case ev := <-in:
			if ev.gen != gen {
				continue // from a connection already dropped
			}
			if ev.err != nil {
				drop(ev.err)
				continue
			}
			dn.Step(now(), ev.m)
		case <-timer.C:
			dn.Tick(now())
		}
		if err := flush(); err != nil {
			return err
		}
	}
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
