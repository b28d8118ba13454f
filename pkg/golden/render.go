package golden

import (
	"encoding/json"
	"strings"
)

// maxRender bounds a rendered value: an added node or event is shown in
// full, a whole added series is not.
const maxRender = 120

// render writes a decoded value as compact JSON, keys in document order.
func render(v any) string {
	var b strings.Builder
	write(&b, v)
	s := b.String()
	if len([]rune(s)) > maxRender {
		s = string([]rune(s)[:maxRender-1]) + "…"
	}
	return s
}

func write(b *strings.Builder, v any) {
	switch x := v.(type) {
	case *object:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			write(b, k)
			b.WriteByte(':')
			write(b, x.vals[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			write(b, e)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(x.String())
	case nil:
		b.WriteString("null")
	default:
		data, err := json.Marshal(x)
		if err != nil {
			b.WriteString("?")
			return
		}
		b.Write(data)
	}
}
