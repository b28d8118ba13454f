package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/hbsim/hbsim/pkg/proto"
)

func frameBytes(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := NewCodec().AppendMessage(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func header(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func TestReadFrameErrors(t *testing.T) {
	hb := proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 3, Seq: 9, Stats: proto.Stats{Capacity: 100, Used: 10}}
	good := frameBytes(&testing.T{}, hb)
	cases := []struct {
		name string
		in   []byte
		want error // nil: one good frame, then io.EOF
	}{
		{"good", good, nil},
		{"empty stream", nil, io.EOF},
		{"zero length", header(0), ErrMalformed},
		{"oversized", header(DefaultMaxFrame + 1), ErrOversized},
		{"http request", []byte("GET / HTTP/1.1\r\n\r\n"), ErrOversized},
		{"unknown type", append(header(1), 0x7f), ErrUnknownType},
		{"type zero", append(header(1), 0), ErrUnknownType},
		{"truncated header", []byte{0, 0}, ErrTruncated},
		{"truncated body", good[:len(good)-3], ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fr := NewFrameReader(bytes.NewReader(c.in), 0)
			f, err := fr.ReadFrame()
			if c.want == nil {
				if err != nil {
					t.Fatalf("ReadFrame: %v", err)
				}
				m, err := NewCodec().DecodeMessage(f)
				if err != nil || m.Node != hb.Node || m.Seq != hb.Seq || m.Stats != hb.Stats {
					t.Fatalf("DecodeMessage = %+v, %v; want %+v", m, err, hb)
				}
				if _, err := fr.ReadFrame(); err != io.EOF {
					t.Fatalf("after the frame: %v, want io.EOF", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("ReadFrame error = %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeMessageErrors(t *testing.T) {
	c := NewCodec()
	hbBody := frameBytes(t, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1"})[5:]
	cases := []struct {
		name string
		f    Frame
		want error
	}{
		{"garbage body", Frame{Type: FrameType(proto.TypeHeartbeat), Body: []byte{0xc1, 0xff, 0x00}}, ErrMalformed},
		{"empty body", Frame{Type: FrameType(proto.TypeHeartbeat)}, ErrMalformed},
		{"trailing bytes", Frame{Type: FrameType(proto.TypeHeartbeat), Body: append(append([]byte(nil), hbBody...), 0x01)}, ErrMalformed},
		{"type mismatch", Frame{Type: FrameType(proto.TypeRegister), Body: hbBody}, ErrMalformed},
		{"handshake frame", Frame{Type: FrameHello, Body: hbBody}, ErrUnexpected},
		// A list header claiming 2^32-1 commands in a 20-byte body must
		// fail without allocating for the claim.
		{"huge list claim", Frame{Type: FrameType(proto.TypeHeartbeatReply), Body: []byte{0x82, 0xa1, 't', 0x04, 0xa1, 'c', 0xdd, 0xff, 0xff, 0xff, 0xff}}, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.DecodeMessage(tc.f); !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMessageRoundTrip(t *testing.T) {
	msgs := []proto.Message{
		{Type: proto.TypeRegister, Node: "dn1", Stats: proto.Stats{Capacity: 1 << 40, Used: 1 << 30, Xmits: 2}},
		{Type: proto.TypeRegisterReply, Node: "dn1", Handle: 7},
		{Type: proto.TypeRegisterReply, Node: "dn1", Refused: "id already live"},
		{Type: proto.TypeHeartbeat, Node: "dn-ü", Handle: 1, Seq: 1<<63 + 5},
		{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 4, Commands: []proto.Command{{Action: proto.ActionRegister}}},
		{Type: proto.TypeLifeline, Node: "dn1", Handle: 2},
	}
	c := NewCodec()
	var stream []byte
	for _, m := range msgs {
		var err error
		if stream, err = c.AppendMessage(stream, m); err != nil {
			t.Fatal(err)
		}
	}
	fr := NewFrameReader(bytes.NewReader(stream), 0)
	for _, want := range msgs {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.DecodeMessage(f)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() || got.Handle != want.Handle || got.Stats != want.Stats ||
			got.Refused != want.Refused || len(got.Commands) != len(want.Commands) {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
	if _, err := c.AppendMessage(nil, proto.Message{}); err == nil {
		t.Error("encoding an invalid message type should fail")
	}
}

// A length header buys nothing: the reader allocates at most growStep
// ahead of the bytes that arrived (before, a 1 MiB header allocated
// 1 MiB per connection). Frames larger than growStep still arrive whole.
func TestReadFrameAllocatesWhatArrives(t *testing.T) {
	claim := append(header(DefaultMaxFrame), byte(proto.TypeHeartbeat))
	fr := NewFrameReader(bytes.NewReader(append(claim, make([]byte, 10)...)), 0)
	if _, err := fr.ReadFrame(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("ReadFrame = %v, want ErrTruncated", err)
	}
	if c := cap(fr.buf); c > growStep {
		t.Errorf("a 1 MiB header with 11 bytes behind it grew the buffer to %d bytes, want at most %d", c, growStep)
	}
	for _, n := range []int{1, growStep - 1, growStep, growStep + 1, 3*growStep + 7, DefaultMaxFrame} {
		body := bytes.Repeat([]byte{0xab}, n-1)
		fr := NewFrameReader(bytes.NewReader(AppendFrame(nil, FrameType(proto.TypeHeartbeat), body)), 0)
		f, err := fr.ReadFrame()
		if err != nil || !bytes.Equal(f.Body, body) {
			t.Fatalf("frame of %d bytes: %v", n, err)
		}
	}
}
