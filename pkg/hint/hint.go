// Package hint helps error messages help: it quotes what a user wrote
// without letting a megabyte of it flood the terminal, and it suggests the
// names a user most likely meant when they typed one that does not exist.
package hint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuote is how many bytes of a user's value a message quotes at most.
const MaxQuote = 200

// Quote quotes s as Go would (strconv.Quote), cut to MaxQuote bytes of the
// original with the length of the rest, so an error about a huge value
// stays one readable line.
func Quote(s string) string {
	if len(s) <= MaxQuote {
		return strconv.Quote(s)
	}
	cut := MaxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes more)", strconv.Quote(s[:cut]), len(s)-cut)
}

// Clip cuts s to MaxQuote bytes like Quote, without quotes: for names
// printed bare, such as an unknown key. A name with a newline or another
// control character is quoted instead, so a message stays one line.
func Clip(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return Quote(s)
	}
	if len(s) <= MaxQuote {
		return s
	}
	cut := MaxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes more)", s[:cut], len(s)-cut)
}

// maxSuggestions keeps "did you mean" short.
const maxSuggestions = 3

// Closest returns up to three candidates the user probably meant by word,
// best first: those within a small edit distance (a typo, a swapped pair of
// letters), and those whose last dotted segment is, or nearly is, word's
// last segment (interval → heartbeat.interval, treshold →
// heartbeat.phi.threshold). Case does not matter, and '-' counts as
// '_', so MISS-THRESHOLD finds miss_threshold. It
// returns nothing when no candidate is close: a long list of unrelated
// names helps nobody.
func Closest(word string, candidates []string) []string {
	w := fold(word)
	if w == "" || len(w) > 4*MaxQuote {
		return nil
	}
	wLast := lastSegment(w)
	type scored struct {
		name string
		d    int
	}
	var found []scored
	for _, c := range candidates {
		f := fold(c)
		if f == w {
			found = append(found, scored{c, 0})
			continue
		}
		limit := max(1, min(3, len(w)/4))
		seg := segmentScore(wLast, lastSegment(f))
		if section(w) != section(f) {
			seg++
		}
		d := min(distance(w, f), seg)
		if d <= limit {
			found = append(found, scored{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	// Only the best: a clear typo should not come with three far cousins.
	var out []string
	for _, s := range found {
		if s.d > found[0].d {
			break
		}
		if !slices.Contains(out, s.name) {
			out = append(out, s.name)
		}
		if len(out) == maxSuggestions {
			break
		}
	}
	return out
}

// DidYouMean renders Closest as "did you mean a, b or c?", or "" when
// nothing is close.
func DidYouMean(word string, candidates []string) string {
	c := Closest(word, candidates)
	if len(c) == 0 {
		return ""
	}
	return "did you mean " + Or(c) + "?"
}

// Or lists words as "a", "a or b", "a, b or c".
func Or(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
}

// segmentScore compares the last dotted segments: the same one (interval →
// heartbeat.interval) scores 1, a typo in it 2, a typo of one of its words
// (treshold → miss_threshold) 3. Short segments score nothing, as too many
// names share them.
func segmentScore(w, f string) int {
	const none = 1 << 20
	if len(w) < 4 {
		return none
	}
	if d := distance(w, f); d <= 1 {
		return 1 + d
	}
	for _, word := range strings.Split(f, "_") {
		if len(word) >= 4 && distance(w, word) <= 1 {
			return 3
		}
	}
	return none
}

// section is what precedes the last '.'.
func section(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return ""
}

// lastSegment is what follows the last '.'.
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// distance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent bytes each
// cost one.
func distance(a, b string) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 8 {
		return len(b) - len(a)
	}
	prev2 := make([]int, len(a)+1)
	prev := make([]int, len(a)+1)
	cur := make([]int, len(a)+1)
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(b); j++ {
		cur[0] = j
		for i := 1; i <= len(a); i++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[i] = min(prev[i]+1, cur[i-1]+1, prev[i-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[i] = min(cur[i], prev2[i-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(a)]
}
