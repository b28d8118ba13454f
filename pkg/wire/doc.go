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
// capped (DefaultMaxFrame, 1 MiB): a peer cannot make the reader allocate
// more than that. Types 1–5 are proto.Type values and carry a proto.Message;
// types 0x40 and up belong to the handshake. The type space only grows, as
// proto.Type does.
//
// A connection starts with a handshake (see Handshake and Accept):
//
//	client → Hello     magic, protocol versions it speaks [min, max]
//	server → Challenge the version chosen, a fresh random nonce
//	client → Auth      HMAC-SHA256(cluster secret, domain ‖ version ‖ nonce)
//	server → Welcome   or Reject with a code and a reason
//
// The nonce makes every MAC single-use, so a recorded handshake cannot be
// replayed; the secret itself never crosses the wire.
//
// Every failure is a typed error (ErrOversized, ErrMalformed,
// ErrUnknownType, ErrTruncated, ErrIncompatible, ErrAuth, ...) so a server
// can log why it closed one connection and go on serving the others. After
// a framing error the stream cannot be resynchronised: close it.
package wire
