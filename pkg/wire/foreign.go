package wire

import (
	"bytes"
	"fmt"
	"io"
)

// HTTPAddrHeader is the header of the answer to an HTTP request on the RPC
// port: the NameNode's HTTP address, or empty if it has none. A client
// that sees it knows it asked the RPC port.
const HTTPAddrHeader = "X-Hbsim-Http-Addr"

// httpMethods open an HTTP/1 request; no hbsim frame starts with them (as
// a length they claim a gigabyte).
var httpMethods = [][]byte{
	[]byte("GET "), []byte("HEAD"), []byte("POST"), []byte("PUT "), []byte("DELE"),
	[]byte("OPTI"), []byte("PATC"), []byte("CONN"), []byte("TRAC"),
}

// refuseForeign looks at a new connection's first bytes. A web browser or
// `hbsim report` pointed at the RPC port gets an HTTP answer that names
// the HTTP address, and a TLS client is told this port does not speak
// TLS; either way the result is ErrBadMagic saying which. Anything else
// is left for the Hello to judge.
func (c *Conn) refuseForeign() error {
	p, err := c.br.Peek(4)
	if err != nil {
		return nil // too short: the Hello's read reports it
	}
	switch {
	case p[0] == 0x16 && p[1] == 0x03: // a TLS record: handshake, version 3.x
		return fmt.Errorf("%w: a TLS handshake; this port speaks hbsim's own protocol (sealed with the cluster secret), not TLS", ErrBadMagic)
	case !isHTTP(p):
		return nil
	}
	where := "its --http flag, 127.0.0.1:9870 by default"
	if c.opts.HTTPAddr != "" {
		where = c.opts.HTTPAddr
	}
	body := "This is an hbsim NameNode's RPC port: DataNodes connect here.\n" +
		"Its HTTP address (status page, /api/datanodes, /metrics) is " + where + ".\n"
	resp := "HTTP/1.0 421 Misdirected Request\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		HTTPAddrHeader + ": " + c.opts.HTTPAddr + "\r\n" +
		"Connection: close\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
	if err := c.writeRaw([]byte(resp), 0); err == nil {
		// Read what is left of the request, so closing does not reset
		// the connection and lose the answer; the handshake deadline
		// bounds it.
		if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.CopyN(io.Discard, c.br, HandshakeMaxFrame)
	}
	return fmt.Errorf("%w: an HTTP request on the RPC port (answered with the HTTP address)", ErrBadMagic)
}

func isHTTP(p []byte) bool {
	for _, m := range httpMethods {
		if bytes.Equal(p, m) {
			return true
		}
	}
	return false
}
