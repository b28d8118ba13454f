package wire

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Magic opens every Hello: a peer that does not send it is not hbsim.
const Magic = "hbsim"

// Protocol versions this build speaks. A new version that changes the
// meaning of a frame raises MaxVersion; dropping an old one raises
// MinVersion.
const (
	MinVersion uint16 = 1
	MaxVersion uint16 = 1
)

// nonceLen is the server nonce: 256 bits, never reused in practice.
const nonceLen = 32

// authDomain separates hbsim's MACs from any other use of the same secret.
const authDomain = "hbsim-auth-v1\x00"

// Hello is the client's first frame.
type Hello struct {
	Magic      string `codec:"magic"`
	MinVersion uint16 `codec:"min"`
	MaxVersion uint16 `codec:"max"`
	// Client names the client in the server's logs (a DataNode id).
	Client string `codec:"client,omitempty"`
}

// Challenge is the server's answer to a compatible Hello.
type Challenge struct {
	Version uint16 `codec:"v"`
	Nonce   []byte `codec:"nonce"`
}

// Auth proves the client holds the cluster secret.
type Auth struct {
	MAC []byte `codec:"mac"`
}

// Welcome ends a successful handshake.
type Welcome struct {
	Version uint16 `codec:"v"`
}

// RejectCode says why a handshake was refused.
type RejectCode uint8

// Reject codes. Never renumber.
const (
	RejectOther        RejectCode = 0
	RejectIncompatible RejectCode = 1
	RejectAuth         RejectCode = 2
	RejectBadMagic     RejectCode = 3
)

// Reject ends a refused handshake; the server closes the connection after
// sending it.
type Reject struct {
	Code   RejectCode `codec:"code"`
	Reason string     `codec:"reason"`
}

// err turns a Reject received by a client into the matching typed error.
func (r Reject) err() error {
	switch r.Code {
	case RejectAuth:
		return fmt.Errorf("%w: the NameNode says: %s", ErrAuth, r.Reason)
	case RejectIncompatible:
		return fmt.Errorf("%w: the NameNode says: %s", ErrIncompatible, r.Reason)
	case RejectBadMagic:
		return fmt.Errorf("%w: the NameNode says: %s", ErrBadMagic, r.Reason)
	}
	return fmt.Errorf("%w: %s", ErrRejected, r.Reason)
}

// Negotiate picks the highest version both ranges contain.
func Negotiate(ourMin, ourMax, theirMin, theirMax uint16) (uint16, error) {
	lo, hi := max(ourMin, theirMin), min(ourMax, theirMax)
	if theirMin > theirMax || lo > hi {
		return 0, fmt.Errorf("%w: we speak %d..%d, the peer %d..%d", ErrIncompatible, ourMin, ourMax, theirMin, theirMax)
	}
	return hi, nil
}

// ComputeMAC is HMAC-SHA256 keyed with the cluster secret over the domain,
// the negotiated version and the server's nonce. Binding the version stops
// a man in the middle from downgrading it.
func ComputeMAC(secret []byte, version uint16, nonce []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(authDomain))
	var v [2]byte
	binary.BigEndian.PutUint16(v[:], version)
	m.Write(v[:])
	m.Write(nonce)
	return m.Sum(nil)
}

// newNonce draws a fresh server nonce.
func newNonce() ([]byte, error) {
	b := make([]byte, nonceLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("wire: nonce: %w", err)
	}
	return b, nil
}
