package wire

import (
	"errors"
	"net"
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
		{"wrong secret", "s3cret", "guess", ErrAuth},
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

// A client speaking only a future version is refused with a clear reason
// on both sides.
func TestHandshakeIncompatibleVersion(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() {
		_, err := NewConn(a, Options{}).Accept(nil)
		done <- err
	}()
	c := NewConn(b, Options{})
	if err := c.writeFrame(FrameHello, Hello{Magic: Magic, MinVersion: 7, MaxVersion: 9}, time.Second); err != nil {
		t.Fatal(err)
	}
	var ch Challenge
	err := c.expect(FrameChallenge, &ch, time.Second)
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "7..9") {
		t.Errorf("client: %v, want ErrIncompatible naming 7..9", err)
	}
	if err := <-done; !errors.Is(err, ErrIncompatible) {
		t.Errorf("server: %v, want ErrIncompatible", err)
	}
}

func TestHandshakeBadMagic(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() {
		_, err := NewConn(a, Options{}).Accept(nil)
		done <- err
	}()
	c := NewConn(b, Options{})
	go c.writeFrame(FrameHello, Hello{Magic: "hdfs", MinVersion: 1, MaxVersion: 1}, time.Second)
	go c.expect(FrameChallenge, &Challenge{}, time.Second) // drain the Reject
	if err := <-done; !errors.Is(err, ErrBadMagic) {
		t.Errorf("server: %v, want ErrBadMagic", err)
	}
}
