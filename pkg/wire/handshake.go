package wire

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"hash"
)

// Magic opens every Hello: a peer that does not send it is not hbsim.
const Magic = "hbsim"

// Protocol versions this build speaks. A new version that changes the
// meaning of a frame raises MaxVersion; dropping an old one raises
// MinVersion. Version 1 authenticated the DataNode only and sent frames in
// the clear; version 2 authenticates both sides and seals every frame
// after the handshake (see Conn). Nothing of version 1 is kept: a peer
// that still speaks it would be a way around the MACs.
const (
	MinVersion uint16 = 2
	MaxVersion uint16 = 2
)

// nonceLen is each side's nonce: 256 bits, never reused in practice.
const nonceLen = 32

// Labels separate hbsim's uses of the cluster secret from any other use of
// it, and each use from the others.
const (
	transcriptDomain = "hbsim-handshake-v2\x00"
	labelClientProof = "hbsim v2 client proof"
	labelServerProof = "hbsim v2 server proof"
	labelClientKey   = "hbsim v2 client-to-server frames"
	labelServerKey   = "hbsim v2 server-to-client frames"
)

// Hello is the client's first frame.
type Hello struct {
	Magic      string `codec:"magic"`
	MinVersion uint16 `codec:"min"`
	MaxVersion uint16 `codec:"max"`
	// Client names the client in the server's logs (a DataNode id).
	Client string `codec:"client,omitempty"`
	// Nonce is the client's fresh random contribution to the session:
	// with the server's it makes every proof and session key single-use.
	Nonce []byte `codec:"nonce,omitempty"`
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

// Welcome ends a successful handshake. Proof shows the client that the
// server holds the cluster secret too: a NameNode that merely accepts
// everybody cannot compute it.
type Welcome struct {
	Version uint16 `codec:"v"`
	Proof   []byte `codec:"proof,omitempty"`
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

// transcript hashes the handshake's first two frames exactly as they
// crossed the wire: the versions offered and chosen, the client's name and
// both nonces. Every proof and key is derived from it, so a man in the
// middle who changes any of them (a downgrade, another name) makes both
// proofs fail.
type transcript struct{ h hash.Hash }

func newTranscript() transcript {
	t := transcript{h: sha256.New()}
	t.h.Write([]byte(transcriptDomain))
	return t
}

// add appends one frame, length prefix included.
func (t transcript) add(ft FrameType, body []byte) {
	t.h.Write(AppendFrame(nil, ft, body))
}

// sessionSecrets are what one handshake yields on both sides.
type sessionSecrets struct {
	clientProof, serverProof []byte
	clientKey, serverKey     []byte // keys of the frames each side sends
}

// derive extracts one pseudorandom key from the cluster secret with the
// transcript as salt (HKDF, RFC 5869), and expands it into both proofs and
// both directions' frame keys. Proofs and keys are independent outputs:
// seeing a proof on the wire tells nothing about a key.
func (t transcript) derive(secret []byte) (sessionSecrets, error) {
	prk, err := hkdf.Extract(sha256.New, secret, t.h.Sum(nil))
	if err != nil {
		return sessionSecrets{}, fmt.Errorf("wire: derive keys: %w", err)
	}
	var s sessionSecrets
	for _, out := range []struct {
		dst   *[]byte
		label string
	}{
		{&s.clientProof, labelClientProof}, {&s.serverProof, labelServerProof},
		{&s.clientKey, labelClientKey}, {&s.serverKey, labelServerKey},
	} {
		if *out.dst, err = hkdf.Expand(sha256.New, prk, out.label, sha256.Size); err != nil {
			return sessionSecrets{}, fmt.Errorf("wire: derive keys: %w", err)
		}
	}
	return s, nil
}

// newNonce draws a fresh nonce.
func newNonce() ([]byte, error) {
	b := make([]byte, nonceLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("wire: nonce: %w", err)
	}
	return b, nil
}
