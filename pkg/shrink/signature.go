package shrink

import (
	"strings"
	"unicode"
)

// signature is how an expectation failed, without the particulars a
// smaller scenario changes: the detail's first clause (before "; " or
// " ("), every word holding a digit (times, counts, node ids) as "#", and
// plurals folded. "killed at 00:01:10.000, declared dead at 00:02:00.000:
// detection 50s > 35s" and "... detection 41s > 35s" are the same
// failure; "dn3 was never killed, so there was nothing to detect" is not:
// a shrunk scenario that merely forgot the crash does not fail the same
// way.
func signature(detail string) string {
	for _, cut := range []string{"; ", " ("} {
		if i := strings.Index(detail, cut); i >= 0 {
			detail = detail[:i]
		}
	}
	words := strings.Fields(detail)
	for i, w := range words {
		switch {
		case strings.ContainsFunc(w, unicode.IsDigit):
			words[i] = "#"
		case len(w) > 3 && strings.HasSuffix(w, "s"):
			words[i] = strings.TrimSuffix(w, "s")
		}
	}
	return strings.Join(words, " ")
}
