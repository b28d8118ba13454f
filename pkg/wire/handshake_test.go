package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pair runs the server's Accept against the client's Handshake over an
// in-memory connection and returns both errors.
func pair(t *testing.T, serverSecret, clientSecret string) (serverErr, clientErr error) {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	opts := Options{HandshakeTimeout: 2 * time.Second}
	done := make(chan error, 1)
	go func() {
		_, err := NewConn(a, opts).Accept([]byte(serverSecret))
		if err != nil {
			a.Close() // as the server does: the client's read then ends
		}
		done <- err
	}()
	clientErr = NewConn(b, opts).Handshake("dn1", []byte(clientSecret))
	return <-done, clientErr
}

func TestHandshake(t *testing.T) {
	cases := []struct {
		name           string
		server, client string
		wantErr        error
	}{
		{"same secret", "s3cret", "s3cret", nil},
		{"empty secret on both sides", "", "", nil},
		{"wrong secret on the DataNode", "s3cret", "guess", ErrAuth},
		{"wrong secret on the NameNode", "guess", "s3cret", ErrAuth},
		{"client has none", "s3cret", "", ErrAuth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			se, ce := pair(t, c.server, c.client)
			if !errors.Is(se, c.wantErr) || !errors.Is(ce, c.wantErr) {
				t.Fatalf("server error %v, client error %v; want %v on both", se, ce, c.wantErr)
			}
			if c.wantErr == ErrAuth && !strings.HasPrefix(ce.Error(), "authentication failed: ") {
				t.Errorf("client error %q should start with %q", ce, "authentication failed: ")
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		ourMin, ourMax, theirMin, theirMax, want uint16
		ok                                       bool
	}{
		{1, 1, 1, 1, 1, true},
		{2, 2, 1, 1, 0, false}, // a version 1 peer and this build
		{1, 3, 2, 5, 3, true},
		{1, 1, 2, 3, 0, false},
		{2, 3, 1, 1, 0, false},
		{1, 3, 3, 2, 0, false}, // their range is empty
	}
	for _, c := range cases {
		v, err := Negotiate(c.ourMin, c.ourMax, c.theirMin, c.theirMax)
		if c.ok != (err == nil) || v != c.want {
			t.Errorf("Negotiate(%d..%d, %d..%d) = %d, %v", c.ourMin, c.ourMax, c.theirMin, c.theirMax, v, err)
		}
		if err != nil && !errors.Is(err, ErrIncompatible) {
			t.Errorf("error %v should be ErrIncompatible", err)
		}
	}
}

// rawClient drives the client side frame by frame, as a hostile or an old
// peer would.
func rawClient(t *testing.T, nc net.Conn) *Conn {
	t.Helper()
	c := NewConn(nc, Options{HandshakeTimeout: 2 * time.Second})
	if err := nc.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

// serve runs Accept on one end of a pipe and returns the other end and
// the server's result.
func serve(t *testing.T, secret string) (client net.Conn, result <-chan error) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	done := make(chan error, 1)
	go func() {
		_, err := NewConn(a, Options{HandshakeTimeout: 2 * time.Second}).Accept([]byte(secret))
		a.Close()
		done <- err
	}()
	return b, done
}

// A client of protocol version 1 (no nonce, no sealed frames) is refused
// with a reason naming both ranges, on both sides.
func TestHandshakeVersion1ClientRefused(t *testing.T) {
	nc, done := serve(t, "s3cret")
	c := rawClient(t, nc)
	if err := c.sendHandshake(FrameHello, Hello{Magic: Magic, MinVersion: 1, MaxVersion: 1, Client: "old"}, nil); err != nil {
		t.Fatal(err)
	}
	err := c.expect(FrameChallenge, &Challenge{}, nil)
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "1..1") || !strings.Contains(err.Error(), "2..2") {
		t.Errorf("client: %v, want ErrIncompatible naming 1..1 and 2..2", err)
	}
	if err := <-done; !errors.Is(err, ErrIncompatible) {
		t.Errorf("server: %v, want ErrIncompatible", err)
	}
}

func TestHandshakeBadMagic(t *testing.T) {
	nc, done := serve(t, "")
	c := rawClient(t, nc)
	go c.sendHandshake(FrameHello, Hello{Magic: "hdfs", MinVersion: 2, MaxVersion: 2}, nil)
	go c.expect(FrameChallenge, &Challenge{}, nil) // drain the Reject
	if err := <-done; !errors.Is(err, ErrBadMagic) {
		t.Errorf("server: %v, want ErrBadMagic", err)
	}
}

// A NameNode that does not hold the secret cannot welcome a DataNode: an
// impostor that accepts any Auth and answers with a proof under its own
// secret is refused by the client (mutual authentication).
func TestHandshakeImpostorNameNodeRefused(t *testing.T) {
	for _, tc := range []struct{ name, impostorSecret string }{
		{"wrong secret", "guess"},
		{"no proof", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			go func() {
				s := rawClient(t, a)
				tr := newTranscript()
				var h Hello
				if s.expect(FrameHello, &h, &tr) != nil {
					return
				}
				nonce, _ := newNonce()
				if s.sendHandshake(FrameChallenge, Challenge{Version: 2, Nonce: nonce}, &tr) != nil {
					return
				}
				keys, _ := tr.derive([]byte(tc.impostorSecret))
				if s.expect(FrameAuth, &Auth{}, nil) != nil {
					return
				}
				w := Welcome{Version: 2}
				if tc.impostorSecret != "" {
					w.Proof = keys.serverProof
				}
				s.sendHandshake(FrameWelcome, w, nil)
			}()
			err := NewConn(b, Options{HandshakeTimeout: 2 * time.Second}).Handshake("dn1", []byte("s3cret"))
			if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "could not prove it holds the cluster secret") {
				t.Fatalf("client: %v, want ErrAuth saying the NameNode could not prove it holds the secret", err)
			}
		})
	}
}

