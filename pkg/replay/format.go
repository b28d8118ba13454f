// Package replay runs recorded heartbeat arrivals through the NameNode's
// real state machine (namenode/), with every central detector watching,
// so a trace from a live cluster, a live run or a simulation can be judged
// by detectors it never ran with.
//
// A trace is CSV with a header naming its columns, or JSON Lines with the
// same fields, one heartbeat per line, sorted by arrival:
//
//	# hbsim heartbeat trace           comments start with #
//	# duration: 3m                    optional: when observation ended
//	node,arrival_ms,seq,sent_ms
//	dn1,788.123,1,786.001
//	{"node": "dn1", "arrival_ms": 788.123}
//
// node and arrival_ms are required; seq (the heartbeat's sequence number),
// sent_ms (when it left the DataNode) and kind (heartbeat, the default, or
// register: a registration reached the NameNode) are optional. Times are
// milliseconds since the start of the trace. A trace with a kind column
// says when nodes registered; without one, the replay registers a node at
// its first heartbeat and again whenever the NameNode answers REGISTER.
package replay

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Columns are the fields a trace may carry; the first two are required.
var Columns = []string{"node", "arrival_ms", "seq", "sent_ms", "kind"}

// Kinds of records.
const (
	Heartbeat = "heartbeat"
	Register  = "register"
)

// Arrival is one recorded heartbeat. Seq and Sent are −1 when the trace
// does not carry them.
type Arrival struct {
	Node string
	Kind string // Heartbeat or Register
	At   time.Duration
	Seq  int64
	Sent time.Duration
	Line int
}

// Trace is a parsed trace file.
type Trace struct {
	Path     string
	Arrivals []Arrival
	// Nodes in the order of their first arrival.
	Nodes []string
	// Duration is from a "# duration:" comment; 0 when absent.
	Duration time.Duration
	// Kinds is true when the trace has a kind column (or field): its
	// registrations are recorded, not guessed.
	Kinds bool
}

// Error is a problem at one line of a trace.
type Error struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse reads a trace. JSON Lines is recognised by a .jsonl or .ndjson
// name, or by a first data line that starts with {; anything else is CSV.
// The first error stops the parse and names its file and line.
func Parse(path string, r io.Reader) (*Trace, error) {
	t := &Trace{Path: path}
	p := parser{t: t, jsonl: strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson"),
		csv: filepath.Ext(path) == ".csv", seen: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if err := p.line(line, strings.TrimSpace(sc.Text())); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &Error{File: path, Line: line + 1, Err: err}
	}
	if len(t.Arrivals) == 0 {
		return nil, &Error{File: path, Line: max(line, 1), Err: fmt.Errorf("no heartbeat in the trace; want a header such as node,arrival_ms and one line per heartbeat")}
	}
	if t.Duration > 0 && t.Duration < t.Arrivals[len(t.Arrivals)-1].At {
		return nil, &Error{File: path, Line: p.durationLine, Field: "duration",
			Err: fmt.Errorf("%v ends before the last heartbeat (%v)", t.Duration, t.Arrivals[len(t.Arrivals)-1].At)}
	}
	return t, nil
}

type parser struct {
	t            *Trace
	jsonl, csv   bool
	header       []string // CSV columns, once read
	seen         map[string]bool
	prev         time.Duration
	prevLine     int
	durationLine int
}

func (p *parser) fail(line int, field string, format string, args ...any) error {
	return &Error{File: p.t.Path, Line: line, Field: field, Err: fmt.Errorf(format, args...)}
}

