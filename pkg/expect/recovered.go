package expect

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
)

// recoveredWithin expects every block back at its replication within a
// bound after the last death: {recovered_within: 10m}. The clock starts at
// the last kill (ground truth: when the data became unreachable), or, in a
// run without kills, at the last node declared dead.
type recoveredWithin struct{ within time.Duration }

func parseRecoveredWithin(a *args) (Expectation, error) {
	d, err := a.duration("recovered_within")
	if err != nil {
		return nil, err
	}
	return recoveredWithin{within: d}, nil
}

func (e recoveredWithin) Name() string { return fmt.Sprintf("recovered within %s", e.within) }

func (e recoveredWithin) Check(r *report.Report) (bool, string) {
	if r.Blocks == nil {
		return false, "the run has no blocks (add data: {blocks: N} to the scenario)"
	}
	death, what := lastDeath(r)
	b := r.Blocks
	if b.RecoveredAtMs == nil {
		if b.UnderReplicatedPeak == 0 {
			return true, "no block was ever under-replicated"
		}
		return false, fmt.Sprintf("never recovered: blocks still under-replicated at the end (peak %d)", b.UnderReplicatedPeak)
	}
	if death < 0 {
		return true, fmt.Sprintf("no node died; every block at its replication since %s", clock(*b.RecoveredAtMs))
	}
	took := msDuration(*b.RecoveredAtMs - death).Round(time.Millisecond)
	if took < 0 {
		return false, fmt.Sprintf("blocks were at their replication at %s, before the %s at %s, and not after", clock(*b.RecoveredAtMs), what, clock(death))
	}
	cmp := "≤"
	if took > e.within {
		cmp = ">"
	}
	return took <= e.within, fmt.Sprintf("%s at %s, every block back at its replication at %s: %s %s %s",
		what, clock(death), clock(*b.RecoveredAtMs), took, cmp, e.within)
}

// lastDeath is the time of the last kill, else of the last dead
// declaration, in report milliseconds; −1 if neither happened.
func lastDeath(r *report.Report) (float64, string) {
	kill, dead := -1.0, -1.0
	for _, ev := range r.Events {
		switch {
		case ev.Kind == "kill":
			kill = ev.TMs
		case ev.Kind == "transition" && ev.To == "dead":
			dead = ev.TMs
		}
	}
	if kill >= 0 {
		return kill, "last kill"
	}
	return dead, "last node declared dead"
}
