package shrink

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Small helpers over yaml.v3 nodes: the shrinker edits the scenario as
// YAML, so what it writes keeps the file's order, style and comments.

// clone copies a node tree.
func clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = clone(k)
	}
	return &c
}

// get returns the value of key in mapping m, nil if absent.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// set replaces key's value in m, or appends the key.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// del removes key from m; it reports whether it was there.
func del(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
	}
	return false
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// list is a flow sequence of plain words: [dn1, dn2].
func list(words []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, w := range words {
		n.Content = append(n.Content, scalar(w))
	}
	return n
}

// setPath sets a dotted key (heartbeat.hdfs.recheck_interval) under root,
// making the mappings on the way.
func setPath(root *yaml.Node, key string, v *yaml.Node) {
	parts := strings.Split(key, ".")
	m := root
	for _, p := range parts[:len(parts)-1] {
		sub := get(m, p)
		if sub == nil || sub.Kind != yaml.MappingNode {
			sub = &yaml.Node{Kind: yaml.MappingNode}
			set(m, p, sub)
		}
		m = sub
	}
	set(m, parts[len(parts)-1], v)
}

// value renders a setting's plain value (as config.Effective gives it) as
// a node.
func value(v any) *yaml.Node {
	if m, ok := v.(map[string]any); ok {
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, k := range sortedKeys(m) {
			n.Content = append(n.Content, scalar(k), value(m[k]))
		}
		return n
	}
	return scalar(fmt.Sprint(v))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// "dist" first, as people write a latency.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "dist") != (keys[j] == "dist") {
			return keys[i] == "dist"
		}
		return keys[i] < keys[j]
	})
	return keys
}

// filter keeps the items of a sequence of words that keep accepts.
func filter(seq *yaml.Node, keep func(string) bool) {
	out := seq.Content[:0]
	for _, c := range seq.Content {
		if c.Kind != yaml.ScalarNode || keep(c.Value) {
			out = append(out, c)
		}
	}
	seq.Content = out
}
