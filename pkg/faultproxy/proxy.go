package faultproxy

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/rng"
	"github.com/hbsim/hbsim/pkg/wire"
)

// Options configure a Proxy.
type Options struct {
	// Base applies to every link for its whole life: the scenario's
	// network: section. The zero Fault forwards frames untouched.
	Base Fault
	// MaxFrame is the largest frame forwarded (default wire.DefaultMaxFrame);
	// a larger one closes that connection, as the NameNode would.
	MaxFrame int
	// DialTimeout bounds connecting to the upstream (default 5s).
	DialTimeout time.Duration
	// WriteTimeout bounds one write to either side (default 10s); a peer
	// that stops reading longer than that loses its connection.
	WriteTimeout time.Duration
	// Seed seeds each link's random source with the link's name; 0 picks a
	// random seed.
	Seed uint64
	// Log receives connection logs; nil discards them.
	Log *slog.Logger
}

// Proxy forwards the connections its links accept to one upstream address.
type Proxy struct {
	upstream string
	opts     Options
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc

	mu     sync.Mutex
	closed bool
	links  map[string]*Link
	conns  map[*pconn]struct{}
	wg     sync.WaitGroup
}

// New returns a proxy to upstream (the NameNode's host:port). Add links
// with Listen; Close stops everything.
func New(upstream string, opts Options) (*Proxy, error) {
	if err := opts.Base.Check(); err != nil {
		return nil, err
	}
	if opts.MaxFrame <= 0 {
		opts.MaxFrame = wire.DefaultMaxFrame
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 5 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		opts.Seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Proxy{upstream: upstream, opts: opts, log: log, ctx: ctx, cancel: cancel,
		links: map[string]*Link{}, conns: map[*pconn]struct{}{}}, nil
}

// Upstream is the address the proxy forwards to.
func (p *Proxy) Upstream() string { return p.upstream }

// Listen adds a link named name (a DataNode id, say) listening on addr
// ("127.0.0.1:0" for any free port).
func (p *Proxy) Listen(name, addr string) (*Link, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("faultproxy: closed")
	}
	if _, dup := p.links[name]; dup {
		return nil, fmt.Errorf("faultproxy: link %q exists", name)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: link %q: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	l := &Link{name: name, p: p, ln: ln, key: rng.Key(p.opts.Seed, rng.Proxy, h.Sum64()),
		changed: make(chan struct{})}
	if p.opts.Base != (Fault{}) {
		l.net.Add(p.opts.Base)
	}
	p.links[name] = l
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		l.accept()
	}()
	return l, nil
}

// Link returns the link named name, or nil.
func (p *Proxy) Link(name string) *Link {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.links[name]
}

// Close stops every listener and connection and waits for all of the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.cancel()
	for _, l := range p.links {
		l.ln.Close()
	}
	for c := range p.conns {
		c.close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

// DirStats counts one direction's frames.
type DirStats struct {
	Forwarded int64 // written to the other side
	Dropped   int64 // lost to loss or a Drop partition
	Held      int64 // held by a partition (then forwarded or dropped)
}

// Stats counts a link's traffic since it was created.
type Stats struct {
	Conns    int64 // connections accepted
	Up, Down DirStats
}

// Link is one listening address and the faults of everything it carries.
type Link struct {
	name string
	p    *Proxy
	ln   net.Listener

	mu      sync.Mutex // guards net, frames, changed
	net     network.Link
	key     uint64        // the link's stream of draws
	frames  uint64        // frames judged so far: the draws' sequence
	changed chan struct{} // closed and replaced when faults change

	conns atomic.Int64
	stats [2]struct{ fwd, drop, held atomic.Int64 }
}

// Name is the link's name.
func (l *Link) Name() string { return l.name }

// Addr is the address DataNodes connect to.
func (l *Link) Addr() string { return l.ln.Addr().String() }

// Apply starts f on the link, on connections open now and to come, until
// heal is called (heal is idempotent).
func (l *Link) Apply(f Fault) (heal func(), err error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.net.Add(f)
	l.notifyLocked()
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.net.Remove(f)
			l.notifyLocked()
			l.mu.Unlock()
		})
	}, nil
}

func (l *Link) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// Stats snapshots the link's counters.
func (l *Link) Stats() Stats {
	d := func(i int) DirStats {
		s := &l.stats[i]
		return DirStats{Forwarded: s.fwd.Load(), Dropped: s.drop.Load(), Held: s.held.Load()}
	}
	return Stats{Conns: l.conns.Load(), Up: d(0), Down: d(1)}
}

