package report

import (
	"fmt"
	"time"
)

// FormatTime renders a virtual time as HH:MM:SS.mmm, rounded to the
// millisecond: 61.002s is "00:01:01.002". Hours grow past two digits
// rather than wrap, and negative times get a leading "-".
func FormatTime(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	ms := int64(d.Round(time.Millisecond) / time.Millisecond)
	h := ms / 3_600_000
	m := ms / 60_000 % 60
	s := ms / 1000 % 60
	return fmt.Sprintf("%s%02d:%02d:%02d.%03d", sign, h, m, s, ms%1000)
}

// FormatSeconds renders a span of milliseconds as seconds with three
// decimals, as detection times are shown: 31002 is "31.002s".
func FormatSeconds(ms float64) string {
	return fmt.Sprintf("%.3fs", ms/1e3)
}
