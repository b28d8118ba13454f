package expect

import (
	"fmt"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
)

// noDataLoss expects every block to survive the run: {no_data_loss: true}.
// false expects the opposite (a scenario that teaches loss).
type noDataLoss struct{ want bool }

func parseNoDataLoss(a *args) (Expectation, error) {
	b, ok := a.fields["no_data_loss"].(bool)
	if !ok {
		return nil, fieldErrorf("no_data_loss", "must be true or false, got %s", describe(a.fields["no_data_loss"]))
	}
	return noDataLoss{want: b}, nil
}

func (e noDataLoss) Name() string {
	if e.want {
		return "no data loss"
	}
	return "some data lost"
}

func (e noDataLoss) Check(r *report.Report) (bool, string) {
	if r.Blocks == nil {
		return false, "the run has no blocks (add data: {blocks: N} to the scenario)"
	}
	b := r.Blocks
	if b.Lost == 0 {
		return e.want, fmt.Sprintf("no block lost of %d", b.Total)
	}
	ids := make([]string, 0, 5)
	for _, id := range b.LostBlocks[:min(len(b.LostBlocks), 5)] {
		ids = append(ids, fmt.Sprintf("blk_%d", id))
	}
	more := ""
	if b.Lost > len(ids) {
		more = ", ..."
	}
	return !e.want, fmt.Sprintf("%d of %d blocks lost (%s%s): no live replica and no transfer in flight", b.Lost, b.Total, strings.Join(ids, ", "), more)
}
