package wire

import "errors"

// Errors of the wire protocol. Every error this package returns wraps one of
// them (or an I/O error of the connection, such as io.EOF or a timeout).
var (
	// ErrOversized: a frame's length exceeds the maximum frame size.
	ErrOversized = errors.New("wire: frame too large")
	// ErrMalformed: a frame whose body does not decode, carries trailing
	// bytes, or has a zero length.
	ErrMalformed = errors.New("wire: malformed frame")
	// ErrUnknownType: a frame type this version does not know.
	ErrUnknownType = errors.New("wire: unknown frame type")
	// ErrUnexpected: a known frame type where the protocol does not allow
	// it (a heartbeat during the handshake, a Hello after it).
	ErrUnexpected = errors.New("wire: unexpected frame")
	// ErrTruncated: the stream ended in the middle of a frame.
	ErrTruncated = errors.New("wire: truncated frame")
	// ErrBadMagic: the peer does not speak hbsim's protocol at all.
	ErrBadMagic = errors.New("wire: not an hbsim peer (bad magic)")
	// ErrIncompatible: the two sides share no protocol version.
	ErrIncompatible = errors.New("wire: incompatible protocol version")
	// ErrAuth: a handshake proof did not verify: the sides hold different
	// cluster secrets (or the peer is not the NameNode it claims to be).
	ErrAuth = errors.New("authentication failed")
	// ErrRejected: the server refused the handshake for another reason.
	ErrRejected = errors.New("wire: handshake rejected")
	// ErrTampered: a frame after the handshake whose MAC does not verify:
	// changed on the way, or forged by a peer without the session key.
	ErrTampered = errors.New("wire: frame MAC mismatch (tampered or forged)")
	// ErrReplay: a frame after the handshake whose sequence number is not
	// above the last one accepted: replayed or reordered.
	ErrReplay = errors.New("wire: frame replayed or reordered")
)

// IsProtocolError reports whether err is the peer's fault (a framing or
// handshake error), as opposed to the network's (EOF, reset, timeout).
func IsProtocolError(err error) bool {
	for _, e := range []error{ErrOversized, ErrMalformed, ErrUnknownType, ErrUnexpected,
		ErrTruncated, ErrBadMagic, ErrIncompatible, ErrAuth, ErrRejected, ErrTampered, ErrReplay} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
