package live

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/wire"
)

// The hostile corpus: testdata/hostile/*.txt are scripts of clients that
// misbehave before, during and after the handshake, each with the outcome
// the NameNode must reach: how the connection ends (the reason class of
// hbsim_namenode_connections_closed_total) and a phrase of the log line
// that says why. An honest DataNode runs alongside and must stay live
// through all of them.
//
// The scripts' client implements protocol version 2 from the package
// documentation of wire (HKDF, proofs, sealed frames) rather than with
// wire.Conn, so it can break every rule, and so the documentation is
// checked against the NameNode: honest-session.txt is a good client
// written that way.
//
// Commands, one a line (# starts a comment):
//
//	send HEX...                  raw bytes (spaces allowed)
//	send-text "QUOTED"           raw bytes, as a Go string literal
//	hello [magic=S] [min=N] [max=N] [client=S] [nonce=N]
//	                             a Hello frame with N random nonce bytes
//	                             (default: version 2, 32 bytes)
//	expect challenge             read the Challenge
//	auth [secret=S] [mac=HEX]    the client's proof (default: the right one)
//	expect welcome               read the Welcome and check its proof
//	handshake                    hello, expect challenge, auth, expect welcome
//	message type=T node=S [handle=N] [seq=N] [flip=I]
//	                             a sealed message; flip=I flips byte I of
//	                             the frame after sealing
//	sealed type=T payload=HEX [seq=N] [dir=server] [flip=I]
//	                             a sealed frame with any payload, sequence
//	                             number or direction's key
//	resend N                     send the Nth sealed frame again
//	close-write                  stop sending (half close)
//	sleep DURATION
//	expect reject CODE           a Reject: auth, incompatible, badmagic, other
//	expect reply T [refused]     a sealed message of type T from the NameNode
//	expect http STATUS           an HTTP response
//	expect closed                the NameNode closes the connection
//	outcome REASON "PHRASE"      once the client hangs up, the connection
//	                             was counted under REASON and logged with
//	                             PHRASE (last line of every script)

// corpusSecret is the cluster secret of the corpus's NameNode.
var corpusSecret = []byte("corpus-secret")

// corpusHandshakeTimeout is short, so idle scripts end quickly.
const corpusHandshakeTimeout = 500 * time.Millisecond

