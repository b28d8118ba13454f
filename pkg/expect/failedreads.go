package expect

import (
	"fmt"

	"github.com/hbsim/hbsim/pkg/report"
)

// failedReads bounds the reads that failed on every location:
// {failed_reads: 0}.
type failedReads struct{ max int }

func parseFailedReads(a *args) (Expectation, error) {
	n, err := count("failed_reads", a.fields["failed_reads"])
	if err != nil {
		return nil, err
	}
	return failedReads{max: n}, nil
}

func (e failedReads) Name() string { return fmt.Sprintf("failed reads ≤ %d", e.max) }

func (e failedReads) Check(r *report.Report) (bool, string) {
	if r.IO == nil {
		return false, "the run has no client workload (add workload: {reads_per_sec: N})"
	}
	io := r.IO
	return io.ReadsFailed <= int64(e.max), fmt.Sprintf("%d of %d reads failed (%d rerouted around a down node)",
		io.ReadsFailed, io.Reads, io.ReadsRerouted)
}
