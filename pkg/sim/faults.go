package sim

import (
	"fmt"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// noteFunc records a fault in a runtime's trace.
type noteFunc func(kind trace.Kind, node string, ev scenario.Event, what string)

// span says how long a fault lasts, for the trace.
func span(ev scenario.Event) string {
	if ev.For > 0 {
		return "for " + vtime.Seconds(ev.For)
	}
	return "until the end"
}

// networkFault starts (start true) or ends a fault that lives in the
// network model, the same for every runtime: partitions, slow links and
// loss. peers names who a partitioned node is cut from. It reports whether
// ev was such a fault.
func (n *network) fault(ev scenario.Event, index map[string]int32, start bool, peers string, note noteFunc) bool {
	switch ev.Action {
	case scenario.Partition, scenario.Slow, scenario.Loss:
	default:
		return false
	}
	if ev.Action == scenario.Partition && ev.Groups[0] != nil {
		if start {
			n.groups = append(n.groups, groupCutOf(ev, index, len(n.bad)))
			note(trace.Partition, trace.NameNodeID, ev, fmt.Sprintf("groups %v and %v cut apart (%s) %s", ev.Groups[0], ev.Groups[1], ev.Direction, span(ev)))
		} else {
			n.groups = removeGroup(n.groups, ev.Line)
			note(trace.Heal, trace.NameNodeID, ev, "groups reconnected")
		}
		return true
	}
	for _, id := range ev.Nodes {
		i := int(index[id])
		switch {
		case ev.Action == scenario.Partition && start:
			n.partition(i, ev.Direction)
			note(trace.Partition, id, ev, fmt.Sprintf("cut from %s (%s) %s", peers, ev.Direction, span(ev)))
		case ev.Action == scenario.Partition:
			n.heal(i, ev.Direction)
			note(trace.Heal, id, ev, "reconnected to "+peers)
		case ev.Action == scenario.Slow && start:
			n.addSlow(i, ev.Latency)
			note(trace.Slow, id, ev, "links slowed "+span(ev))
		case ev.Action == scenario.Slow:
			n.removeSlow(i, ev.Latency)
			note(trace.SlowEnd, id, ev, "links back to normal speed")
		case start:
			n.addLoss(i, ev.P)
			note(trace.Loss, id, ev, fmt.Sprintf("%g%% of messages lost %s", ev.P*100, span(ev)))
		default:
			n.removeLoss(i, ev.P)
			note(trace.LossEnd, id, ev, "loss fault over")
		}
	}
	return true
}
