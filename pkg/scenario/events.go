package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
)

// Bounds of event values that the engine turns into times: outside them a
// conversion overflows or a run never ends.
const (
	// MinDrift and MaxDrift bound a clock_drift ratio: a clock a hundred
	// times slow or fast is already far beyond any real one.
	MinDrift, MaxDrift = 0.01, 100
)

// actionKeys lists, per action, the keys an event may carry beside at,
// for and until, and which of them it needs.
var actionKeys = map[Action]struct{ allowed, required []string }{
	Kill:          {},
	Restart:       {},
	Pause:         {},
	Partition:     {allowed: []string{"direction"}},
	Slow:          {allowed: []string{"latency"}, required: []string{"latency"}},
	Loss:          {allowed: []string{"p"}, required: []string{"p"}},
	Overload:      {},
	Drift:         {allowed: []string{"ratio"}, required: []string{"ratio"}},
	Decommission:  {},
	Maintenance:   {},
	Recommission:  {},
	VolumeFailure: {allowed: []string{"volumes"}},
}

// eventKeys are the keys some event may carry beside its action.
func eventKeys() []string {
	out := []string{"at", "for", "until"}
	for _, a := range actionNames() {
		for _, k := range actionKeys[Action(a)].allowed {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// sortedEntries lists a map of entries in file order, so errors come in
// the order a reader meets them.
func sortedEntries(m map[string]entry) []entry {
	out := make([]entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entry) int { return a.keyIndex - b.keyIndex })
	return out
}

func actionNames() []string {
	var out []string
	for _, a := range []Action{Kill, Restart, Pause, Partition, Slow, Loss, Overload, Drift,
		Decommission, Maintenance, Recommission, VolumeFailure} {
		out = append(out, string(a))
	}
	return out
}

// rawEvent is an event with what is needed to finish it once the events
// are in time order: its position in the file and an unresolved target.
type rawEvent struct {
	Event
	index  int
	field  string // events[i].action
	target targetSpec
}

// targetSpec is a target as written: ids, a rack, or a seeded random pick.
type targetSpec struct {
	ids     []string
	rack    string
	random  int     // pick this many
	percent float64 // or this share, rounded up
	line    int
}

// events reads the fault list, sorts it by time (file order for ties),
// resolves random targets with the scenario's seed, and checks that it
// makes sense as a history: no restart of a running node, no kill of a dead
// one.
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
	p.resolve(evs)
	p.checkTimes(evs)
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
	var at, forE, until *entry
	var action *entry
	extra := map[string]entry{}
	for _, e := range p.entries(n, field) {
		e := e
		switch {
		case e.key == "at":
			at = &e
		case e.key == "for":
			forE = &e
		case e.key == "until":
			until = &e
		case slices.Contains(actionNames(), e.key):
			if action != nil {
				p.errs.add(n.Line, field, "one action per event, got %s and %s", action.key, e.key)
				return ev, false
			}
			action = &e
		default:
			extra[e.key] = e
		}
	}
	if action == nil {
		// An unknown key is most likely the action, misspelt (kil: dn3):
		// name it rather than say the action is missing.
		unknown := false
		for _, e := range sortedEntries(extra) {
			if !slices.Contains(eventKeys(), e.key) {
				p.unknownKey(e, "", append(actionNames(), "at", "for", "until"))
				unknown = true
			}
		}
		if !unknown {
			p.errs.add(n.Line, field, "needs an action: one of %s", joinWords(actionNames()))
		}
		return ev, false
	}
	ev.Action = Action(action.key)
	ev.field = action.field
	spec := actionKeys[ev.Action]
	for _, e := range sortedEntries(extra) {
		if !slices.Contains(spec.allowed, e.key) {
			want := append([]string{"at", "for", "until"}, spec.allowed...)
			if ev.Action.instant() {
				want = append([]string{"at"}, spec.allowed...)
			}
			p.unknownKey(e, " for "+string(ev.Action), want)
			ok = false
		}
	}
	for _, k := range spec.required {
		if _, has := extra[k]; !has {
			p.errs.add(n.Line, field, "%s needs %s", ev.Action, k)
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
	ok = p.span(&ev, forE, until) && ok
	if !p.actionValue(&ev, action, extra) {
		ok = false
	}
	return ev, ok
}

// span reads for: or until: into ev.For.
func (p *parser) span(ev *rawEvent, forE, until *entry) bool {
	instant := ev.Action.instant()
	switch {
	case forE != nil && until != nil:
		p.errs.add(until.keyNode.Line, until.field, "give for or until, not both")
		return false
	case instant && (forE != nil || until != nil):
		e := forE
		if e == nil {
			e = until
		}
		p.errs.add(e.keyNode.Line, e.field, "%s is instantaneous; %s", ev.Action, undo(ev.Action))
		return false
	case forE != nil:
		d, ok := p.duration(forE.val, forE.field)
		if ok && d == 0 {
			p.errs.add(forE.val.Line, forE.field, "must be longer than 0s")
			return false
		}
		ev.For = d
		return ok
	case until != nil:
		d, ok := p.duration(until.val, until.field)
		if ok && d <= ev.At {
			p.errs.add(until.val.Line, until.field, "%s is not after at (%s)", fmtDuration(d), fmtDuration(ev.At))
			return false
		}
		ev.For = d - ev.At
		return ok
	case ev.Action == Pause:
		p.errs.add(ev.Line, ev.field, "a pause needs for: or until: (a process paused for ever is a crash: use kill)")
		return false
	}
	return true
}

// instant reports whether events of a take no for: or until:.
func (a Action) instant() bool {
	switch a {
	case Kill, Restart, Decommission, Recommission, VolumeFailure:
		return true
	}
	return false
}

// undo says how to end what an instantaneous event started.
func undo(a Action) string {
	switch a {
	case Decommission:
		return "to bring the node back in service, add a recommission event"
	case VolumeFailure:
		return "failed volumes stay failed; to replace the disks, kill and restart the node"
	case Recommission:
		return "it ends a decommission or a maintenance"
	}
	return "to bring the node back, add a restart event"
}

// actionValue reads the action's own value and the keys beside it.
func (p *parser) actionValue(ev *rawEvent, action *entry, extra map[string]entry) bool {
	ok := true
	switch ev.Action {
	case Overload:
		return p.overload(ev, action)
	case Partition:
		ev.Direction = "both"
		if d, has := extra["direction"]; has {
			ok = p.direction(ev, d.val, d.field)
		}
		if action.val.Kind == yaml.MappingNode {
			if groups := findKey(action.val, "groups"); groups != nil {
				return p.groups(ev, action) && ok
			}
		}
	case Slow:
		e, has := extra["latency"]
		if !has {
			return false // reported as missing
		}
		v, vOK := p.value(e.val, e.field)
		if !vOK {
			return false
		}
		lat, err := config.ParseLatency(v)
		if err != nil {
			p.errs.add(e.val.Line, e.field, "%v", err)
			return false
		}
		ev.Latency = lat
	case Loss:
		e, has := extra["p"]
		if !has {
			return false
		}
		f, fOK := p.fraction(e.val, e.field)
		ev.P = f
		ok = fOK
	case Drift:
		e, has := extra["ratio"]
		if !has {
			return false
		}
		f, fOK := p.number(e.val, e.field)
		if fOK && !(f >= MinDrift && f <= MaxDrift) {
			p.errs.add(e.val.Line, e.field, "must be from %v to %v (1.5: the node's timers run 1.5× fast; 0.5: half speed), got %v", MinDrift, MaxDrift, f)
			fOK = false
		}
		ev.Ratio = f
		ok = fOK
	case VolumeFailure:
		ev.Volumes = 1
		if e, has := extra["volumes"]; has {
			k, kOK := p.wholeNumber(e.val, e.field, MaxVolumes)
			if kOK && k < 1 {
				p.errs.add(e.val.Line, e.field, "must be at least 1, got %d", k)
				kOK = false
			}
			ev.Volumes, ok = int(k), kOK
		}
	case Pause:
		if p.isNameNode(action.val) {
			ev.PauseNameNode = true
			ev.target = targetSpec{ids: []string{}, line: action.val.Line}
			return true
		}
	}
	spec, tOK := p.target(action.val, action.field, ev.Action == Partition)
	ev.target = spec
	return ok && tOK
}

// MaxVolumes bounds volume_failure's volumes, as a DataNode has at most
// 64 (datanode.Config.Volumes).
const MaxVolumes = 64

// isNameNode reports whether an event's target is the NameNode itself
// (pause: namenode), unless a DataNode is named so.
func (p *parser) isNameNode(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Value != "namenode" {
		return false
	}
	_, dn := p.nodeIndex[n.Value]
	return !dn
}

func findKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (p *parser) direction(ev *rawEvent, n *yaml.Node, field string) bool {
	s, ok := p.text(n, field)
	if !ok {
		return false
	}
	if s != "both" && s != "to" && s != "from" {
		p.errs.add(n.Line, field, "must be both, to (messages to the targets are lost) or from (messages from them are), got %s", hint.Quote(s))
		return false
	}
	ev.Direction = s
	return true
}

// groups reads {groups: [[a, b], [c, d]]}: the two sides of a partition.
// "namenode" in a group puts the NameNode on that side.
func (p *parser) groups(ev *rawEvent, action *entry) bool {
	ok := true
	for _, e := range p.entries(action.val, action.field) {
		switch e.key {
		case "groups":
			if e.val.Kind != yaml.SequenceNode || len(e.val.Content) != 2 {
				p.errs.add(e.val.Line, e.field, "must be two lists of nodes, such as [[dn1, dn2], [dn3, namenode]], got %s", kindName(e.val))
				return false
			}
			// side maps each node to where it was first listed: a node on
			// both sides would be cut from itself, and the simulator would
			// silently keep only the last.
			side := map[string]string{}
			for g, list := range e.val.Content {
				f := fmt.Sprintf("%s[%d]", e.field, g)
				if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
					p.errs.add(list.Line, f, "must list nodes, got %s", kindName(list))
					ok = false
					continue
				}
				for i, c := range list.Content {
					fi := fmt.Sprintf("%s[%d]", f, i)
					if c.Kind == yaml.ScalarNode && c.Value == "namenode" {
						if ev.NameNode != 0 {
							p.errs.add(c.Line, fi, "namenode is already in %s[%d]: it can be on one side only", e.field, ev.NameNode-1)
							ok = false
						}
						ev.NameNode = g + 1
						continue
					}
					id, idOK := p.nodeRef(c, fi)
					if idOK {
						if prev, dup := side[id]; dup {
							p.errs.add(c.Line, fi, "%s is listed twice (first at %s)", id, prev)
							idOK = false
						} else {
							side[id] = fi
						}
					}
					ok = ok && idOK
					ev.Groups[g] = append(ev.Groups[g], id)
				}
			}
		case "direction":
			ok = p.direction(ev, e.val, e.field) && ok
		default:
			p.unknownKey(e, "", []string{"groups", "direction"})
			ok = false
		}
	}
	ev.target = targetSpec{ids: append(slices.Clone(ev.Groups[0]), ev.Groups[1]...), line: action.val.Line}
	return ok
}

// overload reads {service_time: 20ms, handlers: 2, load: 150}.
func (p *parser) overload(ev *rawEvent, action *entry) bool {
	if action.val.Kind != yaml.MappingNode {
		p.errs.add(action.val.Line, action.field, "must be a mapping such as {service_time: 20ms, handlers: 2, load: 150}, got %s", kindName(action.val))
		return false
	}
	ok := true
	ev.Handlers = 1
	for _, e := range p.entries(action.val, action.field) {
		switch e.key {
		case "service_time":
			d, dOK := p.duration(e.val, e.field)
			ev.ServiceTime, ok = d, ok && dOK
		case "handlers":
			h, hOK := p.wholeNumber(e.val, e.field, config.MaxHandlers)
			if hOK && h < 1 {
				p.errs.add(e.val.Line, e.field, "must be at least 1, got %d", h)
				hOK = false
			}
			ev.Handlers, ok = int(h), ok && hOK
		case "load":
			f, fOK := p.number(e.val, e.field)
			if fOK {
				if err := config.CheckRate(f, "background requests"); err != nil {
					p.errs.add(e.val.Line, e.field, "%v", err)
					fOK = false
				}
			}
			ev.Load, ok = f, ok && fOK
		default:
			p.unknownKey(e, "", []string{"service_time", "handlers", "load"})
			ok = false
		}
	}
	if ok && ev.ServiceTime == 0 {
		p.errs.add(action.val.Line, action.field+".service_time", "missing: how long a handler takes per message, e.g. 20ms")
		ok = false
	}
	return ok
}

var targetForms = []string{"nodes", "rack", "random", "percent"}

// target reads a node id, a list of ids, or {rack: r2}, {random: 2},
// {percent: 30}, {nodes: [...]}.
func (p *parser) target(n *yaml.Node, field string, partition bool) (targetSpec, bool) {
	spec := targetSpec{line: n.Line}
	if n.Kind != yaml.MappingNode {
		ids, ok := p.targets(n, field)
		spec.ids = ids
		return spec, ok
	}
	ok := true
	forms := 0
	for _, e := range p.entries(n, field) {
		switch e.key {
		case "nodes":
			forms++
			ids, idsOK := p.targets(e.val, e.field)
			spec.ids, ok = ids, ok && idsOK
		case "rack":
			forms++
			name, nOK := p.text(e.val, e.field)
			if nOK {
				if _, found := p.rack(name); !found {
					p.errs.add(e.val.Line, e.field, "unknown rack %s (cluster has %s)", hint.Quote(name), p.rackNames())
					nOK = false
				}
			}
			spec.rack, ok = name, ok && nOK
		case "random":
			forms++
			k, kOK := p.wholeNumber(e.val, e.field, int64(len(p.sc.Nodes)))
			if kOK && k < 1 {
				p.errs.add(e.val.Line, e.field, "must be at least 1, got %d", k)
				kOK = false
			}
			spec.random, ok = int(k), ok && kOK
		case "percent":
			forms++
			f, fOK := p.number(e.val, e.field)
			if fOK && !(f > 0 && f <= 100) {
				p.errs.add(e.val.Line, e.field, "must be above 0 and at most 100, got %v", f)
				fOK = false
			}
			spec.percent, ok = f, ok && fOK
		case "direction":
			if !partition {
				p.unknownKey(e, "", targetForms)
				ok = false
			}
		default:
			p.unknownKey(e, "", targetForms)
			ok = false
		}
	}
	if forms != 1 {
		p.errs.add(n.Line, field, "name the targets one way: a node, a list, {rack: r1}, {random: 2} or {percent: 30}")
		ok = false
	}
	return spec, ok
}

// rackNames lists the racks for messages.
func (p *parser) rackNames() string {
	if len(p.sc.Racks) == 0 {
		return "no racks: add racks to cluster"
	}
	var names []string
	for _, r := range p.sc.Racks {
		names = append(names, r.Name)
	}
	return strings.Join(names, ", ")
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
	if _, ok := p.nodeIndex[n.Value]; !ok {
		p.errs.add(n.Line, field, "unknown DataNode %s (cluster has %s)", hint.Quote(n.Value), clusterSummary(p.sc.Nodes))
		return n.Value, false
	}
	return n.Value, true
}

// number reads an int or float scalar.
func (p *parser) number(n *yaml.Node, field string) (float64, bool) {
	var f float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") || n.Decode(&f) != nil ||
		math.IsNaN(f) || math.IsInf(f, 0) {
		p.errs.add(n.Line, field, "must be a number, got %s", kindName(n))
		return 0, false
	}
	return f, true
}

// fraction reads a probability in [0, 1].
func (p *parser) fraction(n *yaml.Node, field string) (float64, bool) {
	f, ok := p.number(n, field)
	if ok && !(f >= 0 && f <= 1) {
		p.errs.add(n.Line, field, "must be a probability between 0 and 1, got %v", f)
		return 0, false
	}
	return f, ok
}

// nodeHistory is what the history check knows of one node.
type nodeHistory struct {
	down   bool
	lastAt time.Duration
	line   int // of the last kill or restart; 0 if none
	// pausedUntil is when the node's last pause ends (0: never paused;
	// the run's end for a pause without one), pauseAt and pauseLine when
	// and where it began.
	pausedUntil, pauseAt time.Duration
	pauseLine            int
	// failed counts the node's failed volumes; admin is its last
	// administrative request (decommission or maintenance; "" after a
	// recommission), adminLine where it was made.
	failed    int
	admin     Action
	adminLine int
}

// paused says whether the node is paused at t.
func (h *nodeHistory) paused(t time.Duration) bool { return h.pauseLine > 0 && t < h.pausedUntil }

// resolve turns target specs into ids, in time order, so that a random
// kill picks among nodes that are up, and checks the kill/restart history.
// Random picks use the scenario's seed: the same seed, the same victims.
func (p *parser) resolve(evs []rawEvent) {
	hist := map[string]*nodeHistory{}
	for _, id := range p.sc.Nodes {
		hist[id] = &nodeHistory{}
	}
	seed := uint64(p.sc.Seed)
	volumes := max(p.sc.Volumes, 1)
	var nn nodeHistory // the NameNode's pauses
	for k := range evs {
		ev := &evs[k]
		if ev.PauseNameNode {
			if nn.paused(ev.At) {
				p.errs.add(ev.Line, ev.field, "the NameNode is already paused at %s (from %s to %s, line %d): make it one longer pause", fmtDuration(ev.At), fmtDuration(nn.pauseAt), fmtDuration(nn.pausedUntil), nn.pauseLine)
			}
			nn.pauseAt, nn.pauseLine, nn.pausedUntil = ev.At, ev.Line, p.sc.Duration
			if ev.For > 0 {
				nn.pausedUntil = ev.At + ev.For
			}
			continue
		}
		ev.Nodes = p.pick(ev, hist, rand.New(rand.NewPCG(seed, uint64(ev.index)+1)))
		for _, id := range ev.Nodes {
			h := hist[id]
			switch {
			case ev.Action == Kill && h.down:
				p.errs.add(ev.Line, ev.field, "%s is already down at %s (killed at %s, line %d)", id, fmtDuration(ev.At), fmtDuration(h.lastAt), h.line)
			case ev.Action == Restart && !h.down && h.line == 0:
				p.errs.add(ev.Line, ev.field, "%s is not down at %s: it was never killed", id, fmtDuration(ev.At))
			case ev.Action == Restart && !h.down:
				p.errs.add(ev.Line, ev.field, "%s is not down at %s: it was already restarted at %s (line %d)", id, fmtDuration(ev.At), fmtDuration(h.lastAt), h.line)
			case ev.Action == Pause && h.down:
				p.errs.add(ev.Line, ev.field, "%s is down at %s (killed at %s, line %d): only a running process can be paused", id, fmtDuration(ev.At), fmtDuration(h.lastAt), h.line)
			case ev.Action == Pause && h.paused(ev.At):
				p.errs.add(ev.Line, ev.field, "%s is already paused at %s (from %s to %s, line %d): make it one longer pause", id, fmtDuration(ev.At), fmtDuration(h.pauseAt), fmtDuration(h.pausedUntil), h.pauseLine)
			case ev.Action == VolumeFailure && h.failed+ev.Volumes > volumes:
				p.errs.add(ev.Line, ev.field, "%s has %d volume(s) (cluster.volumes) and %d already failed: %d more cannot fail", id, volumes, h.failed, ev.Volumes)
			case ev.Action == Decommission && h.admin == Decommission:
				p.errs.add(ev.Line, ev.field, "%s is already being decommissioned (line %d): recommission it first", id, h.adminLine)
			case ev.Action == Recommission && h.adminLine == 0:
				p.errs.add(ev.Line, ev.field, "%s was never decommissioned nor put in maintenance before %s: nothing to recommission", id, fmtDuration(ev.At))
			}
			switch ev.Action {
			case VolumeFailure:
				h.failed += ev.Volumes
			case Decommission, Maintenance:
				h.admin, h.adminLine = ev.Action, ev.Line
			case Recommission:
				h.admin, h.adminLine = "", ev.Line
			}
			switch ev.Action {
			case Kill, Restart:
				h.down = ev.Action == Kill
				h.lastAt, h.line = ev.At, ev.Line
				h.pausedUntil = 0 // a fresh process, or none, is not paused
			case Pause:
				h.pauseAt, h.pauseLine, h.pausedUntil = ev.At, ev.Line, p.sc.Duration
				if ev.For > 0 {
					h.pausedUntil = ev.At + ev.For
				}
			}
		}
	}
}

// pick resolves one event's targets.
func (p *parser) pick(ev *rawEvent, hist map[string]*nodeHistory, rng *rand.Rand) []string {
	s := ev.target
	switch {
	case s.ids != nil:
		return s.ids
	case s.rack != "":
		r, _ := p.rack(s.rack)
		return r.Nodes
	}
	// Random picks choose among the nodes the action can apply to.
	var pool []string
	for _, id := range p.sc.Nodes {
		h := hist[id]
		if (ev.Action == Kill && h.down) || (ev.Action == Restart && !h.down) ||
			(ev.Action == Pause && (h.down || h.paused(ev.At))) {
			continue
		}
		pool = append(pool, id)
	}
	k := s.random
	if s.percent > 0 {
		k = int(math.Ceil(s.percent / 100 * float64(len(p.sc.Nodes))))
	}
	if k > len(pool) {
		p.errs.add(s.line, ev.field, "wants %d nodes but only %d can be %s at %s", k, len(pool), pastTense(ev.Action), fmtDuration(ev.At))
		return nil
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := pool[:k]
	// Keep the cluster's order, so reports list victims predictably.
	slices.SortFunc(out, func(a, b string) int { return p.nodeIndex[a] - p.nodeIndex[b] })
	return out
}

func pastTense(a Action) string {
	switch a {
	case Kill:
		return "killed"
	case Restart:
		return "restarted"
	case Pause:
		return "paused"
	}
	return "targeted"
}
