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
	// MaxFrame caps a frame's length (type and body) once the peer has
	// authenticated; 0 means DefaultMaxFrame. Before that the cap is
	// HandshakeMaxFrame.
	MaxFrame int
	// ReadTimeout bounds the wait for each frame; 0 means none. A
	// NameNode sets it to a few heartbeat intervals so a peer that
	// vanished without a FIN (a cut cable) does not hold a connection
	// forever.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write; 0 means none. It keeps a peer that
	// stopped reading from blocking its writer.
	WriteTimeout time.Duration
	// HandshakeTimeout bounds the whole handshake; 0 means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// HTTPAddr is the server's HTTP address, named in the answer Accept
	// gives a web browser or `hbsim report` that reached the RPC port
	// instead; empty if the server has none.
	HTTPAddr string
}

// DefaultHandshakeTimeout bounds a handshake unless Options say otherwise:
// a DataNode on the far side of a slow link needs a few round trips; a
// stranger that sends nothing is gone after this.
const DefaultHandshakeTimeout = 5 * time.Second

func (o Options) handshakeTimeout() time.Duration {
	if o.HandshakeTimeout > 0 {
		return o.HandshakeTimeout
	}
	return DefaultHandshakeTimeout
}

// Conn is a framed, deadline-bounded connection. One goroutine may read
// while another writes; two concurrent readers or writers need a lock.
//
// After the handshake every frame is sealed: its body carries a sequence
// number and an HMAC-SHA256 under a key of this session and direction
// (see the package comment), and Recv rejects a frame that was changed,
// forged, replayed or reordered.
type Conn struct {
	nc      net.Conn
	opts    Options
	br      *bufio.Reader
	fr      *FrameReader
	rc, wc  *Codec
	wbuf    []byte
	in, out *sealer // nil until the handshake succeeds
	Version uint16  // negotiated by the handshake
}

// NewConn wraps nc. The handshake has not happened yet: call Handshake
// (client) or Accept (server) first.
func NewConn(nc net.Conn, opts Options) *Conn {
	// Buffered: a frame header and its body are two reads, and a
	// syscall each would double the cost of a heartbeat.
	br := bufio.NewReaderSize(nc, 4096)
	preAuth := HandshakeMaxFrame
	if opts.MaxFrame > 0 {
		preAuth = min(preAuth, opts.MaxFrame)
	}
	return &Conn{nc: nc, opts: opts, br: br, fr: NewFrameReader(br, preAuth), rc: NewCodec(), wc: NewCodec()}
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

func (c *Conn) writeRaw(b []byte, timeout time.Duration) error {
	if timeout > 0 {
		if err := c.nc.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
			return err
		}
	}
	_, err := c.nc.Write(b)
	return err
}

// errNoSession is a message sent or received before the handshake.
var errNoSession = fmt.Errorf("%w: a message before the handshake", ErrUnexpected)

// Recv reads the next message and checks its seal. Handshake frames after
// the handshake are ErrUnexpected.
func (c *Conn) Recv() (proto.Message, error) {
	if c.in == nil {
		return proto.Message{}, errNoSession
	}
	f, err := c.readFrame(c.opts.ReadTimeout)
	if err != nil {
		return proto.Message{}, err
	}
	if f, err = c.in.open(f); err != nil {
		return proto.Message{}, err
	}
	return c.rc.DecodeMessage(f)
}

// Send seals and writes one message.
func (c *Conn) Send(m proto.Message) error {
	if c.out == nil {
		return errNoSession
	}
	b, err := c.wc.AppendMessage(c.wbuf[:0], m)
	if err != nil {
		return err
	}
	if b, err = c.out.seal(b, 0); err != nil {
		return err
	}
	c.wbuf = b
	return c.writeRaw(b, c.opts.WriteTimeout)
}

// sendHandshake encodes v as a handshake frame of type t, adds it to the
// transcript (if any) and writes it.
func (c *Conn) sendHandshake(t FrameType, v any, tr *transcript) error {
	b, err := c.wc.AppendEncode(c.wbuf[:0], t, v)
	if err != nil {
		return err
	}
	c.wbuf = b
	if tr != nil {
		tr.add(t, b[headerLen+1:])
	}
	if err := c.writeRaw(b, 0); err != nil {
		return fmt.Errorf("wire: handshake: send %s: %w", t, err)
	}
	return nil
}

// expect reads one handshake frame of type want into v and adds it to the
// transcript (if any); a Reject instead is returned as its typed error.
func (c *Conn) expect(want FrameType, v any, tr *transcript) error {
	f, err := c.readFrame(0)
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
	if tr != nil {
		tr.add(f.Type, f.Body)
	}
	return c.rc.DecodeBody(f.Type, f.Body, v)
}

// handshakeDeadline bounds the whole handshake and clears it on return.
func (c *Conn) handshakeDeadline() (clear func(), err error) {
	if err := c.nc.SetDeadline(time.Now().Add(c.opts.handshakeTimeout())); err != nil {
		return nil, err
	}
	return func() { _ = c.nc.SetDeadline(time.Time{}) }, nil
}

