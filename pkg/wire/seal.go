package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
)

// sealOverhead is what sealing adds to a frame's body: the sequence
// number and the MAC.
const sealOverhead = 8 + sha256.Size

// sealer MACs the frames one side sends, numbering them from 1.
type sealer struct {
	mac hash.Hash
	seq uint64
}

func newSealer(key []byte) *sealer { return &sealer{mac: hmac.New(sha256.New, key)} }

// sum is HMAC(key, seq ‖ type ‖ payload); the fields before the payload
// have fixed widths, so no two frames share an input.
func (s *sealer) sum(dst []byte, seq uint64, t FrameType, payload []byte) []byte {
	s.mac.Reset()
	var hdr [9]byte
	binary.BigEndian.PutUint64(hdr[:8], seq)
	hdr[8] = byte(t)
	s.mac.Write(hdr[:])
	s.mac.Write(payload)
	return s.mac.Sum(dst)
}

// seal appends the next sequence number and the MAC to frame, a whole
// frame (header, type, payload) at the end of buf starting at start, and
// fixes its length header.
func (s *sealer) seal(buf []byte, start int) ([]byte, error) {
	if s.seq == ^uint64(0) {
		return buf, fmt.Errorf("wire: send: sequence numbers exhausted; reconnect")
	}
	s.seq++
	t := FrameType(buf[start+headerLen])
	payload := buf[start+headerLen+1:]
	buf = binary.BigEndian.AppendUint64(buf, s.seq)
	buf = s.sum(buf, s.seq, t, payload)
	binary.BigEndian.PutUint32(buf[start:], uint32(len(buf)-start-headerLen))
	return buf, nil
}

// open checks a sealed frame received and returns it without its
// trailer. A frame whose MAC does not verify is ErrTampered; one whose
// sequence number is not above the last accepted is ErrReplay. Gaps are
// allowed: TCP never loses a frame, but hbsim's fault proxy drops whole
// frames to model a lossy network.
func (s *sealer) open(f Frame) (Frame, error) {
	if len(f.Body) < sealOverhead {
		return Frame{}, fmt.Errorf("%w: %s frame of %d bytes has no room for its sequence number and MAC", ErrTampered, f.Type, len(f.Body)+1)
	}
	n := len(f.Body) - sealOverhead
	payload, seqb, got := f.Body[:n], f.Body[n:n+8], f.Body[n+8:]
	seq := binary.BigEndian.Uint64(seqb)
	var buf [sha256.Size]byte
	if !hmac.Equal(got, s.sum(buf[:0], seq, f.Type, payload)) {
		return Frame{}, fmt.Errorf("%w: %s frame %d", ErrTampered, f.Type, seq)
	}
	if seq <= s.seq {
		return Frame{}, fmt.Errorf("%w: %s frame %d after frame %d", ErrReplay, f.Type, seq, s.seq)
	}
	s.seq = seq
	return Frame{Type: f.Type, Body: payload}, nil
}