// Before authentication a frame is at most HandshakeMaxFrame: a Hello one
// byte longer is refused without reading it; after, MaxFrame applies.
func TestHandshakeFrameCap(t *testing.T) {
	nc, done := serve(t, "")
	go func() {
		hdr := binary.BigEndian.AppendUint32(nil, HandshakeMaxFrame+1)
		nc.Write(append(hdr, byte(FrameHello)))
		io.Copy(io.Discard, nc)
	}()
	if err := <-done; !errors.Is(err, ErrOversized) || !strings.Contains(err.Error(), "limit 4096") {
		t.Errorf("server: %v, want ErrOversized with limit 4096", err)
	}
	srv, cl := handshaken(t, "s3cret", Options{})
	if srv.fr.max != DefaultMaxFrame || cl.fr.max != DefaultMaxFrame {
		t.Errorf("after the handshake the caps are %d and %d, want %d", srv.fr.max, cl.fr.max, DefaultMaxFrame)
	}
}

// handshaken returns both ends of a connection after a good handshake.
func handshaken(t *testing.T, secret string, opts Options) (server, client *Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	server, client = NewConn(a, opts), NewConn(b, opts)
	done := make(chan error, 1)
	go func() {
		_, err := server.Accept([]byte(secret))
		done <- err
	}()
	if err := client.Handshake("dn1", []byte(secret)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return server, client
}

// An HTTP request on the RPC port (a browser, or `hbsim report` given the
// wrong address) gets an HTTP answer naming the HTTP address.
func TestHTTPRequestOnRPCPortAnswered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer nc.Close()
		_, err = NewConn(nc, Options{HTTPAddr: "127.0.0.1:9870", HandshakeTimeout: 5 * time.Second}).Accept(nil)
		done <- err
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/datanodes")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest || resp.Header.Get(HTTPAddrHeader) != "127.0.0.1:9870" ||
		!strings.Contains(string(body), "127.0.0.1:9870") {
		t.Errorf("answer %s %v %q, want 421 naming 127.0.0.1:9870", resp.Status, resp.Header, body)
	}
	if err := <-done; !errors.Is(err, ErrBadMagic) || !strings.Contains(err.Error(), "HTTP request") {
		t.Errorf("server: %v, want ErrBadMagic naming an HTTP request", err)
	}
}