// established seals every frame from now on and lifts the pre-auth cap.
func (c *Conn) established(v uint16, inKey, outKey []byte) {
	c.Version = v
	c.in, c.out = newSealer(inKey), newSealer(outKey)
	c.fr.SetMax(c.opts.MaxFrame)
}

// Handshake runs the client side: Hello, Challenge, Auth, Welcome. A
// refusal comes back as ErrAuth, ErrIncompatible or ErrRejected; a
// NameNode that cannot prove it holds the secret is ErrAuth too.
func (c *Conn) Handshake(client string, secret []byte) error {
	clear, err := c.handshakeDeadline()
	if err != nil {
		return err
	}
	defer clear()
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	tr := newTranscript()
	if err := c.sendHandshake(FrameHello, Hello{Magic: Magic, MinVersion: MinVersion, MaxVersion: MaxVersion, Client: client, Nonce: nonce}, &tr); err != nil {
		return err
	}
	var ch Challenge
	if err := c.expect(FrameChallenge, &ch, &tr); err != nil {
		return err
	}
	if _, err := Negotiate(MinVersion, MaxVersion, ch.Version, ch.Version); err != nil {
		return err
	}
	if len(ch.Nonce) != nonceLen {
		return fmt.Errorf("%w: challenge nonce of %d bytes, want %d", ErrMalformed, len(ch.Nonce), nonceLen)
	}
	keys, err := tr.derive(secret)
	if err != nil {
		return err
	}
	if err := c.sendHandshake(FrameAuth, Auth{MAC: keys.clientProof}, nil); err != nil {
		return err
	}
	var w Welcome
	if err := c.expect(FrameWelcome, &w, nil); err != nil {
		return err
	}
	if w.Version != ch.Version {
		return fmt.Errorf("%w: welcome for version %d after a challenge for %d", ErrMalformed, w.Version, ch.Version)
	}
	if !hmac.Equal(w.Proof, keys.serverProof) {
		return fmt.Errorf("%w: the NameNode at %s could not prove it holds the cluster secret; "+
			"check HBSIM_CLUSTER_SECRET on the NameNode, and that this address is the NameNode", ErrAuth, c.RemoteAddr())
	}
	c.established(ch.Version, keys.serverKey, keys.clientKey)
	return nil
}

// Accept runs the server side of the handshake. On failure it sends the
// client a Reject saying why (best effort) and returns the typed error;
// the caller logs it and closes the connection.
func (c *Conn) Accept(secret []byte) (client string, err error) {
	clear, err := c.handshakeDeadline()
	if err != nil {
		return "", err
	}
	defer clear()
	if err := c.refuseForeign(); err != nil {
		return "", err
	}
	tr := newTranscript()
	var h Hello
	if err := c.expect(FrameHello, &h, &tr); err != nil {
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
		c.reject(RejectIncompatible, err.Error()+"; run the same hbsim version on both sides")
		return h.Client, err
	}
	if len(h.Nonce) != nonceLen {
		c.reject(RejectBadMagic, "hello without a nonce")
		return h.Client, fmt.Errorf("%w: hello nonce of %d bytes, want %d", ErrMalformed, len(h.Nonce), nonceLen)
	}
	nonce, err := newNonce()
	if err != nil {
		return h.Client, err
	}
	if err := c.sendHandshake(FrameChallenge, Challenge{Version: v, Nonce: nonce}, &tr); err != nil {
		return h.Client, err
	}
	keys, err := tr.derive(secret)
	if err != nil {
		return h.Client, err
	}
	var a Auth
	if err := c.expect(FrameAuth, &a, nil); err != nil {
		return h.Client, err
	}
	if !hmac.Equal(a.MAC, keys.clientProof) {
		c.reject(RejectAuth, "wrong cluster secret (HMAC mismatch); check HBSIM_CLUSTER_SECRET")
		return h.Client, fmt.Errorf("%w: client %q: HMAC mismatch (wrong cluster secret)", ErrAuth, h.Client)
	}
	if err := c.sendHandshake(FrameWelcome, Welcome{Version: v, Proof: keys.serverProof}, nil); err != nil {
		return h.Client, err
	}
	c.established(v, keys.clientKey, keys.serverKey)
	return h.Client, nil
}

// Refuse answers a client's Hello with a RejectAuth giving reason,
// without a challenge: the server will not talk to this peer
// whatever it proves. It returns the name the client gave and ErrAuth
// (or the error that cut the exchange short).
func (c *Conn) Refuse(reason string) (client string, err error) {
	clear, err := c.handshakeDeadline()
	if err != nil {
		return "", err
	}
	defer clear()
	if err := c.refuseForeign(); err != nil {
		return "", err
	}
	var h Hello
	if err := c.expect(FrameHello, &h, nil); err != nil {
		return "", err
	}
	c.reject(RejectAuth, reason)
	return h.Client, fmt.Errorf("%w: %s", ErrAuth, reason)
}

// reject tells the client why, best effort: it may be gone already.
func (c *Conn) reject(code RejectCode, reason string) {
	_ = c.sendHandshake(FrameReject, Reject{Code: code, Reason: reason}, nil)
}
