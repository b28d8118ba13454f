package wire

import (
	"fmt"

	"github.com/hashicorp/go-msgpack/v2/codec"

	"github.com/hbsim/hbsim/pkg/proto"
)

// newHandle returns the msgpack settings both sides use. Each Codec gets
// its own handle, so no state is shared between connections.
func newHandle() *codec.MsgpackHandle {
	h := &codec.MsgpackHandle{}
	// A hostile body may declare a list of four billion commands; start
	// small and grow as elements really arrive.
	h.MaxInitLen = 16
	h.RawToString = true
	h.WriteExt = true
	return h
}

// Codec encodes and decodes frame bodies, reusing its buffers. It is not
// safe for concurrent use: give each connection direction its own.
type Codec struct {
	h   *codec.MsgpackHandle
	enc *codec.Encoder
	dec *codec.Decoder
	out []byte
}

// NewCodec returns a Codec.
func NewCodec() *Codec {
	c := &Codec{h: newHandle()}
	c.enc = codec.NewEncoderBytes(&c.out, c.h)
	c.dec = codec.NewDecoderBytes(nil, c.h)
	return c
}

// AppendEncode appends a frame of type t carrying v to dst.
func (c *Codec) AppendEncode(dst []byte, t FrameType, v any) ([]byte, error) {
	c.out = c.out[:0]
	c.enc.ResetBytes(&c.out)
	if err := c.enc.Encode(v); err != nil {
		return dst, fmt.Errorf("wire: encode %s: %w", t, err)
	}
	return AppendFrame(dst, t, c.out), nil
}

// DecodeBody decodes body into v. Undecodable bodies and bodies with bytes
// after the value are ErrMalformed. The decoder is hardened against hostile
// input (see newHandle), and a panic inside it is turned into ErrMalformed
// rather than taking the server down.
func (c *Codec) DecodeBody(t FrameType, body []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s body: decoder panic: %v", ErrMalformed, t, r)
		}
	}()
	c.dec.ResetBytes(body)
	if err := c.dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s body: %v", ErrMalformed, t, err)
	}
	if n := c.dec.NumBytesRead(); n != len(body) {
		return fmt.Errorf("%w: %s body: %d trailing bytes", ErrMalformed, t, len(body)-n)
	}
	return nil
}

// DecodeMessage decodes a message frame. The frame's type byte is the
// message's type; a body that says otherwise is malformed.
func (c *Codec) DecodeMessage(f Frame) (proto.Message, error) {
	if !f.Type.IsMessage() {
		return proto.Message{}, fmt.Errorf("%w: %s where a message was expected", ErrUnexpected, f.Type)
	}
	var m proto.Message
	if err := c.DecodeBody(f.Type, f.Body, &m); err != nil {
		return proto.Message{}, err
	}
	if m.Type != proto.Type(f.Type) {
		return proto.Message{}, fmt.Errorf("%w: frame type %s, body type %s", ErrMalformed, f.Type, m.Type)
	}
	return m, nil
}

// AppendMessage appends m as a frame to dst.
func (c *Codec) AppendMessage(dst []byte, m proto.Message) ([]byte, error) {
	if !m.Type.Valid() {
		return dst, fmt.Errorf("wire: encode: invalid message type %s", m.Type)
	}
	return c.AppendEncode(dst, FrameType(m.Type), m)
}
