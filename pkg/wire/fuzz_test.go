package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/hbsim/hbsim/pkg/proto"
)

// FuzzDecode feeds arbitrary bytes to the frame reader and decoders, as a
// hostile or broken peer would. It must never panic or hang, every error
// must be typed, and every message that decodes must survive a round trip.
// `make test` runs it over the seed corpus in testdata/fuzz/FuzzDecode;
// `make fuzz` explores further.
func FuzzDecode(f *testing.F) {
	c := NewCodec()
	for _, m := range []proto.Message{
		{Type: proto.TypeRegister, Node: "dn1", Stats: proto.Stats{Capacity: 1 << 40}},
		{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 1, Seq: 42},
		{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 42, Commands: []proto.Command{{Action: proto.ActionRegister}}},
	} {
		b, _ := c.AppendMessage(nil, m)
		f.Add(b)
	}
	hello, _ := c.AppendEncode(nil, FrameHello, Hello{Magic: Magic, MinVersion: 1, MaxVersion: 1, Client: "dn1"})
	f.Add(hello)
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFrameReader(bytes.NewReader(data), 64<<10)
		dc := NewCodec()
		for {
			fm, err := fr.ReadFrame()
			if err != nil {
				if err != io.EOF && !IsProtocolError(err) {
					t.Fatalf("untyped error: %v", err)
				}
				return
			}
			if !fm.Type.IsMessage() {
				decodeHandshake(t, dc, fm)
				continue
			}
			m, err := dc.DecodeMessage(fm)
			if err != nil {
				if !IsProtocolError(err) {
					t.Fatalf("untyped error: %v", err)
				}
				continue
			}
			b, err := dc.AppendMessage(nil, m)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", m, err)
			}
			back, err := dc.DecodeMessage(Frame{Type: FrameType(b[4]), Body: b[5:]})
			if err != nil || back.String() != m.String() || back.Stats != m.Stats || back.Refused != m.Refused {
				t.Fatalf("round trip: %+v became %+v (%v)", m, back, err)
			}
		}
	})
}

func decodeHandshake(t *testing.T, c *Codec, f Frame) {
	var v any
	switch f.Type {
	case FrameHello:
		v = &Hello{}
	case FrameChallenge:
		v = &Challenge{}
	case FrameAuth:
		v = &Auth{}
	case FrameWelcome:
		v = &Welcome{}
	default:
		v = &Reject{}
	}
	if err := c.DecodeBody(f.Type, f.Body, v); err != nil && !errors.Is(err, ErrMalformed) {
		t.Fatalf("untyped error: %v", err)
	}
}
