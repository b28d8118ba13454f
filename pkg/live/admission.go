package live

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// DefaultMaxUnauthenticated caps the connections still in their handshake
// unless ServerConfig says otherwise: far more than DataNodes that
// (re)connect at once after a NameNode restart, far fewer than the file
// descriptors a stranger could otherwise hold.
const DefaultMaxUnauthenticated = 1024

// errShed closes a connection that had not authenticated when the
// NameNode needed its slot: the cap was reached, or descriptors ran out.
var errShed = errors.New("live: unauthenticated connection closed to make room")

// errNotLoopback is the reason given to a DataNode from another host
// when the NameNode has no secret and was not started with --insecure.
const errNotLoopback = "this NameNode has no cluster secret, so it accepts DataNodes " +
	"only from its own host; set HBSIM_CLUSTER_SECRET on both sides, " +
	"or start the NameNode with --insecure"

// maxUnauthenticated is the cap in force: the configured one, lowered to
// half the process's open-file limit so that strangers alone can never
// exhaust it (the other half is for DataNodes, the listeners, the logs).
func maxUnauthenticated(configured int, fileLimit uint64) int {
	if configured <= 0 {
		configured = DefaultMaxUnauthenticated
	}
	if fileLimit > 0 && uint64(configured) > fileLimit/2 {
		return max(int(fileLimit/2), 1)
	}
	return configured
}

// openFileLimit is RLIMIT_NOFILE's soft limit, or 0 if unknown.
func openFileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return rl.Cur
}

// mayJoin reports whether a DataNode at addr may start a handshake: always
// with a secret or --insecure, else only from a loopback address.
func (s *NameNodeServer) mayJoin(addr net.Addr) bool {
	if len(s.cfg.Secret) > 0 || s.cfg.Insecure {
		return true
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || tcp.IP.IsLoopback()
}

// admit registers a new connection as open and unauthenticated, closing
// the oldest unauthenticated ones beyond the cap.
func (s *NameNodeServer) admit(sess *session) {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	s.open[sess] = struct{}{}
	sess.pending = s.pending.PushBack(sess)
	for s.pending.Len() > s.maxPending {
		s.shedLocked("too many unauthenticated connections")
	}
}

// shedOldest closes the oldest unauthenticated connection, if any, and
// reports whether there was one.
func (s *NameNodeServer) shedOldest(why string) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if s.pending.Len() == 0 {
		return false
	}
	s.shedLocked(why)
	return true
}

// shedLocked closes the oldest unauthenticated connection. Its goroutine
// then fails its handshake and reports errShed. connsMu must be held.
func (s *NameNodeServer) shedLocked(why string) {
	sess := s.pending.Remove(s.pending.Front()).(*session)
	sess.pending = nil
	sess.shed = why
	sess.conn.Close()
}

// authenticated moves sess out of the unauthenticated set. It reports
// false if sess was shed meanwhile (its connection is closed).
func (s *NameNodeServer) authenticated(sess *session) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if sess.pending == nil {
		return false
	}
	s.pending.Remove(sess.pending)
	sess.pending = nil
	return true
}

// shedReason returns why sess was shed, or "" if it was not.
func (s *NameNodeServer) shedReason(sess *session) string {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	return sess.shed
}

// unauthenticated counts the connections in their handshake.
func (s *NameNodeServer) unauthenticated() int {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	return s.pending.Len()
}

// retryableAccept reports whether an accept error is the machine's, not
// the listener's: out of descriptors or memory. net/http's Server.Serve
// backs off and retries on these too; returning would stop the NameNode.
func retryableAccept(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// acceptBackoff paces retries after accept errors as net/http does: 5ms,
// doubling to 1s, back to nothing after a success. It logs the first
// failure of an episode and, once a second has passed without one, how
// long the episode lasted: a flood writes two lines, not thousands.
type acceptBackoff struct {
	delay       time.Duration
	failures    int
	since, last time.Time
}

func (b *acceptBackoff) failed(s *NameNodeServer, err error) time.Duration {
	s.metrics.acceptErrors.Inc()
	now := time.Now()
	if b.failures == 0 {
		b.since = now
		s.log.Warn("accept failed; closing the oldest unauthenticated connection and retrying",
			"err", err, "unauthenticated", s.unauthenticated())
	}
	b.failures++
	b.last = now
	b.delay = min(max(2*b.delay, 5*time.Millisecond), time.Second)
	return b.delay
}

func (b *acceptBackoff) ok(s *NameNodeServer) {
	b.delay = 0
	if b.failures > 0 && time.Since(b.last) > time.Second {
		s.log.Info("accepting again", "failures", b.failures, "lasted", b.last.Sub(b.since).Round(time.Millisecond))
		*b = acceptBackoff{}
	}
}

// logBudget lets through at most perSecond log lines a second and counts
// the rest, so hostile connections cannot flood the NameNode's log.
type logBudget struct {
	perSecond int
	mu        sync.Mutex
	window    time.Time
	used      int
	dropped   int
}

// take reports whether a line may be written now and, if so, how many
// were dropped since the last one written.
func (b *logBudget) take() (ok bool, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := time.Now(); now.Sub(b.window) >= time.Second {
		b.window, b.used = now, 0
	}
	if b.used >= b.perSecond {
		b.dropped++
		return false, 0
	}
	b.used++
	dropped, b.dropped = b.dropped, 0
	return true, dropped
}
