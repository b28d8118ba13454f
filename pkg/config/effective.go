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
		nest(out, k.Name, plain(k.get(&c)))
	}
	return out
}

// Text is the setting's value in c as a scenario would write it.
func (k Key) Text(c Config) string { return fmt.Sprint(plain(k.get(&c))) }

// nest stores v in m under a dotted key, making the maps on the way.
func nest(m map[string]any, key string, v any) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// plain renders a setting's value as a scenario would write it.
func plain(v any) any {
	switch x := v.(type) {
	case time.Duration:
		return x.String()
	case Latency:
		return plainLatency(x)
	case Size:
		return x.String()
	}
	return v
}

// DocTable renders the settings as a Markdown table (key, kind, default,
// environment variable, meaning) for the README.
func DocTable() string {
	def := Default()
	var b strings.Builder
	b.WriteString("| key | kind | default | environment | meaning |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, k := range keyTable() {
		v := plain(k.get(&def))
		fmt.Fprintf(&b, "| `%s` | %s | `%v` | `%s` | %s |\n", k.Name, k.Kind, v, k.Env(), k.Doc)
	}
	return b.String()
}
