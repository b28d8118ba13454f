package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// encoderJSON is what WriteJSON must write, byte for byte: the whole
// report through one json.Encoder.
func encoderJSON(t testing.TB, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fill sets every exported field reachable from v to a value that is not
// its zero, so omitempty fields appear: two elements in each slice and
// map, strings with characters the encoder escapes (or, without HTML
// escaping, does not), and an any holding a nested map whose keys must
// come out sorted.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d <&> \"q\" \\ \u2028 é\t", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(t, v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{"zeta", "alpha"} {
			e := reflect.New(v.Type().Elem()).Elem()
			fill(t, e, n)
			v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"b": []any{1.5, "x<y"}, "a": nil, "c": map[string]any{}}))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), n)
			}
		}
	default:
		t.Fatalf("fill: no rule for %s: add one", v.Type())
	}
}

// filledReport is a report with every field set; the test fails if fill
// missed one (a new field of a kind fill does not know).
func filledReport(t *testing.T) *Report {
	r := &Report{}
	n := 0
	fill(t, reflect.ValueOf(r).Elem(), &n)
	var unset func(v reflect.Value, path string)
	unset = func(v reflect.Value, path string) {
		if v.IsZero() {
			t.Errorf("fill left %s zero", path)
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			unset(v.Elem(), path)
		case reflect.Slice, reflect.Array:
			unset(v.Index(0), path+"[0]")
		case reflect.Struct:
			for i := range v.NumField() {
				if f := v.Type().Field(i); f.IsExported() {
					unset(v.Field(i), path+"."+f.Name)
				}
			}
		}
	}
	unset(reflect.ValueOf(r).Elem(), "Report")
	return r
}

// TestWriteJSONMatchesEncoder holds the streaming writer to the bytes of
// encoding/json on reports with every field set, with each top-level
// field in turn left zero (null or omitted), with empty slices and maps
// ("[]" and "{}", not null) and on a report built from a trace.
func TestWriteJSONMatchesEncoder(t *testing.T) {
	cases := map[string]*Report{
		"nil":     nil,
		"zero":    {},
		"filled":  filledReport(t),
		"fixture": fixtureReport(),
		"empty": {Config: map[string]any{}, Events: []Event{}, Nodes: []Node{}, Expectations: []Expectation{},
			Detectors: []string{}, QoS: map[string]QoS{}, Series: []Sample{},
			Gossip: &Gossip{Convergence: []Convergence{}}, Blocks: &Blocks{LostBlocks: []int64{}}, IO: &IO{}},
	}
	rt := reflect.TypeFor[Report]()
	for i := range rt.NumField() {
		r := filledReport(t)
		f := reflect.ValueOf(r).Elem().Field(i)
		f.SetZero()
		cases["filled without "+rt.Field(i).Name] = r
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := r.WriteJSON(&got); err != nil {
				t.Fatal(err)
			}
			want := encoderJSON(t, r)
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("WriteJSON differs from json.Encoder at byte %d\n got: %s\nwant: %s",
					firstDiff(got.Bytes(), want), got.Bytes(), want)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestWriteJSONCoversEveryField checks the document's members against
// Report's fields, independently of the writer: a field added to Report
// must reach the JSON under its tag's name.
func TestWriteJSONCoversEveryField(t *testing.T) {
	var buf bytes.Buffer
	if err := filledReport(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := 0
	rt := reflect.TypeFor[Report]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		want++
		if _, ok := got[name]; !ok {
			t.Errorf("field %s: %q missing from the JSON report", rt.Field(i).Name, name)
		}
	}
	if len(got) != want {
		t.Errorf("the JSON report has %d members, Report %d JSON fields", len(got), want)
	}
}

// TestStreamJSONRefuses: what the streamer cannot reproduce exactly is an
// error, not different bytes.
func TestStreamJSONRefuses(t *testing.T) {
	type inner struct{ A int }
	cases := map[string]any{
		"embedded": &struct{ inner }{},
		"string tag": &struct {
			A int `json:"a,string"`
		}{},
		"omitzero": &struct {
			A int `json:"a,omitzero"`
		}{},
		// Built at run time: go vet rightly refuses the literal.
		"two of a name": reflect.New(reflect.StructOf([]reflect.StructField{
			{Name: "A", Type: reflect.TypeFor[int](), Tag: `json:"a"`},
			{Name: "B", Type: reflect.TypeFor[int](), Tag: `json:"a"`},
		})).Interface(),
		"quoted name": &struct {
			A int `json:"a b"`
		}{},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			if err := streamJSON(io.Discard, v); err == nil {
				t.Errorf("streamJSON(%T) = nil, want an error", v)
			}
		})
	}
}

var errDiskFull = errors.New("disk full")

// shortWriter fails once it has taken limit bytes.
type shortWriter struct {
	limit, n, writes int
}

func (w *shortWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n = w.limit
		return k, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

// TestWriteJSONWriteError: a failed write is returned with context, and
// the writer stops there instead of encoding the rest of the report.
func TestWriteJSONWriteError(t *testing.T) {
	r := syntheticReport(10_000)
	w := &shortWriter{limit: 100_000}
	err := r.WriteJSON(w)
	if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "write JSON report: ") {
		t.Fatalf("WriteJSON = %v, want write JSON report: %v", err, errDiskFull)
	}
	if w.writes > 2 {
		t.Errorf("%d writes after the first failure, want none", w.writes-2)
	}
}

// syntheticReport is a report of n DataNodes as a big run makes: every node
// listed, one event per node, a sample a minute of an hour.
func syntheticReport(n int) *Report {
	r := &Report{
		Scenario:   "synthetic",
		Seed:       1,
		DurationMs: 3_600_000,
		Config:     map[string]any{"heartbeat": map[string]any{"interval": "3s"}},
		Events:     make([]Event, n),
		Nodes:      make([]Node, n),
		Expectations: []Expectation{{Name: "no false positives", Passed: true,
			Detail: "none"}},
		Detectors: []string{"missed-count"},
		QoS:       map[string]QoS{"missed-count": {}},
		Series:    make([]Sample, 60),
		Passed:    true,
	}
	for i := range n {
		id := fmt.Sprintf("dn%d", i+1)
		r.Events[i] = Event{TMs: float64(i%3000) + 0.5, Node: id, Kind: "state",
			From: "unregistered", To: "live", Reason: "registered"}
		r.Nodes[i] = Node{ID: id, State: "live", HeartbeatsSent: 1200, HeartbeatsReceived: 1200}
		if i%100 == 0 {
			k, dd := 60_000.0, 90_000.0
			r.Nodes[i].KilledAtMs, r.Nodes[i].DeadAtMs = &k, &dd
		}
	}
	for i := range r.Series {
		r.Series[i] = Sample{TMs: float64(i) * 60_000, Live: n}
	}
	return r
}

// BenchmarkWriteJSON writes the report of 100,000 DataNodes; B/op is the
// memory the output costs. The encoder case is the whole-document
// json.Encoder WriteJSON streams instead of, for comparison.
func BenchmarkWriteJSON(b *testing.B) {
	r := syntheticReport(100_000)
	var size int64
	{
		var cw countWriter
		if err := r.WriteJSON(&cw); err != nil {
			b.Fatal(err)
		}
		size = int64(cw)
	}
	b.Run("stream", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			if err := r.WriteJSON(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoder", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
