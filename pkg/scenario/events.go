package scenario

import (
	"fmt"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// rawEvent is an event with its position in the file, for messages.
type rawEvent struct {
	Event
	index int
}

// events reads the fault list, sorts it by time (file order for ties) and
// checks that it makes sense as a history: no restart of a running node, no
// kill of a dead one.
func (p *parser) events(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errs.add(n.Line, "events", "must be a list such as [{at: 30s, kill: dn3}], got %s", kindName(n))
		return
	}
	var evs []rawEvent
	ok := true
	for i, item := range n.Content {
		ev, evOK := p.event(item, i)
		ok = ok && evOK
		if evOK {
			evs = append(evs, ev)
		}
	}
	if !ok || !p.nodesOK {
		return
	}
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].At < evs[b].At })
	p.checkHistory(evs)
	for _, e := range evs {
		p.sc.Events = append(p.sc.Events, e.Event)
	}
}

func (p *parser) event(n *yaml.Node, i int) (rawEvent, bool) {
	field := fmt.Sprintf("events[%d]", i)
	ev := rawEvent{Event: Event{Line: n.Line}, index: i}
	if n.Kind != yaml.MappingNode {
		p.errs.add(n.Line, field, "must be a mapping such as {at: 30s, kill: dn3}, got %s", kindName(n))
		return ev, false
	}
	ok := true
	var at, target *entry
	var actions []string
	for _, e := range p.entries(n, field) {
		switch e.key {
		case "at":
			at = &e
		case string(Kill), string(Restart):
			actions = append(actions, e.key)
			target = &e
		default:
			p.errs.add(e.keyNode.Line, e.field, "unknown key (want at, and kill or restart)")
			ok = false
		}
	}
	if at == nil {
		p.errs.add(n.Line, field, "missing at (when the event happens, e.g. at: 30s)")
		ok = false
	} else if d, dOK := p.duration(at.val, at.field); !dOK {
		ok = false
	} else if p.durationOK && d >= p.sc.Duration {
		p.errs.add(at.val.Line, at.field, "%s is not before the end of the run (duration: %s)", fmtDuration(d), fmtDuration(p.sc.Duration))
		ok = false
	} else {
		ev.At = d
	}
	switch len(actions) {
	case 0:
		p.errs.add(n.Line, field, "needs an action: kill or restart")
		return ev, false
	case 1:
	default:
		p.errs.add(n.Line, field, "one action per event, got %s and %s", actions[0], actions[1])
		return ev, false
	}
	ev.Action = Action(target.key)
	nodes, tOK := p.targets(target.val, target.field)
	ev.Nodes = nodes
	return ev, ok && tOK
}

// targets reads one node id or a list of ids.
func (p *parser) targets(n *yaml.Node, field string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		id, ok := p.nodeRef(n, field)
		return []string{id}, ok
	}
	if len(n.Content) == 0 {
		p.errs.add(n.Line, field, "must name at least one DataNode")
		return nil, false
	}
	ok := true
	seen := map[string]bool{}
	var out []string
	for i, c := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		id, idOK := p.nodeRef(c, f)
		if idOK && seen[id] {
			p.errs.add(c.Line, f, "%s is listed twice", id)
			idOK = false
		}
		ok = ok && idOK
		seen[id] = true
		out = append(out, id)
	}
	return out, ok
}

// nodeRef reads a node id and checks the cluster has it.
func (p *parser) nodeRef(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errs.add(n.Line, field, "must be a DataNode id, got %s", kindName(n))
		return "", false
	}
	if !p.nodesOK {
		return n.Value, false // the cluster's own error says why
	}
	if !p.nodeSet[n.Value] {
		p.errs.add(n.Line, field, "unknown DataNode %q (cluster has %s)", n.Value, clusterSummary(p.sc.Nodes))
		return n.Value, false
	}
	return n.Value, true
}

// nodeHistory is what the history check knows of one node.
type nodeHistory struct {
	down   bool
	lastAt time.Duration
	line   int // of the last event that touched the node; 0 if none
	last   Action
}

func (p *parser) checkHistory(evs []rawEvent) {
	hist := map[string]*nodeHistory{}
	for _, ev := range evs {
		field := fmt.Sprintf("events[%d].%s", ev.index, ev.Action)
		for _, id := range ev.Nodes {
			h := hist[id]
			if h == nil {
				h = &nodeHistory{}
				hist[id] = h
			}
			switch {
			case ev.Action == Kill && h.down:
				p.errs.add(ev.Line, field, "%s is already down at %s (killed at %s, line %d)", id, fmtDuration(ev.At), fmtDuration(h.lastAt), h.line)
			case ev.Action == Restart && !h.down && h.line == 0:
				p.errs.add(ev.Line, field, "%s is not down at %s: it was never killed", id, fmtDuration(ev.At))
			case ev.Action == Restart && !h.down:
				p.errs.add(ev.Line, field, "%s is not down at %s: it was already restarted at %s (line %d)", id, fmtDuration(ev.At), fmtDuration(h.lastAt), h.line)
			}
			h.down = ev.Action == Kill
			h.lastAt, h.line, h.last = ev.At, ev.Line, ev.Action
		}
	}
}
