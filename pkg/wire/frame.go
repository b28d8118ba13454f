package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/hbsim/hbsim/pkg/proto"
)

// DefaultMaxFrame is the largest frame (type byte and body) a reader
// accepts unless told otherwise: far above any message hbsim sends (a
// heartbeat is under 128 bytes with its MAC), far below what would hurt a
// NameNode serving ten thousand connections.
const DefaultMaxFrame = 1 << 20

// HandshakeMaxFrame caps every frame before the peer has authenticated:
// a Hello with a long client name fits many times over, and a thousand
// strangers cost the NameNode a few MiB, not a GiB.
const HandshakeMaxFrame = 4 << 10

// growStep is the most the reader allocates ahead of the bytes it has
// received: a length header alone never buys the whole claimed frame.
const growStep = 4 << 10

// headerLen is the length prefix.
const headerLen = 4

// FrameType is a frame's one-byte type.
type FrameType uint8

// Handshake frame types. Message frames use the proto.Type values 1–5.
const (
	FrameHello     FrameType = 0x40
	FrameChallenge FrameType = 0x41
	FrameAuth      FrameType = 0x42
	FrameWelcome   FrameType = 0x43
	FrameReject    FrameType = 0x44
)

// Known reports whether t is a type this version can decode.
func (t FrameType) Known() bool {
	return t.IsMessage() || (t >= FrameHello && t <= FrameReject)
}

// IsMessage reports whether t carries a proto.Message.
func (t FrameType) IsMessage() bool { return proto.Type(t).Valid() }

func (t FrameType) String() string {
	switch t {
	case FrameHello:
		return "hello"
	case FrameChallenge:
		return "challenge"
	case FrameAuth:
		return "auth"
	case FrameWelcome:
		return "welcome"
	case FrameReject:
		return "reject"
	}
	if t.IsMessage() {
		return proto.Type(t).String()
	}
	return fmt.Sprintf("frame(0x%02x)", uint8(t))
}

// Frame is one decoded frame. Body aliases the reader's buffer: it is valid
// until the next ReadFrame.
type Frame struct {
	Type FrameType
	Body []byte
}

// FrameReader reads frames from a stream, reusing one buffer.
type FrameReader struct {
	r   io.Reader
	max int
	hdr [headerLen]byte
	buf []byte
}

// NewFrameReader reads frames of at most max bytes (type and body) from r;
// max <= 0 means DefaultMaxFrame.
func NewFrameReader(r io.Reader, max int) *FrameReader {
	fr := &FrameReader{r: r}
	fr.SetMax(max)
	return fr
}

// SetMax changes the frame cap for the frames read from now on; max <= 0
// means DefaultMaxFrame. A Conn lifts HandshakeMaxFrame this way once the
// peer has authenticated.
func (fr *FrameReader) SetMax(max int) {
	if max <= 0 {
		max = DefaultMaxFrame
	}
	fr.max = max
}

// ReadFrame reads the next frame. It returns io.EOF when the stream ends
// cleanly between frames, and a typed error (ErrTruncated, ErrOversized,
// ErrMalformed, ErrUnknownType) otherwise. The length is checked before
// anything is allocated, and the buffer grows at most growStep ahead of
// the bytes that really arrived, so a hostile length costs nothing.
func (fr *FrameReader) ReadFrame() (Frame, error) {
	if k, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Frame{}, fmt.Errorf("%w: %d of %d header bytes", ErrTruncated, k, headerLen)
		}
		return Frame{}, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:])
	switch {
	case n == 0:
		return Frame{}, fmt.Errorf("%w: zero length (no type byte)", ErrMalformed)
	case uint64(n) > uint64(fr.max):
		return Frame{}, fmt.Errorf("%w: %d bytes, limit %d", ErrOversized, n, fr.max)
	}
	b, err := fr.readBody(int(n))
	if err != nil {
		return Frame{}, err
	}
	t := FrameType(b[0])
	if !t.Known() {
		return Frame{}, fmt.Errorf("%w: 0x%02x", ErrUnknownType, uint8(t))
	}
	return Frame{Type: t, Body: b[1:]}, nil
}

// readBody reads n bytes into the reused buffer, growing it by at most
// growStep (or doubling) per read.
func (fr *FrameReader) readBody(n int) ([]byte, error) {
	b := fr.buf[:0]
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(n-len(b), max(growStep, len(b))))
		}
		k, err := io.ReadFull(fr.r, b[len(b):min(n, cap(b))])
		b = b[:len(b)+k]
		if err != nil {
			fr.buf = b[:0]
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(b), n)
			}
			return nil, err
		}
	}
	fr.buf = b[:0]
	return b, nil
}

// AppendFrame appends a frame of type t around body to dst.
func AppendFrame(dst []byte, t FrameType, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)+1))
	dst = append(dst, byte(t))
	return append(dst, body...)
}
