package wire

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// sealed returns heartbeat frame seq as the client's sealer would send it.
func sealed(t *testing.T, c *Conn, seq uint64) []byte {
	t.Helper()
	b, err := c.wc.AppendMessage(nil, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 1, Seq: seq})
	if err != nil {
		t.Fatal(err)
	}
	if b, err = c.out.seal(b, 0); err != nil {
		t.Fatal(err)
	}
	return b
}

// recvRaw writes raw bytes on the client side and returns what the
// server's Recv makes of each frame, in order.
func recvRaw(t *testing.T, srv, cl *Conn, frames ...[]byte) []error {
	t.Helper()
	go func() {
		for _, f := range frames {
			if _, err := cl.nc.Write(f); err != nil {
				return
			}
		}
	}()
	var errs []error
	srv.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	for range frames {
		_, err := srv.Recv()
		errs = append(errs, err)
		if err != nil {
			break
		}
	}
	return errs
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0x01
	return b
}

// Every frame after the handshake carries a MAC under the session's key
// and a sequence number: a changed, forged, replayed or reordered frame
// ends the connection with a typed error; a gap (a frame the fault proxy
// dropped) does not.
func TestSealedFrames(t *testing.T) {
	cases := []struct {
		name   string
		frames func(cl, srv *Conn) [][]byte
		want   []error // one per frame read; the last may be an error
	}{
		{"in order", func(cl, _ *Conn) [][]byte {
			return [][]byte{sealed(t, cl, 1), sealed(t, cl, 2)}
		}, []error{nil, nil}},
		{"gap (a dropped frame)", func(cl, _ *Conn) [][]byte {
			a, _, c := sealed(t, cl, 1), sealed(t, cl, 2), sealed(t, cl, 3)
			return [][]byte{a, c}
		}, []error{nil, nil}},
		{"replayed", func(cl, _ *Conn) [][]byte {
			a := sealed(t, cl, 1)
			return [][]byte{a, a}
		}, []error{nil, ErrReplay}},
		{"reordered", func(cl, _ *Conn) [][]byte {
			a, b := sealed(t, cl, 1), sealed(t, cl, 2)
			return [][]byte{b, a}
		}, []error{nil, ErrReplay}},
		{"payload bit flipped", func(cl, _ *Conn) [][]byte {
			return [][]byte{flip(sealed(t, cl, 1), headerLen+3)}
		}, []error{ErrTampered}},
		{"sequence number changed", func(cl, _ *Conn) [][]byte {
			b := sealed(t, cl, 1)
			return [][]byte{flip(b, len(b)-sealOverhead+7)}
		}, []error{ErrTampered}},
		{"MAC bit flipped", func(cl, _ *Conn) [][]byte {
			b := sealed(t, cl, 1)
			return [][]byte{flip(b, len(b)-1)}
		}, []error{ErrTampered}},
		{"type byte changed", func(cl, _ *Conn) [][]byte {
			b := sealed(t, cl, 1)
			b[headerLen] = byte(proto.TypeLifeline)
			return [][]byte{b}
		}, []error{ErrTampered}},
		{"unsealed message", func(cl, _ *Conn) [][]byte {
			b, _ := cl.wc.AppendMessage(nil, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1"})
			return [][]byte{b}
		}, []error{ErrTampered}},
		{"reflected: the server's own frame sent back", func(_, srv *Conn) [][]byte {
			b, _ := srv.wc.AppendMessage(nil, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1"})
			b, _ = srv.out.seal(b, 0)
			return [][]byte{b}
		}, []error{ErrTampered}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, cl := handshaken(t, "s3cret", Options{})
			got := recvRaw(t, srv, cl, tc.frames(cl, srv)...)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if !errors.Is(got[i], tc.want[i]) || (tc.want[i] == nil) != (got[i] == nil) {
					t.Errorf("frame %d: %v, want %v", i+1, got[i], tc.want[i])
				}
				if got[i] != nil && !IsProtocolError(got[i]) {
					t.Errorf("frame %d: %v is not a protocol error", i+1, got[i])
				}
			}
		})
	}
}

// Two sessions under the same secret have different keys: a frame
// recorded on one is rejected on the other.
func TestSealedFrameFromAnotherSession(t *testing.T) {
	_, old := handshaken(t, "s3cret", Options{})
	srv, cl := handshaken(t, "s3cret", Options{})
	if got := recvRaw(t, srv, cl, sealed(t, old, 1)); !errors.Is(got[0], ErrTampered) {
		t.Errorf("a frame of another session: %v, want ErrTampered", got[0])
	}
}

// Messages both ways survive sealing, and Send/Recv before the handshake
// are refused rather than sent in the clear.
func TestSealedRoundTrip(t *testing.T) {
	srv, cl := handshaken(t, "s3cret", Options{})
	go func() {
		for i := range 3 {
			cl.Send(proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Seq: uint64(i)})
		}
	}()
	for i := range 3 {
		m, err := srv.Recv()
		if err != nil || m.Seq != uint64(i) {
			t.Fatalf("message %d: %+v, %v", i, m, err)
		}
	}
	go srv.Send(proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 9})
	if m, err := cl.Recv(); err != nil || m.Seq != 9 {
		t.Fatalf("reply: %+v, %v", m, err)
	}
	fresh := NewConn(nil, Options{})
	if err := fresh.Send(proto.Message{Type: proto.TypeHeartbeat}); !errors.Is(err, ErrUnexpected) {
		t.Errorf("Send before the handshake: %v, want ErrUnexpected", err)
	}
	if _, err := fresh.Recv(); !errors.Is(err, ErrUnexpected) {
		t.Errorf("Recv before the handshake: %v, want ErrUnexpected", err)
	}
}
