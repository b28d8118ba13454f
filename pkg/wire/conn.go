package wire

import (
	"bufio"
	"crypto/hmac"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// Options tune one connection.
type Options struct {
	// MaxFrame caps a frame's length (type and body); 0 means
	// DefaultMaxFrame.
	MaxFrame int
	// ReadTimeout bounds the wait for each frame; 0 means none. A
	// NameNode sets it to a few heartbeat intervals so a peer that
	// vanished without a FIN (a cut cable) does not hold a connection
	// forever.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write; 0 means none. It keeps a peer that
	// stopped reading from blocking its writer.
	WriteTimeout time.Duration
	// HandshakeTimeout bounds the whole handshake; 0 means 5s.
	HandshakeTimeout time.Duration
}

func (o Options) handshakeTimeout() time.Duration {
	if o.HandshakeTimeout > 0 {
		return o.HandshakeTimeout
	}
	return 5 * time.Second
}

// Conn is a framed, deadline-bounded connection. One goroutine may read
// while another writes; two concurrent readers or writers need a lock.
type Conn struct {
	nc      net.Conn
	opts    Options
	fr      *FrameReader
	rc, wc  *Codec
	wbuf    []byte
	Version uint16 // negotiated by the handshake
}

// NewConn wraps nc. The handshake has not happened yet: call Handshake
// (client) or Accept (server) first.
func NewConn(nc net.Conn, opts Options) *Conn {
	return &Conn{
		nc:   nc,
		opts: opts,
		// Buffered: a frame header and its body are two reads, and a
		// syscall each would double the cost of a heartbeat.
		fr: NewFrameReader(bufio.NewReaderSize(nc, 4096), opts.MaxFrame),
		rc: NewCodec(),
		wc: NewCodec(),
	}
}

// NetConn is the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() string { return c.nc.RemoteAddr().String() }

// Close closes the connection; it unblocks a goroutine in Recv.
func (c *Conn) Close() error { return c.nc.Close() }

// readFrame reads one frame under the read deadline.
func (c *Conn) readFrame(timeout time.Duration) (Frame, error) {
	if timeout > 0 {
		if err := c.nc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			return Frame{}, err
		}
	}
	return c.fr.ReadFrame()
}

// writeFrame encodes v as a frame of type t and writes it in one call.
func (c *Conn) writeFrame(t FrameType, v any, timeout time.Duration) error {
	b, err := c.wc.AppendEncode(c.wbuf[:0], t, v)
	if err != nil {
		return err
	}
	c.wbuf = b
	return c.writeRaw(b, timeout)
}

func (c *Conn) writeRaw(b []byte, timeout time.Duration) error {
	if timeout > 0 {
		if err := c.nc.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
	}
	_, err := c.nc.Write(b)
	return err
}

// Recv reads the next message. Handshake frames after the handshake are
// ErrUnexpected.
func (c *Conn) Recv() (proto.Message, error) {
	f, err := c.readFrame(c.opts.ReadTimeout)
	if err != nil {
		return proto.Message{}, err
	}
	return c.rc.DecodeMessage(f)
}

// Send writes one message.
func (c *Conn) Send(m proto.Message) error {
	b, err := c.wc.AppendMessage(c.wbuf[:0], m)
	if err != nil {
		return err
	}
	c.wbuf = b
	return c.writeRaw(b, c.opts.WriteTimeout)
}

// expect reads one handshake frame of type want into v; a Reject instead
// is returned as its typed error.
func (c *Conn) expect(want FrameType, v any, timeout time.Duration) error {
	f, err := c.readFrame(timeout)
	if err != nil {
		return fmt.Errorf("wire: handshake: waiting for %s: %w", want, err)
	}
	if f.Type == FrameReject && want != FrameReject {
		var r Reject
		if err := c.rc.DecodeBody(f.Type, f.Body, &r); err != nil {
			return err
		}
		return r.err()
	}
	if f.Type != want {
		return fmt.Errorf("%w: %s during the handshake, want %s", ErrUnexpected, f.Type, want)
	}
	return c.rc.DecodeBody(f.Type, f.Body, v)
}