func TestHostileClients(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/*.txt")
	if err != nil || len(files) < 30 {
		t.Fatalf("hostile corpus: %d scripts, %v; want at least 30", len(files), err)
	}
	c := newClusterWith(t, func(cfg *ServerConfig) {
		// Generous: the honest dn1 must stay live through every script
		// on a loaded machine (stale after 2s, dead after 3s of silence).
		cfg.NameNode = nnConfig(interval, check, 30, 2*time.Second)
		cfg.Secret = corpusSecret
		cfg.Wire.HandshakeTimeout = corpusHandshakeTimeout
		cfg.Wire.HTTPAddr = "127.0.0.1:9870"
	})
	c.srv.refusals.perSecond = 1 << 30 // every line, so each script finds its own
	next := 0
	dn := c.dnConfig("dn1", corpusSecret)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := RunDataNode(c.ctx, dn); err != nil {
			t.Errorf("honest dn1: %v", err)
		}
	}()
	c.await(&next, "dn1 live", to("dn1", "live"))
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			runHostile(t, c, f)
		})
	}
	before := c.heartbeats("dn1")
	deadline := time.Now().Add(5 * time.Second)
	for c.heartbeats("dn1") < before+3 {
		if time.Now().After(deadline) {
			t.Fatal("the honest dn1 stopped heartbeating")
		}
		time.Sleep(interval)
	}
	for _, e := range c.srv.Events(0) {
		if e.Node == "dn1" && e.To != "live" {
			t.Errorf("the honest dn1 left live: %+v", e)
		}
	}
}

// hostile is one scripted client connection.
type hostile struct {
	t      *testing.T
	nc     net.Conn
	br     *bufio.Reader
	fr     *wire.FrameReader
	codec  *wire.Codec
	secret []byte
	// The handshake as documented: a transcript hash of Hello and
	// Challenge, one HKDF extraction, four labelled expansions.
	transcript hash.Hash
	proofs     [2][]byte // client, server
	keys       [2][]byte // client-to-server, server-to-client
	seq, rseq  uint64
	sent       [][]byte
}

func runHostile(t *testing.T, c *testCluster, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	h := &hostile{t: t, nc: nc, br: br, fr: wire.NewFrameReader(br, 0), codec: wire.NewCodec(), secret: corpusSecret}
	before := closedCounts(t, c.srv)
	logStart := len(c.logs.String())
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, i+1)
		cmd, args, _ := strings.Cut(line, " ")
		if cmd == "outcome" {
			if i != len(lines)-1 {
				t.Fatalf("%s: outcome must be the last line", where)
			}
			nc.Close()
			h.outcome(where, c, before, logStart, args)
			return
		}
		if err := nc.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := h.do(cmd, args); err != nil {
			t.Fatalf("%s: %s: %v", where, line, err)
		}
	}
	t.Fatalf("%s: no outcome line", file)
}

// kv parses key=value arguments.
func kv(args string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(args) {
		k, v, _ := strings.Cut(f, "=")
		m[k] = v
	}
	return m
}

func unhex(s string) ([]byte, error) { return hex.DecodeString(strings.ReplaceAll(s, " ", "")) }

func (h *hostile) do(cmd, args string) error {
	a := kv(args)
	switch cmd {
	case "send":
		b, err := unhex(args)
		if err != nil {
			return err
		}
		_, err = h.nc.Write(b)
		return err
	case "send-text":
		s, err := strconv.Unquote(args)
		if err != nil {
			return err
		}
		_, err = h.nc.Write([]byte(s))
		return err
	case "hello":
		return h.hello(a)
	case "auth":
		return h.auth(a)
	case "handshake":
		for _, step := range []func() error{
			func() error { return h.hello(nil) },
			func() error { return h.expect("challenge", "") },
			func() error { return h.auth(nil) },
			func() error { return h.expect("welcome", "") },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	case "message":
		return h.message(a)
	case "sealed":
		return h.sealed(a)
	case "resend":
		n, err := strconv.Atoi(args)
		if err != nil || n < 1 || n > len(h.sent) {
			return fmt.Errorf("no sealed frame %q", args)
		}
		_, err = h.nc.Write(h.sent[n-1])
		return err
	case "close-write":
		return h.nc.(*net.TCPConn).CloseWrite()
	case "sleep":
		d, err := time.ParseDuration(args)
		time.Sleep(d)
		return err
	case "expect":
		what, rest, _ := strings.Cut(args, " ")
		return h.expect(what, rest)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func (h *hostile) hello(a map[string]string) error {
	num := func(k string, def int) int {
		if v, ok := a[k]; ok {
			n, _ := strconv.Atoi(v)
			return n
		}
		return def
	}
	hl := wire.Hello{Magic: wire.Magic, MinVersion: uint16(num("min", 2)), MaxVersion: uint16(num("max", 2)), Client: "hostile"}
	if m, ok := a["magic"]; ok {
		hl.Magic = m
	}
	if cl, ok := a["client"]; ok {
		hl.Client = cl
	}
	if n := num("nonce", 32); n > 0 {
		hl.Nonce = make([]byte, n)
		rand.Read(hl.Nonce)
	}
	b, err := h.codec.AppendEncode(nil, wire.FrameHello, hl)
	if err != nil {
		return err
	}
	h.transcript = sha256.New()
	h.transcript.Write([]byte("hbsim-handshake-v2\x00"))
	h.transcript.Write(b)
	_, err = h.nc.Write(b)
	return err
}

// derive is the package documentation's key schedule.
func (h *hostile) derive(secret []byte) error {
	prk, err := hkdf.Extract(sha256.New, secret, h.transcript.Sum(nil))
	if err != nil {
		return err
	}
	for i, label := range []string{"hbsim v2 client proof", "hbsim v2 server proof", "hbsim v2 client-to-server frames", "hbsim v2 server-to-client frames"} {
		out, err := hkdf.Expand(sha256.New, prk, label, 32)
		if err != nil {
			return err
		}
		if i < 2 {
			h.proofs[i] = out
		} else {
			h.keys[i-2] = out
		}
	}
	return nil
}

func (h *hostile) auth(a map[string]string) error {
	secret := h.secret
	if s, ok := a["secret"]; ok {
		secret = []byte(s)
	}
	if err := h.derive(secret); err != nil {
		return err
	}
	mac := h.proofs[0]
	if m, ok := a["mac"]; ok {
		var err error
		if mac, err = unhex(m); err != nil {
			return err
		}
	}
	b, err := h.codec.AppendEncode(nil, wire.FrameAuth, wire.Auth{MAC: mac})
	if err != nil {
		return err
	}
	_, err = h.nc.Write(b)
	return err
}

// seal is HMAC-SHA256(key, seq ‖ type ‖ payload) after the payload and
// the sequence number, in a frame.
func seal(key []byte, seq uint64, t byte, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	var hdr [9]byte
	binary.BigEndian.PutUint64(hdr[:8], seq)
	hdr[8] = t
	m.Write(hdr[:])
	m.Write(payload)
	body := binary.BigEndian.AppendUint64(append([]byte(nil), payload...), seq)
	body = m.Sum(body)
	return wire.AppendFrame(nil, wire.FrameType(t), body)
}

func parseType(s string) (byte, error) {
	for t := proto.Type(1); t.Valid(); t++ {
		if t.String() == s {
			return byte(t), nil
		}
	}
	n, err := strconv.ParseUint(s, 0, 8)
	return byte(n), err
}

// sendSealed seals payload with the next (or the given) sequence number
// and sends it, flipping a byte first if asked.
func (h *hostile) sendSealed(a map[string]string, t byte, payload []byte) error {
	seq := h.seq + 1
	if s, ok := a["seq"]; ok {
		var err error
		if seq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return err
		}
	}
	h.seq = max(h.seq, seq)
	key := h.keys[0]
	if a["dir"] == "server" {
		key = h.keys[1]
	}
	f := seal(key, seq, t, payload)
	if s, ok := a["flip"]; ok {
		i, err := strconv.Atoi(s)
		if err != nil || i >= len(f) {
			return fmt.Errorf("flip=%s outside a frame of %d bytes", s, len(f))
		}
		f[i] ^= 0x01
	}
	h.sent = append(h.sent, f)
	_, err := h.nc.Write(f)
	return err
}

func (h *hostile) message(a map[string]string) error {
	t, err := parseType(a["type"])
	if err != nil {
		return err
	}
	handle, _ := strconv.ParseUint(a["handle"], 10, 32)
	seq, _ := strconv.ParseUint(a["seq"], 10, 64)
	m := proto.Message{Type: proto.Type(t), Node: a["node"], Handle: uint32(handle), Seq: seq}
	b, err := h.codec.AppendMessage(nil, m)
	if err != nil {
		return err
	}
	delete(a, "seq") // the message's own Seq, not the frame's
	return h.sendSealed(a, t, b[5:])
}

func (h *hostile) sealed(a map[string]string) error {
	t, err := parseType(a["type"])
	if err != nil {
		return err
	}
	payload, err := unhex(a["payload"])
	if err != nil {
		return err
	}
	return h.sendSealed(a, t, payload)
}

var rejectCodes = map[string]wire.RejectCode{
	"other": wire.RejectOther, "incompatible": wire.RejectIncompatible, "auth": wire.RejectAuth, "badmagic": wire.RejectBadMagic,
}

func (h *hostile) expect(what, arg string) error {
	switch what {
	case "closed":
		_, err := io.Copy(io.Discard, h.br)
		if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "connection reset") {
			return fmt.Errorf("the NameNode did not close the connection: %w", err)
		}
		return nil
	case "http":
		resp, err := http.ReadResponse(h.br, nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if strconv.Itoa(resp.StatusCode) != arg || !bytes.Contains(body, []byte("HTTP address (status page, /api/datanodes, /metrics) is 127.0.0.1:9870")) {
			return fmt.Errorf("got %s %q, want %s naming the HTTP address", resp.Status, body, arg)
		}
		return nil
	}
	f, err := h.fr.ReadFrame()
	if err != nil {
		return err
	}
	switch what {
	case "challenge", "welcome":
		want := map[string]wire.FrameType{"challenge": wire.FrameChallenge, "welcome": wire.FrameWelcome}[what]
		if f.Type != want {
			return fmt.Errorf("got a %s frame, want %s", f.Type, want)
		}
		if what == "challenge" {
			h.transcript.Write(wire.AppendFrame(nil, f.Type, f.Body))
			return nil
		}
		var w wire.Welcome
		if err := h.codec.DecodeBody(f.Type, f.Body, &w); err != nil {
			return err
		}
		if !hmac.Equal(w.Proof, h.proofs[1]) {
			return errors.New("the NameNode's proof does not verify")
		}
		return nil
	case "reject":
		var r wire.Reject
		if f.Type != wire.FrameReject {
			return fmt.Errorf("got a %s frame, want a reject", f.Type)
		}
		if err := h.codec.DecodeBody(f.Type, f.Body, &r); err != nil {
			return err
		}
		if code, ok := rejectCodes[arg]; !ok || r.Code != code {
			return fmt.Errorf("reject code %d (%s), want %s", r.Code, r.Reason, arg)
		}
		return nil
	case "reply":
		typ, refused, _ := strings.Cut(arg, " ")
		n := len(f.Body) - 40
		if n < 0 {
			return fmt.Errorf("a %s frame too short to be sealed", f.Type)
		}
		payload, seq := f.Body[:n], binary.BigEndian.Uint64(f.Body[n:n+8])
		if !bytes.Equal(seal(h.keys[1], seq, byte(f.Type), payload), wire.AppendFrame(nil, f.Type, f.Body)) || seq <= h.rseq {
			return fmt.Errorf("the NameNode's frame %d does not verify", seq)
		}
		h.rseq = seq
		m, err := h.codec.DecodeMessage(wire.Frame{Type: f.Type, Body: payload})
		if err != nil {
			return err
		}
		if m.Type.String() != typ || (refused == "refused") != (m.Refused != "") {
			return fmt.Errorf("got %s (refused %q), want %s %s", m.Type, m.Refused, typ, refused)
		}
		return nil
	}
	return fmt.Errorf("unknown expectation %q", what)
}

// closedCounts reads hbsim_namenode_connections_closed_total by reason.
func closedCounts(t *testing.T, s *NameNodeServer) map[string]float64 {
	t.Helper()
	mfs, err := s.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "hbsim_namenode_connections_closed_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[label(m, "reason")] = m.GetCounter().GetValue()
		}
	}
	return out
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// outcome waits until the connection is counted as closed, then checks
// the reason and the log line.
func (h *hostile) outcome(where string, c *testCluster, before map[string]float64, logStart int, args string) {
	t := h.t
	reason, quoted, _ := strings.Cut(args, " ")
	phrase, err := strconv.Unquote(quoted)
	if err != nil {
		t.Fatalf("%s: outcome wants a reason and a quoted phrase: %v", where, err)
	}
	local := h.nc.LocalAddr().String()
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := closedCounts(t, c.srv)
		total := 0.0
		for r, n := range after {
			total += n - before[r]
		}
		if total >= 1 {
			if total != 1 || after[reason]-before[reason] != 1 {
				t.Errorf("%s: closed-connection counts went from %v to %v, want one more %q", where, before, after, reason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the NameNode did not count the connection as closed", where)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var line string
	for l := range strings.SplitSeq(c.logs.String()[logStart:], "\n") {
		if strings.Contains(l, "addr="+local) && (strings.Contains(l, "closing") || strings.Contains(l, "refused") || strings.Contains(l, "disconnected")) {
			line = l
		}
	}
	if !strings.Contains(line, phrase) {
		t.Errorf("%s: the NameNode's log for %s is %q, want it to say %q", where, local, line, phrase)
	}
}
