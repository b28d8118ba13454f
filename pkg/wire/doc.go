// Package wire is live mode's protocol on a TCP stream: the bytes between a
// DataNode process and the NameNode process.
//
// Every unit is a frame:
//
//	+----------------+--------+---------------------+
//	| length uint32  | type   | msgpack body        |
//	| big-endian     | 1 byte | length-1 bytes      |
//	+----------------+--------+---------------------+
//
// The length counts the type byte and the body, so it is never 0, and it is
// capped: HandshakeMaxFrame (4 KiB) until the peer has authenticated,
// DefaultMaxFrame (1 MiB) after. The reader grows its buffer only as bytes
// arrive, so a length header alone allocates nothing. Types 1–5 are
// proto.Type values and carry a proto.Message; types 0x40 and up belong to
// the handshake. The type space only grows, as proto.Type does.
//
// A connection starts with a handshake (see Handshake and Accept) that
// authenticates both sides with the cluster secret, which never crosses
// the wire:
//
//	client → Hello     magic, protocol versions it speaks [min, max], its
//	                   name, a fresh random nonce
//	server → Challenge the version chosen, a fresh random nonce
//	client → Auth      the client's proof
//	server → Welcome   the server's proof; or Reject with a code and a reason
//
// Both proofs and the session's keys come from one HKDF-SHA256 extraction
// (RFC 5869) of the secret, salted with the hash of the Hello and the
// Challenge exactly as they crossed the wire, expanded under four labels.
// The nonces make every proof and key single-use, so a recorded handshake
// or frame is worthless later; the transcript binds the versions and the
// name, so a man in the middle cannot downgrade or rename. The server
// proves itself only after the client has, so it is no oracle for the
// secret.
//
// After the Welcome every frame is sealed: its body is the msgpack payload
// followed by a sequence number (uint64, from 1) and
// HMAC-SHA256(key of its direction, sequence ‖ type ‖ payload). The
// receiver rejects a frame whose MAC does not verify (ErrTampered) and one
// whose sequence number is not above the last it accepted (ErrReplay).
// Gaps are allowed, because hbsim's fault proxy drops whole frames to
// model a lossy network; the frame header and type stay in the clear, so
// the proxy needs no key. Version 2 introduced all this; version 1
// (DataNode-only authentication, frames in the clear) is no longer
// spoken.
//
// Every failure is a typed error (ErrOversized, ErrMalformed,
// ErrUnknownType, ErrTruncated, ErrIncompatible, ErrAuth, ErrTampered,
// ErrReplay, ...) so a server can log why it closed one connection and go
// on serving the others. After a framing error the stream cannot be
// resynchronised: close it.
package wire
