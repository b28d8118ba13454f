// Package vtime formats virtual time, the time.Duration since the start of
// a run that every runtime and report uses, the way people read it:
// 00:01:01.002.
package vtime

import (
	"fmt"
	"time"
)

// Format renders d as HH:MM:SS.mmm, rounded to the millisecond. Hours grow
// past two digits rather than wrap; negative durations get a leading minus.
func Format(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	ms := d.Round(time.Millisecond).Milliseconds()
	return fmt.Sprintf("%s%02d:%02d:%02d.%03d", sign, ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// Seconds renders d as seconds with up to three decimals, rounded to the
// millisecond: "31.002s", "30s".
func Seconds(d time.Duration) string {
	s := fmt.Sprintf("%.3f", d.Seconds())
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s + "s"
}
