package scenario

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// entry is one key of a YAML mapping.
type entry struct {
	key      string
	keyNode  *yaml.Node
	val      *yaml.Node
	field    string // dotted path for messages, e.g. "heartbeat.interval"
	keyIndex int
}

// entries lists a mapping's keys in file order, reporting duplicate and
// non-text keys. field is the mapping's own path ("" at the top).
func (p *parser) entries(n *yaml.Node, field string) []entry {
	var out []entry
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errs.add(k.Line, field, "keys must be plain words")
			continue
		}
		f := join(field, hint.Clip(k.Value))
		if line, dup := first[k.Value]; dup {
			p.errs.add(k.Line, f, "duplicate key (first at line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		out = append(out, entry{key: k.Value, keyNode: k, val: v, field: f, keyIndex: i})
	}
	return out
}

// unknownKey reports a key that is not among want: with the one the user
// probably meant, or else the short list of what fits there. what says
// where, e.g. " for kill"; it may be empty.
func (p *parser) unknownKey(e entry, what string, want []string) {
	if dym := hint.DidYouMean(e.key, want); dym != "" {
		p.errs.add(e.keyNode.Line, e.field, "unknown key%s; %s", what, dym)
		return
	}
	p.errs.add(e.keyNode.Line, e.field, "unknown key%s (want %s)", what, joinWords(want))
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// findAlias returns the first alias node in the tree. Aliases are refused:
// they hide where a value was written, and expanding them is the classic
// YAML denial of service.
func findAlias(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := findAlias(c); a != nil {
			return a
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName describes a node for "got ..." in messages.
func kindName(n *yaml.Node) string {
	switch {
	case n == nil || isNull(n):
		return "nothing (null)"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.ShortTag() == "!!str":
		return hint.Quote(n.Value)
	}
	return hint.Clip(n.Value)
}

// text reads a string scalar.
func (p *parser) text(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errs.add(n.Line, field, "must be text, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

var manyDigits = regexp.MustCompile(`^[0-9]{19,}$`)

// wholeNumber reads a non-negative integer scalar no larger than max.
func (p *parser) wholeNumber(n *yaml.Node, field string, max int64) (int64, bool) {
	var v int64
	// YAML reads digits past int64 as a float: out of range, not a fraction.
	digits := n.Kind == yaml.ScalarNode && manyDigits.MatchString(n.Value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" && !digits {
		p.errs.add(n.Line, field, "must be a whole number, got %s", kindName(n))
		return 0, false
	}
	if err := n.Decode(&v); err != nil || v < 0 || v > max {
		p.errs.add(n.Line, field, "must be a whole number from 0 to %d, got %s", max, hint.Clip(n.Value))
		return 0, false
	}
	return v, true
}

// duration reads a Go duration ("30s", "2m"); a bare 0 is allowed.
func (p *parser) duration(n *yaml.Node, field string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" && n.Value == "0" {
		return 0, true
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errs.add(n.Line, field, "must be a duration with a unit, such as 30s or 2m, got %s", kindName(n))
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil && tooLong.MatchString(strings.TrimSpace(n.Value)) || err == nil && d > vtime.Max {
		p.errs.add(n.Line, field, "%s is too long: at most %s", hint.Quote(n.Value), vtime.MaxText)
		return 0, false
	}
	if err != nil {
		p.errs.add(n.Line, field, "must be a duration with a unit, such as 30s or 2m, got %s", hint.Quote(n.Value))
		return 0, false
	}
	if d < 0 {
		p.errs.add(n.Line, field, "must not be negative, got %s", hint.Clip(n.Value))
		return 0, false
	}
	return d, true
}

// tooLong matches what time.ParseDuration refuses only for its size: a
// positive duration, well formed.
var tooLong = regexp.MustCompile(`^\+?(\d+(\.\d*)?(ns|us|µs|μs|ms|s|m|h))+$`)

// value decodes a node into plain Go values: string, int, float64, bool,
// nil, []any and map[string]any, the form pkg/config and pkg/expect take.
func (p *parser) value(n *yaml.Node, field string) (any, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b, true
			}
		case "!!int":
			var i int64
			if n.Decode(&i) == nil && i >= math.MinInt && i <= math.MaxInt {
				return int(i), true
			}
			p.errs.add(n.Line, field, "number %s is out of range", hint.Clip(n.Value))
			return nil, false
		case "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f, true
			}
		}
		return n.Value, true
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, ok := p.value(c, fmt.Sprintf("%s[%d]", field, i))
			if !ok {
				return nil, false
			}
			list = append(list, v)
		}
		return list, true
	case yaml.MappingNode:
		m := map[string]any{}
		ok := true
		for _, e := range p.entries(n, field) {
			v, vok := p.value(e.val, e.field)
			ok = ok && vok
			m[e.key] = v
		}
		return m, ok && len(m)*2 == len(n.Content)
	}
	p.errs.add(n.Line, field, "unsupported YAML value")
	return nil, false
}

// lineOf finds the line of a field path such as "never_dead[1]" or
// "false_positives.min" below n, falling back to the deepest node found.
func lineOf(n *yaml.Node, field string) int {
	line := n.Line
	for _, seg := range splitField(field) {
		var next *yaml.Node
		switch {
		case n.Kind == yaml.MappingNode && !seg.isIndex:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg.key {
					line = n.Content[i].Line
					next = n.Content[i+1]
				}
			}
		case n.Kind == yaml.SequenceNode && seg.isIndex && seg.index < len(n.Content):
			next = n.Content[seg.index]
			line = next.Line
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

type segment struct {
	key     string
	index   int
	isIndex bool
}

var fieldSegment = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

func splitField(field string) []segment {
	var out []segment
	for _, s := range fieldSegment.FindAllString(field, -1) {
		if strings.HasPrefix(s, "[") {
			var i int
			if _, err := fmt.Sscanf(s, "[%d]", &i); err == nil {
				out = append(out, segment{index: i, isIndex: true})
			}
			continue
		}
		out = append(out, segment{key: s})
	}
	return out
}

// fmtDuration prints a duration the way people write it: 3m, not 3m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
