package sweep

import "strings"

// grid lists every combination of the params' values. The first param
// varies fastest, so the points of one curve (one value of every other
// param) are adjacent: the table reads as one block per curve.
func grid(params []Param) [][]string {
	n := 1
	for _, p := range params {
		n *= len(p.Values)
	}
	out := make([][]string, n)
	for i := range out {
		vals := make([]string, len(params))
		rest := i
		for j, p := range params {
			vals[j] = p.Values[rest%len(p.Values)]
			rest /= len(p.Values)
		}
		out[i] = vals
	}
	return out
}

// label names a combination of values: "heartbeat.interval=1s".
func label(params []Param, vals []string) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.Key + "=" + vals[i]
	}
	return strings.Join(parts, " ")
}
