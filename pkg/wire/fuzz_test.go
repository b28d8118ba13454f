package wire

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

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
	hello, _ := c.AppendEncode(nil, FrameHello, Hello{Magic: Magic, MinVersion: MinVersion, MaxVersion: MaxVersion, Client: "dn1", Nonce: make([]byte, nonceLen)})
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
	case FrameReject:
		v = &Reject{}
	default:
		t.Fatalf("%s is neither a message nor a handshake frame", f.Type)
	}
	if err := c.DecodeBody(f.Type, f.Body, v); err != nil && !errors.Is(err, ErrMalformed) {
		t.Fatalf("untyped error: %v", err)
	}
}

// FuzzAccept plays a hostile client against the server's handshake: the
// bytes are what the client sends, then it hangs up. Accept must return
// (never panic or hang), never succeed without the secret's proof, and
// every error must be a protocol error or the connection's end.
func FuzzAccept(f *testing.F) {
	c := NewCodec()
	nonce := bytes.Repeat([]byte{7}, nonceLen)
	for _, h := range []Hello{
		{Magic: Magic, MinVersion: MinVersion, MaxVersion: MaxVersion, Client: "dn1", Nonce: nonce},
		{Magic: Magic, MinVersion: 1, MaxVersion: 1, Client: "dn1"},
		{Magic: Magic, MinVersion: MinVersion, MaxVersion: MaxVersion, Client: "dn1", Nonce: nonce[:5]},
		{Magic: "hdfs", MinVersion: MinVersion, MaxVersion: MaxVersion},
	} {
		hello, _ := c.AppendEncode(nil, FrameHello, h)
		f.Add(hello)
		both, _ := c.AppendEncode(hello, FrameAuth, Auth{MAC: nonce})
		f.Add(both)
	}
	f.Add([]byte("GET /api/datanodes HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05})
	f.Add(header(1 << 20))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := net.Pipe()
		defer a.Close()
		go func() {
			defer b.Close()
			go io.Copy(io.Discard, b)
			b.Write(data)
		}()
		client, err := NewConn(a, Options{HandshakeTimeout: 5 * time.Second}).Accept([]byte("s3cret"))
		if err == nil {
			t.Fatalf("handshake of %q succeeded without the secret", client)
		}
		if !IsProtocolError(err) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

// fuzzKeys are fixed keys for FuzzRecvSealed, so its seeds can be valid
// sealed frames for the fuzzer to mutate.
var fuzzKeys = [2][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)}

// fuzzSealedFrames are heartbeats 1..4 sealed under fuzzKeys[0].
func fuzzSealedFrames() [][]byte {
	c, s := NewCodec(), newSealer(fuzzKeys[0])
	var out [][]byte
	for i := range 4 {
		b, _ := c.AppendMessage(nil, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 1, Seq: uint64(i + 1)})
		b, _ = s.seal(b, 0)
		out = append(out, b)
	}
	return out
}

// FuzzRecvSealed feeds arbitrary frames to an established connection.
// The oracle: a frame is accepted only if it is one of the frames really
// sealed under the session key, in increasing sequence; no mutation of
// one (a bit, a length, a sequence number, a splice) gets through, and
// every rejection is typed.
func FuzzRecvSealed(f *testing.F) {
	valid := map[string]bool{}
	frames := fuzzSealedFrames()
	for _, b := range frames {
		valid[string(b)] = true
		f.Add(b)
	}
	f.Add(bytes.Join(frames, nil))
	f.Add(append(append([]byte(nil), frames[1]...), frames[0]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &Conn{fr: NewFrameReader(bytes.NewReader(data), 0), rc: NewCodec(), in: newSealer(fuzzKeys[0])}
		var last uint64
		for {
			fm, err := c.fr.ReadFrame()
			if err != nil {
				if err != io.EOF && !IsProtocolError(err) {
					t.Fatalf("untyped error: %v", err)
				}
				return
			}
			raw := AppendFrame(nil, fm.Type, fm.Body)
			opened, err := c.in.open(fm)
			if err != nil {
				if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrReplay) {
					t.Fatalf("rejection not typed: %v", err)
				}
				return
			}
			if !valid[string(raw)] {
				t.Fatalf("forged frame accepted: %x", raw)
			}
			if c.in.seq <= last {
				t.Fatalf("sequence %d accepted after %d", c.in.seq, last)
			}
			last = c.in.seq
			if _, err := c.rc.DecodeMessage(opened); err != nil {
				t.Fatalf("a genuine frame does not decode: %v", err)
			}
		}
	})
}
