package config

import (
	"fmt"
	"strings"
	"time"
)

// Effective returns c as nested maps of plain values, keyed like the YAML
// ({"heartbeat": {"interval": "3s", ...}}), with durations as Go strings so
// the JSON report reads like the scenario file.
func (c Config) Effective() map[string]any {
	out := map[string]any{}
	for _, k := range keyTable() {
		section, name, _ := strings.Cut(k.Name, ".")
		m, ok := out[section].(map[string]any)
		if !ok {
			m = map[string]any{}
			out[section] = m
		}
		v := k.get(&c)
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		m[name] = v
	}
	return out
}

// DocTable renders the settings as a Markdown table (key, kind, default,
// environment variable, meaning) for the README.
func DocTable() string {
	def := Default()
	var b strings.Builder
	b.WriteString("| key | kind | default | environment | meaning |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, k := range keyTable() {
		v := k.get(&def)
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%v` | `%s` | %s |\n", k.Name, k.Kind, v, k.Env(), k.Doc)
	}
	return b.String()
}