func (l *Link) judge(dir Dir, message bool) (network.Verdict, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := network.MessageDraws(l.key, l.frames)
	l.frames++
	return l.net.Judge(dir, message, &d), l.changed
}

func (l *Link) accept() {
	p := l.p
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if p.ctx.Err() == nil {
				p.log.Warn("faultproxy: accept failed; link stops", "link", l.name, "err", err)
			}
			return
		}
		l.conns.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			l.serve(nc)
		}()
	}
}

// serve connects one accepted connection upstream and pumps frames both
// ways until either side ends.
func (l *Link) serve(down net.Conn) {
	p := l.p
	d := net.Dialer{Timeout: p.opts.DialTimeout}
	up, err := d.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		p.log.Info("faultproxy: cannot reach upstream; closing the connection", "link", l.name, "upstream", p.upstream, "err", err)
		down.Close()
		return
	}
	c := &pconn{link: l, down: down, up: up, closing: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.close()
		return
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	p.log.Debug("faultproxy: connection", "link", l.name, "from", down.RemoteAddr().String())
	var wg sync.WaitGroup
	wg.Add(4)
	upq := make(chan pending, 256)
	downq := make(chan pending, 256)
	go func() { defer wg.Done(); c.read(down, Up, upq) }()
	go func() { defer wg.Done(); c.write(up, Up, upq) }()
	go func() { defer wg.Done(); c.read(up, Down, downq) }()
	go func() { defer wg.Done(); c.write(down, Down, downq) }()
	wg.Wait()
}

// pconn is one proxied connection: down is the DataNode's side, up the
// NameNode's.
type pconn struct {
	link     *Link
	down, up net.Conn
	once     sync.Once
	closing  chan struct{}
}

func (c *pconn) close() {
	c.once.Do(func() {
		close(c.closing)
		c.down.Close()
		c.up.Close()
	})
}

// pending is a frame on its way, due at at.
type pending struct {
	at time.Time
	b  []byte
}

// read parses frames from src, decides each one's fate, and queues those
// that go on. It closes q when src ends, so the writer delivers what is
// queued and then closes the connection.
func (c *pconn) read(src net.Conn, dir Dir, q chan<- pending) {
	defer close(q)
	l, p := c.link, c.link.p
	st := &l.stats[dirIndex(dir)]
	fr := wire.NewFrameReader(bufio.NewReaderSize(src, 4096), p.opts.MaxFrame)
	var last time.Time
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			select {
			case <-c.closing:
			default:
				if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
					p.log.Debug("faultproxy: side closed", "link", l.name, "dir", dir, "err", err)
				} else {
					p.log.Info("faultproxy: closing connection", "link", l.name, "dir", dir, "err", err)
				}
			}
			return
		}
		message := f.Type.IsMessage()
		held := false
		var v network.Verdict
		for {
			var changed <-chan struct{}
			v, changed = l.judge(dir, message)
			if !v.Held {
				break
			}
			if !held {
				held = true
				st.held.Add(1)
			}
			select {
			case <-changed:
			case <-c.closing:
				return
			}
		}
		if v.Lost {
			st.drop.Add(1)
			continue
		}
		// Frames keep their order: none overtakes the one before it.
		at := time.Now().Add(v.Delay)
		if at.Before(last) {
			at = last
		}
		last = at
		select {
		case q <- pending{at: at, b: wire.AppendFrame(nil, f.Type, f.Body)}:
		case <-c.closing:
			return
		}
	}
}

// write delivers queued frames to dst when they are due. When the queue
// ends (its reader's side closed) or a write fails, it closes the
// connection, both sides.
func (c *pconn) write(dst net.Conn, dir Dir, q <-chan pending) {
	defer c.close()
	st := &c.link.stats[dirIndex(dir)]
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for f := range q {
		if d := time.Until(f.at); d > 0 {
			t.Reset(d)
			select {
			case <-t.C:
			case <-c.closing:
				return
			}
		}
		if err := dst.SetWriteDeadline(time.Now().Add(c.link.p.opts.WriteTimeout)); err != nil {
			return
		}
		if _, err := dst.Write(f.b); err != nil {
			return
		}
		st.fwd.Add(1)
	}
}

// dirIndex is dir's slot in per-direction counters (Up 0, Down 1).
func dirIndex(dir Dir) int {
	if dir == Down {
		return 1
	}
	return 0
}
