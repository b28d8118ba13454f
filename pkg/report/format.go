package report

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// FormatTime renders a virtual time as HH:MM:SS.mmm (see vtime.Format,
// the one implementation).
func FormatTime(d time.Duration) string { return vtime.Format(d) }

// FormatSeconds renders a span of milliseconds as seconds with three
// decimals, as detection times are shown: 31002 is "31.002s".
func FormatSeconds(ms float64) string {
	return fmt.Sprintf("%.3fs", ms/1e3)
}