func (p *parser) line(n int, s string) error {
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "#"):
		return p.comment(n, strings.TrimSpace(strings.TrimPrefix(s, "#")))
	}
	if !p.jsonl && !p.csv && p.header == nil && len(p.t.Arrivals) == 0 {
		p.jsonl = strings.HasPrefix(s, "{")
	}
	var a Arrival
	var err error
	if p.jsonl {
		a, err = p.json(n, s)
	} else {
		if p.header == nil {
			return p.readHeader(n, s)
		}
		a, err = p.csvRow(n, s)
	}
	if err != nil {
		return err
	}
	if len(p.t.Arrivals) > 0 && a.At < p.prev {
		return p.fail(n, "arrival_ms", "%s is before the previous heartbeat's %s (line %d); the trace must be sorted by arrival time",
			ms(a.At), ms(p.prev), p.prevLine)
	}
	p.prev, p.prevLine = a.At, n
	if !p.seen[a.Node] {
		p.seen[a.Node] = true
		p.t.Nodes = append(p.t.Nodes, a.Node)
	}
	p.t.Arrivals = append(p.t.Arrivals, a)
	return nil
}

// comment reads the one comment with a meaning, "duration: D".
func (p *parser) comment(n int, s string) error {
	k, v, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(strings.ToLower(k)) != "duration" {
		return nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return p.fail(n, "duration", "%q: want a positive duration such as 3m", strings.TrimSpace(v))
	}
	p.t.Duration, p.durationLine = d, n
	return nil
}

func (p *parser) readHeader(n int, s string) error {
	cols := strings.Split(s, ",")
	for i, c := range cols {
		c = strings.TrimSpace(c)
		cols[i] = c
		switch {
		case !slices.Contains(Columns, c):
			return p.fail(n, "header", "unknown column %q (want %s; node and arrival_ms are required)", c, strings.Join(Columns, ", "))
		case slices.Index(cols[:i], c) >= 0:
			return p.fail(n, "header", "column %q appears twice", c)
		}
	}
	for _, req := range Columns[:2] {
		if !slices.Contains(cols, req) {
			return p.fail(n, "header", "no %s column (a trace needs node and arrival_ms; the first line that is not a comment is the header)", req)
		}
	}
	p.header = cols
	p.t.Kinds = slices.Contains(cols, "kind")
	return nil
}

