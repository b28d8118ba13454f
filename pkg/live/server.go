package live

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// ServerConfig configures a NameNodeServer.
type ServerConfig struct {
	// NameNode configures the state machine, exactly as the simulator does.
	NameNode namenode.Config
	// Secret is the cluster secret every DataNode must prove it holds, and
	// the NameNode proves it holds too; it keys every frame's MAC.
	Secret []byte
	// Insecure lets DataNodes from other hosts join when Secret is empty.
	// Without it, and without a secret, only loopback peers may.
	Insecure bool
	// MaxUnauthenticated caps connections that have not finished the
	// handshake; the oldest is closed to make room for a new one. 0 means
	// DefaultMaxUnauthenticated; it is lowered to half the open-file
	// limit (ulimit -n). Wire.HandshakeTimeout bounds each handshake.
	MaxUnauthenticated int
	// Wire tunes connections. A zero ReadTimeout becomes twice the time a
	// node takes to be declared dead: a connection silent that long
	// belongs to a node that is dead anyway (or paused; it reconnects).
	Wire wire.Options
	// Log receives connection and transition logs; nil discards them.
	Log *slog.Logger
	// Events, if not nil, receives every transition as a JSON line.
	Events io.Writer
	// OnArrival, if not nil, is called with each message from a DataNode
	// and its arrival time (the machine's clock), in arrival order, before
	// the NameNode handles it, under the server's lock: keep it quick
	// (hbsim namenode --record appends a line to a buffer).
	OnArrival func(m proto.Message, at time.Duration)
	// TimeScale is wall-clock seconds per second of the machine's time
	// (0 or 1: real time; 0.1: ten times faster), so a scenario runs fast
	// with its own settings and its reasons quote its own times.
	TimeScale float64
}

// NameNodeServer is a real-time NameNode: one namenode.NameNode, a TCP
// listener for DataNodes and an HTTP handler for people and Prometheus.
type NameNodeServer struct {
	cfg   ServerConfig
	log   *slog.Logger
	clock Clock

	mu     sync.Mutex // guards nn and owners: the machine is single-threaded
	nn     *namenode.NameNode
	owners map[string]*session // DataNode id → the open connection that holds it
	// sent counts the replies and commands the NameNode sent.
	sent int64

	events  *eventLog
	metrics *metrics

	conns      sync.WaitGroup
	connsMu    sync.Mutex
	open       map[*session]struct{}
	pending    list.List // of *session not yet authenticated, oldest first; guarded by connsMu
	maxPending int
	// refusals keeps closed connections from flooding the log.
	refusals logBudget
}

// NewServer builds a server; Serve runs it.
func NewServer(cfg ServerConfig) (*NameNodeServer, error) {
	nn, err := namenode.New(cfg.NameNode)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	if err := CheckTimeScale(cfg.TimeScale); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	if cfg.MaxUnauthenticated < 0 {
		return nil, fmt.Errorf("live: MaxUnauthenticated %d is negative", cfg.MaxUnauthenticated)
	}
	clock := Clock{Start: time.Now(), Scale: cfg.TimeScale}
	if cfg.Wire.ReadTimeout == 0 {
		cfg.Wire.ReadTimeout = clock.Real(2 * cfg.NameNode.DeadAfter())
	}
	if cfg.Wire.WriteTimeout == 0 {
		cfg.Wire.WriteTimeout = 5 * time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fileLimit := openFileLimit()
	s := &NameNodeServer{
		cfg:        cfg,
		log:        log,
		clock:      clock,
		nn:         nn,
		owners:     make(map[string]*session),
		events:     newEventLog(),
		open:       make(map[*session]struct{}),
		maxPending: maxUnauthenticated(cfg.MaxUnauthenticated, fileLimit),
		refusals:   logBudget{perSecond: 50},
	}
	if configured := maxUnauthenticated(cfg.MaxUnauthenticated, 0); s.maxPending < configured {
		log.Info("fewer unauthenticated connections allowed than asked: half the open-file limit",
			"max_unauthenticated", s.maxPending, "asked", configured, "ulimit_n", fileLimit)
	}
	s.metrics = newMetrics(func(st namenode.State) float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return float64(s.nn.Count(st))
	}, func() float64 { return float64(s.unauthenticated()) })
	return s, nil
}

// now is the machine's clock: monotonic time since the server was built,
// scaled.
func (s *NameNodeServer) now() time.Duration { return s.clock.Now() }

// Start is the wall-clock instant the server's time zero stands for.
func (s *NameNodeServer) Start() time.Time { return s.clock.Start }

