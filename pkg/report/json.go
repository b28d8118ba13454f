package report

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteJSON writes the report as one indented JSON document ending in a
// newline. The output is deterministic: struct fields keep their order and
// encoding/json sorts map keys, so the same report gives the same bytes.
//
// The bytes are exactly those of a json.Encoder with SetIndent("", "  ")
// and SetEscapeHTML(false) (a test holds them to it), but the document is
// streamed: a report of a million DataNodes is hundreds of megabytes of
// JSON, and the encoder builds all of it in memory before writing a byte.
// Here the report's structs are written field by field and its slices
// (events, nodes, series, a gossip run's convergence) element by element,
// so the memory for output is that of one element. A failed write or an
// unencodable value stops the document where it is and returns the error.
func (r *Report) WriteJSON(w io.Writer) error {
	if err := streamJSON(w, r); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// streamBuffer is the output buffer: large enough that a big report is
// written in few system calls.
const streamBuffer = 64 << 10

// streamJSON writes v as json.Encoder would with two-space indentation and
// no HTML escaping, followed by a newline.
func streamJSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, streamBuffer)
	s := &streamer{w: bw}
	s.value(reflect.ValueOf(v), 0)
	s.raw("\n")
	if s.err != nil {
		return s.err
	}
	return bw.Flush()
}

// streamer walks a value the way encoding/json does, writing structs
// member by member and slices element by element; everything else (and
// each slice element) it hands whole to a json.Encoder whose prefix is the
// current indentation, which gives the bytes that value has inside the
// whole indented document.
type streamer struct {
	w   *bufio.Writer
	err error // the first error; everything after it is skipped
	// buf receives one leaf's encoding; enc[d] encodes at depth d.
	buf bytes.Buffer
	enc []*json.Encoder
}

func (s *streamer) raw(str string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(str)
	}
}

// newline starts a line at depth d.
func (s *streamer) newline(d int) {
	s.raw("\n")
	for range d {
		s.raw("  ")
	}
}

func (s *streamer) value(v reflect.Value, d int) {
	if s.err != nil {
		return
	}
	t := v.Type()
	switch {
	case marshals(t):
		s.leaf(v, d)
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !v.IsNil():
		s.value(v.Elem(), d)
	case t.Kind() == reflect.Struct:
		s.object(v, d)
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && v.Len() > 0:
		s.array(v, d)
	default:
		// Scalars, maps, nil pointers and slices, empty slices ("[]"),
		// []byte (base64): the encoder's rules, unchanged.
		s.leaf(v, d)
	}
}

// marshals reports whether values of t encode themselves: they are leaves.
func marshals(t reflect.Type) bool {
	var (
		jm = reflect.TypeFor[json.Marshaler]()
		tm = reflect.TypeFor[encoding.TextMarshaler]()
		pt = reflect.PointerTo(t)
	)
	return t.Implements(jm) || t.Implements(tm) || pt.Implements(jm) || pt.Implements(tm)
}

func (s *streamer) array(v reflect.Value, d int) {
	s.raw("[")
	for i := range v.Len() {
		if i > 0 {
			s.raw(",")
		}
		s.newline(d + 1)
		s.leaf(v.Index(i), d+1)
		if s.err != nil {
			return
		}
	}
	s.newline(d)
	s.raw("]")
}

func (s *streamer) object(v reflect.Value, d int) {
	fields, err := jsonFields(v.Type())
	if err != nil {
		s.err = err
		return
	}
	s.raw("{")
	n := 0
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmptyValue(fv) {
			continue
		}
		if n > 0 {
			s.raw(",")
		}
		n++
		s.newline(d + 1)
		s.raw(f.key)
		s.value(fv, d+1)
	}
	if n > 0 {
		s.newline(d)
	}
	s.raw("}")
}

// leaf writes v whole, indented as if it stood at depth d.
func (s *streamer) leaf(v reflect.Value, d int) {
	if s.err != nil {
		return
	}
	for len(s.enc) <= d {
		e := json.NewEncoder(&s.buf)
		e.SetIndent(strings.Repeat("  ", len(s.enc)), "  ")
		e.SetEscapeHTML(false)
		s.enc = append(s.enc, e)
	}
	// Through a pointer when the value has an address, as encoding/json
	// does under the report's pointer: methods on *T then apply, and
	// nothing is copied.
	var x any
	if v.CanAddr() {
		x = v.Addr().Interface()
	} else {
		x = v.Interface()
	}
	s.buf.Reset()
	if s.err = s.enc[d].Encode(x); s.err != nil {
		return
	}
	b := s.buf.Bytes()
	_, s.err = s.w.Write(b[:len(b)-1]) // less Encode's newline
}

// jsonField is one member of a struct's JSON object.
type jsonField struct {
	index     int
	key       string // `"name": `
	omitEmpty bool
}

// jsonFields lists the members encoding/json writes for struct type t, in
// order. What the streamer does not reproduce (embedded structs, tag
// options other than omitempty, names that need quoting, two fields of one
// name, which the encoder drops) is an error rather than bytes that would
// differ from the encoder's.
func jsonFields(t reflect.Type) ([]jsonField, error) {
	var out []jsonField
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil, fmt.Errorf("stream %s: embedded field %s is not supported", t, f.Name)
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if strings.ContainsFunc(name, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) {
			return nil, fmt.Errorf("stream %s: field %s: JSON name %q is not supported", t, f.Name, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("stream %s: two fields are named %q", t, name)
		}
		seen[name] = true
		jf := jsonField{index: i, key: `"` + name + `": `}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				jf.omitEmpty = true
			default:
				return nil, fmt.Errorf("stream %s: field %s: tag option %q is not supported", t, f.Name, o)
			}
		}
		out = append(out, jf)
	}
	return out, nil
}

// isEmptyValue is encoding/json's rule for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