func (p *parser) csvRow(n int, s string) (Arrival, error) {
	fields := strings.Split(s, ",")
	if len(fields) != len(p.header) {
		return Arrival{}, p.fail(n, "", "%d fields, but the header names %d (%s)", len(fields), len(p.header), strings.Join(p.header, ","))
	}
	a := Arrival{Kind: Heartbeat, Seq: -1, Sent: -1, Line: n}
	for i, c := range p.header {
		v := strings.TrimSpace(fields[i])
		if err := p.set(n, &a, c, v); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (p *parser) json(n int, s string) (Arrival, error) {
	var rec struct {
		Node      *string      `json:"node"`
		ArrivalMs *json.Number `json:"arrival_ms"`
		Seq       *json.Number `json:"seq"`
		SentMs    *json.Number `json:"sent_ms"`
		Kind      *string      `json:"kind"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		return Arrival{}, p.fail(n, "", "not a trace record: %v (want {\"node\": \"dn1\", \"arrival_ms\": 788.1}; fields %s)", err, strings.Join(Columns, ", "))
	}
	if dec.More() {
		return Arrival{}, p.fail(n, "", "more than one JSON value on the line")
	}
	a := Arrival{Kind: Heartbeat, Seq: -1, Sent: -1, Line: n}
	if rec.Kind != nil {
		p.t.Kinds = true
		if err := p.set(n, &a, "kind", *rec.Kind); err != nil {
			return a, err
		}
	}
	if rec.Node == nil || rec.ArrivalMs == nil {
		return a, p.fail(n, "", "node and arrival_ms are required")
	}
	for _, f := range []struct {
		name string
		v    *json.Number
	}{{"arrival_ms", rec.ArrivalMs}, {"seq", rec.Seq}, {"sent_ms", rec.SentMs}} {
		if f.v != nil {
			if err := p.set(n, &a, f.name, f.v.String()); err != nil {
				return a, err
			}
		}
	}
	return a, p.set(n, &a, "node", *rec.Node)
}

// maxMs keeps times within time.Duration: about 292 years.
const maxMs = float64(math.MaxInt64 / int64(time.Millisecond))

func (p *parser) set(n int, a *Arrival, col, v string) error {
	switch col {
	case "node":
		if v == "" || strings.ContainsAny(v, " \t\"") {
			return p.fail(n, "node", "%q: want a DataNode id without spaces or quotes", v)
		}
		a.Node = v
	case "arrival_ms", "sent_ms":
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			return p.fail(n, col, "%q is not a number of milliseconds", v)
		case f < 0:
			return p.fail(n, col, "%s is negative; times are milliseconds since the start of the trace", v)
		case f > maxMs:
			return p.fail(n, col, "%s is too large (over 292 years)", v)
		}
		d := time.Duration(math.Round(f * float64(time.Millisecond)))
		if col == "arrival_ms" {
			a.At = d
		} else {
			a.Sent = d
		}
	case "kind":
		if v != Heartbeat && v != Register {
			return p.fail(n, "kind", "%q: want %s or %s", v, Heartbeat, Register)
		}
		a.Kind = v
	case "seq":
		k, err := strconv.ParseInt(v, 10, 64)
		if err != nil || k < 0 {
			return p.fail(n, "seq", "%q: want a whole number, 0 or more", v)
		}
		a.Seq = k
	}
	if a.Sent >= 0 && a.At > 0 && a.Sent > a.At {
		return p.fail(n, "sent_ms", "%s is after the arrival %s", ms(a.Sent), ms(a.At))
	}
	return nil
}

// ms writes a time as the trace does: milliseconds, to the nanosecond, so
// a recorded run replays at the very instants it ran.
func ms(d time.Duration) string {
	s := fmt.Sprintf("%d.%06d", d/time.Millisecond, d%time.Millisecond)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Header starts a CSV trace: a comment naming its source, the duration
// directive when known, and the column names (node, arrival_ms, seq when
// seq is true, kind).
func Header(w io.Writer, source string, duration time.Duration, seq bool) error {
	cols := "node,arrival_ms"
	if seq {
		cols += ",seq"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# hbsim heartbeat trace: %s\n", source)
	if duration > 0 {
		fmt.Fprintf(&b, "# duration: %v\n", duration)
	}
	b.WriteString(cols + ",kind\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Line writes one record as a CSV line under Header's columns; seq < 0
// leaves it out.
func Line(w io.Writer, node string, at time.Duration, seq int64, kind string) error {
	var err error
	if seq >= 0 {
		_, err = fmt.Fprintf(w, "%s,%s,%d,%s\n", node, ms(at), seq, kind)
	} else {
		_, err = fmt.Fprintf(w, "%s,%s,%s\n", node, ms(at), kind)
	}
	return err
}

// Recorded is one node's record of a run: when its heartbeats and its
// registrations reached the NameNode.
type Recorded struct {
	Node                      string
	Heartbeats, Registrations []time.Duration
}

// Write writes a whole CSV trace, merged in time order (ties: by node,
// registrations first).
func Write(w io.Writer, source string, duration time.Duration, nodes []Recorded) error {
	if err := Header(w, source, duration, false); err != nil {
		return err
	}
	type rec struct {
		at   time.Duration
		node int
		kind string
	}
	var all []rec
	for i, n := range nodes {
		for _, at := range n.Registrations {
			all = append(all, rec{at, i, Register})
		}
		for _, at := range n.Heartbeats {
			all = append(all, rec{at, i, Heartbeat})
		}
	}
	slices.SortStableFunc(all, func(a, b rec) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if c := cmp.Compare(a.node, b.node); c != 0 {
			return c
		}
		return -cmp.Compare(a.kind, b.kind) // "register" before "heartbeat"
	})
	bw := bufio.NewWriter(w)
	for _, r := range all {
		if err := Line(bw, nodes[r.node].Node, r.at, -1, r.kind); err != nil {
			return err
		}
	}
	return bw.Flush()
}