// Serve accepts DataNodes on ln and ticks the NameNode until ctx ends, then
// closes every connection and waits for its goroutines.
func (s *NameNodeServer) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var bg sync.WaitGroup
	bg.Add(1)
	go func() {
		defer bg.Done()
		s.tickLoop(ctx)
	}()
	if s.cfg.Events != nil {
		bg.Add(1)
		go func() {
			defer bg.Done()
			if err := s.events.writeJSONLines(ctx, s.cfg.Events); err != nil {
				s.log.Error("writing events failed", "err", err)
			}
		}()
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var (
		err     error
		backoff acceptBackoff
	)
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() != nil {
				break
			}
			if !retryableAccept(aerr) {
				err = fmt.Errorf("live: accept: %w", aerr)
				break
			}
			// Out of descriptors: free one held by a stranger, so the
			// next DataNode in the backlog gets in, and try again.
			s.shedOldest("out of file descriptors")
			if !sleepCtx(ctx, backoff.failed(s, aerr)) {
				break
			}
			continue
		}
		backoff.ok(s)
		sess := &session{srv: s, conn: wire.NewConn(nc, s.cfg.Wire)}
		s.admit(sess)
		s.conns.Add(1)
		go func() {
			defer s.conns.Done()
			sess.serve(ctx)
		}()
	}
	cancel()
	s.connsMu.Lock()
	for sess := range s.open {
		sess.conn.Close()
	}
	s.connsMu.Unlock()
	s.conns.Wait()
	bg.Wait()
	return err
}

// sleepCtx sleeps for d and reports false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// tickLoop arms a timer at the machine's next wake-up and ticks it.
func (s *NameNodeServer) tickLoop(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.mu.Lock()
		now := s.now()
		s.nn.Tick(now)
		wake := s.drainLocked(now, nil)
		s.mu.Unlock()
		t.Reset(s.clock.Real(max(wake-s.now(), 0)))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// drainLocked takes the machine's outputs: replies are appended to
// replies (returned through *out), transitions published. It returns the
// next wake-up. s.mu must be held.
func (s *NameNodeServer) drainLocked(now time.Duration, out *[]proto.Message) time.Duration {
	rd := s.nn.Ready()
	if out != nil {
		*out = append(*out, rd.Messages...)
		s.sent += int64(len(rd.Messages))
	} else if len(rd.Messages) > 0 {
		s.log.Warn("dropping NameNode messages produced by a scan", "count", len(rd.Messages))
	}
	if len(rd.Transitions) > 0 {
		evs := make([]Event, 0, len(rd.Transitions))
		for _, t := range rd.Transitions {
			ms, unix := eventAt(s.clock, t.At)
			kind := "transition"
			if t.Watching {
				kind = "verdict"
			}
			evs = append(evs, Event{Kind: kind, AtMs: ms, UnixNs: unix, Node: t.Node,
				From: t.From.String(), To: t.To.String(), Reason: t.Reason, Detector: t.Detector})
			if !t.Watching && t.To == namenode.Dead {
				s.metrics.expired.Inc()
				if info, err := s.nn.Node(t.Node); err == nil {
					s.metrics.detection.Observe((t.At - info.LastHeard).Seconds())
				}
			}
			s.log.Info("transition", "node", t.Node, "from", t.From.String(), "to", t.To.String(),
				"reason", t.Reason, "detector", t.Detector, "watching", t.Watching)
		}
		s.events.append(evs...)
	}
	wake := rd.Wake
	s.nn.Advance()
	return wake
}

// errDuplicate closes a connection whose messages claim a DataNode id that
// another open connection holds.
var errDuplicate = errors.New("live: datanode id held by another connection")

// step hands one message from sess to the machine and returns the replies
// for the DataNode. It enforces one DataNode per connection, and refuses a
// Register for an id another open connection holds.
func (s *NameNodeServer) step(sess *session, m proto.Message, replies []proto.Message) ([]proto.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess.node != "" && m.Node != sess.node {
		return replies, fmt.Errorf("%w: connection of %q sent a %s for %q", wire.ErrUnexpected, sess.node, m.Type, m.Node)
	}
	if owner, ok := s.owners[m.Node]; ok && owner != sess {
		if m.Type == proto.TypeRegister {
			reason := fmt.Sprintf("datanode %q is already live on another connection (from %s); refusing to let it be taken over", m.Node, owner.conn.RemoteAddr())
			replies = append(replies, proto.Message{Type: proto.TypeRegisterReply, Node: m.Node, Refused: reason})
			return replies, fmt.Errorf("%w: %s", errDuplicate, reason)
		}
		return replies, fmt.Errorf("%w: %q (held by %s)", errDuplicate, m.Node, owner.conn.RemoteAddr())
	}
	if sess.node == "" {
		sess.node = m.Node
		s.owners[m.Node] = sess
	}
	switch m.Type {
	case proto.TypeHeartbeat:
		s.metrics.heartbeats.Inc()
	case proto.TypeLifeline:
		s.metrics.lifelines.Inc()
	}
	now := s.now()
	if s.cfg.OnArrival != nil {
		s.cfg.OnArrival(m, now)
	}
	s.nn.Step(now, m)
	s.drainLocked(now, &replies)
	return replies, nil
}

// release frees the DataNode id sess held.
func (s *NameNodeServer) release(sess *session) {
	s.mu.Lock()
	if sess.node != "" && s.owners[sess.node] == sess {
		delete(s.owners, sess.node)
	}
	s.mu.Unlock()
	s.connsMu.Lock()
	delete(s.open, sess)
	if sess.pending != nil {
		s.pending.Remove(sess.pending)
		sess.pending = nil
	}
	s.connsMu.Unlock()
}

// Detectors names the NameNode's detectors, the acting one first.
func (s *NameNodeServer) Detectors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nn.Detectors()
}
