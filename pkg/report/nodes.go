package report

import (
	"fmt"
	"slices"
)

// Which nodes a report lists (hbsim run --nodes).
const (
	NodesAuto    = "auto"    // every node up to CompactAbove, else NodesChanged
	NodesAll     = "all"     // every node
	NodesChanged = "changed" // only nodes that had an event
)

// CompactAbove is the cluster size above which NodesAuto lists only the
// nodes that had an event: a million idle nodes are 400 MB of JSON that
// say nothing.
const CompactAbove = 10000

// CheckNodesMode checks a --nodes value.
func CheckNodesMode(mode string) error {
	if !slices.Contains([]string{NodesAuto, NodesAll, NodesChanged}, mode) {
		return fmt.Errorf("want %s, %s or %s", NodesAuto, NodesAll, NodesChanged)
	}
	return nil
}

// ListNodes returns the report with its Nodes as mode asks (see the
// constants), counting those left out in NodesOmitted. r is not changed.
func (r *Report) ListNodes(mode string) *Report {
	if mode == NodesAll || mode == NodesAuto && len(r.Nodes) <= CompactAbove {
		return r
	}
	out := *r
	out.Nodes = make([]Node, 0)
	for _, n := range r.Nodes {
		if n.changed {
			out.Nodes = append(out.Nodes, n)
		}
	}
	out.NodesOmitted = r.NodesOmitted + len(r.Nodes) - len(out.Nodes)
	return &out
}
