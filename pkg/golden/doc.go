// Package golden compares a run's JSON report with a stored ("golden") one
// and says what changed in words a person reads at a glance:
//
//	nodes.dn3.detection_ms: 29000 → 31000
//	qos.missed-count.mistakes: 0 → 2
//
// The comparison is structural, not textual: paths are dotted JSON keys, a
// list of objects that all carry an "id" (the report's nodes) is matched by
// id rather than position, so one added node does not shift every line
// after it, and other lists are matched by index. Paths read the same way
// as the metric expectation's, so a changed value can be pinned with
// {metric: PATH, ...} directly.
package golden
