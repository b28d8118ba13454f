package live

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// session is one DataNode connection on the NameNode side.
type session struct {
	srv  *NameNodeServer
	conn *wire.Conn
	// node is the DataNode id this connection speaks for, set by its first
	// message; guarded by srv.mu.
	node string
	// pending is the connection's place among the unauthenticated, nil
	// once it authenticated or was shed; shed says why it was closed to
	// make room. Both guarded by srv.connsMu.
	pending *list.Element
	shed    string
}

// serve runs the handshake, then reads, steps and replies until the
// connection ends. Whatever ends it, only this connection is closed, with
// the reason logged.
func (ss *session) serve(ctx context.Context) {
	s := ss.srv
	defer s.release(ss)
	defer ss.conn.Close()
	addr := ss.conn.RemoteAddr()
	var (
		client string
		err    error
	)
	if s.mayJoin(ss.conn.NetConn().RemoteAddr()) {
		client, err = ss.conn.Accept(s.cfg.Secret)
	} else {
		client, err = ss.conn.Refuse(errNotLoopback)
	}
	if err == nil && !s.authenticated(ss) {
		err = net.ErrClosed // shed just as it finished
	}
	if err != nil {
		if why := s.shedReason(ss); why != "" {
			err = fmt.Errorf("%w: %s", errShed, why)
		}
		s.closed(addr, client, "handshake", err)
		return
	}
	s.metrics.connections.Inc()
	defer s.metrics.connections.Dec()
	s.log.Debug("datanode connected", "node", client, "addr", addr)
	var replies []proto.Message
	for {
		m, err := ss.conn.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.closed(addr, client, "read", err)
			return
		}
		replies, err = s.step(ss, m, replies[:0])
		for _, r := range replies {
			if werr := ss.conn.Send(r); werr != nil {
				s.closed(addr, client, "write", werr)
				return
			}
		}
		if err != nil {
			s.closed(addr, client, "protocol", err)
			return
		}
	}
}

// closed logs why a connection ended, at a level that fits: a DataNode
// going away is normal, a protocol violation is a warning. Lines beyond
// the log budget are counted, and the next line written says how many.
func (s *NameNodeServer) closed(addr, client, phase string, err error) {
	ok, dropped := s.refusals.take()
	log := s.log
	if !ok {
		log = slog.New(slog.DiscardHandler)
	} else if dropped > 0 {
		log = log.With("log_lines_dropped", dropped)
	}
	switch {
	case errors.Is(err, errShed):
		s.metrics.refused.WithLabelValues("shed").Inc()
		log.Warn("closing connection: not authenticated in time to keep its place", "node", client, "addr", addr, "err", err)
	case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed):
		s.metrics.refused.WithLabelValues("eof").Inc()
		log.Info("datanode disconnected", "node", client, "addr", addr)
	case errors.Is(err, wire.ErrAuth):
		s.metrics.refused.WithLabelValues("auth").Inc()
		log.Warn("datanode refused: authentication failed", "node", client, "addr", addr, "err", err)
	case errors.Is(err, errDuplicate):
		s.metrics.refused.WithLabelValues("duplicate").Inc()
		log.Warn("datanode refused: duplicate id", "node", client, "addr", addr, "err", err)
	case wire.IsProtocolError(err):
		s.metrics.refused.WithLabelValues("protocol").Inc()
		log.Warn("closing connection: protocol error", "node", client, "addr", addr, "phase", phase, "err", err)
	default:
		s.metrics.refused.WithLabelValues("network").Inc()
		log.Info("closing connection", "node", client, "addr", addr, "phase", phase, "err", err)
	}
}