// Handshake runs the client side: Hello, Challenge, Auth, Welcome. A
// refusal comes back as ErrAuth, ErrIncompatible or ErrRejected.
func (c *Conn) Handshake(client string, secret []byte) error {
	t := c.opts.handshakeTimeout()
	deadline := time.Now().Add(t)
	defer c.nc.SetDeadline(time.Time{})
	if err := c.nc.SetDeadline(deadline); err != nil {
		return err
	}
	if err := c.writeFrame(FrameHello, Hello{Magic: Magic, MinVersion: MinVersion, MaxVersion: MaxVersion, Client: client}, 0); err != nil {
		return fmt.Errorf("wire: handshake: send hello: %w", err)
	}
	var ch Challenge
	if err := c.expect(FrameChallenge, &ch, 0); err != nil {
		return err
	}
	if _, err := Negotiate(MinVersion, MaxVersion, ch.Version, ch.Version); err != nil {
		return err
	}
	if len(ch.Nonce) != nonceLen {
		return fmt.Errorf("%w: challenge nonce of %d bytes, want %d", ErrMalformed, len(ch.Nonce), nonceLen)
	}
	if err := c.writeFrame(FrameAuth, Auth{MAC: ComputeMAC(secret, ch.Version, ch.Nonce)}, 0); err != nil {
		return fmt.Errorf("wire: handshake: send auth: %w", err)
	}
	var w Welcome
	if err := c.expect(FrameWelcome, &w, 0); err != nil {
		return err
	}
	c.Version = ch.Version
	return nil
}

// Accept runs the server side of the handshake. On failure it sends the
// client a Reject saying why (best effort) and returns the typed error;
// the caller logs it and closes the connection.
func (c *Conn) Accept(secret []byte) (client string, err error) {
	t := c.opts.handshakeTimeout()
	defer c.nc.SetDeadline(time.Time{})
	if err := c.nc.SetDeadline(time.Now().Add(t)); err != nil {
		return "", err
	}
	var h Hello
	if err := c.expect(FrameHello, &h, 0); err != nil {
		if errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnexpected) || errors.Is(err, ErrUnknownType) || errors.Is(err, ErrOversized) {
			c.reject(RejectBadMagic, "expected an hbsim hello frame")
		}
		return "", err
	}
	if h.Magic != Magic {
		c.reject(RejectBadMagic, "bad magic")
		return h.Client, fmt.Errorf("%w: got %q", ErrBadMagic, h.Magic)
	}
	v, err := Negotiate(MinVersion, MaxVersion, h.MinVersion, h.MaxVersion)
	if err != nil {
		c.reject(RejectIncompatible, err.Error())
		return h.Client, err
	}
	nonce, err := newNonce()
	if err != nil {
		return h.Client, err
	}
	if err := c.writeFrame(FrameChallenge, Challenge{Version: v, Nonce: nonce}, 0); err != nil {
		return h.Client, fmt.Errorf("wire: handshake: send challenge: %w", err)
	}
	var a Auth
	if err := c.expect(FrameAuth, &a, 0); err != nil {
		return h.Client, err
	}
	if !hmac.Equal(a.MAC, ComputeMAC(secret, v, nonce)) {
		c.reject(RejectAuth, "wrong cluster secret (HMAC mismatch); check HBSIM_CLUSTER_SECRET")
		return h.Client, fmt.Errorf("%w: client %q: HMAC mismatch (wrong cluster secret)", ErrAuth, h.Client)
	}
	if err := c.writeFrame(FrameWelcome, Welcome{Version: v}, 0); err != nil {
		return h.Client, fmt.Errorf("wire: handshake: send welcome: %w", err)
	}
	c.Version = v
	return h.Client, nil
}

// reject tells the client why, best effort: it may be gone already.
func (c *Conn) reject(code RejectCode, reason string) {
	_ = c.writeFrame(FrameReject, Reject{Code: code, Reason: reason}, 0)
}
