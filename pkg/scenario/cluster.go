package scenario

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// MaxNodes bounds the cluster size so a typo cannot exhaust memory.
const MaxNodes = 1000000

// validName keeps ids usable as metric path segments (nodes.ID.field) and
// on the command line.
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// cluster reads {datanodes: N}, {datanodes: [names]} or [names], with
// optional racks: a count (r1..rN, nodes dealt in turn) or a mapping of
// rack names to their nodes (then datanodes may be left out).
func (p *parser) cluster(n *yaml.Node) {
	const shapes = "{datanodes: 5}, {datanodes: [a, b]}, {racks: {r1: [a, b], r2: [c, d]}} or a list of names [a, b]"
	switch n.Kind {
	case yaml.SequenceNode:
		p.nodeNames(n, "cluster")
	case yaml.MappingNode:
		var dn, racks *yaml.Node
		for _, e := range p.entries(n, "cluster") {
			switch e.key {
			case "datanodes":
				dn = e.val
			case "racks":
				racks = e.val
			case "capacity":
				p.capacity(e)
			case "bandwidth":
				p.bandwidth(e)
			case "volumes":
				v, ok := p.wholeNumber(e.val, e.field, MaxVolumes)
				if ok && v < 1 {
					p.errs.add(e.val.Line, e.field, "must be at least 1, got %d", v)
					ok = false
				}
				if ok {
					p.sc.Volumes = int(v)
				}
			default:
				p.unknownKey(e, "", []string{"datanodes", "racks", "capacity", "bandwidth", "volumes"})
			}
		}
		if racks != nil && racks.Kind == yaml.MappingNode {
			p.rackMap(racks, dn)
			return
		}
		defer func() {
			if racks != nil && p.nodesOK {
				p.rackCount(racks)
			}
		}()
		switch {
		case dn == nil:
			p.errs.add(n.Line, "cluster.datanodes", "missing; write %s", shapes)
		case dn.Kind == yaml.SequenceNode:
			p.nodeNames(dn, "cluster.datanodes")
		default:
			count, ok := p.wholeNumber(dn, "cluster.datanodes", MaxNodes)
			if !ok {
				return
			}
			if count < 1 {
				p.errs.add(dn.Line, "cluster.datanodes", "must be at least 1, got %d", count)
				return
			}
			p.sc.Nodes = make([]string, count)
			for i := range p.sc.Nodes {
				p.sc.Nodes[i] = fmt.Sprintf("dn%d", i+1)
			}
			p.nodesOK = true
		}
	default:
		p.errs.add(n.Line, "cluster", "must be %s, got %s", shapes, kindName(n))
	}
}

func (p *parser) nodeNames(n *yaml.Node, field string) {
	if len(n.Content) == 0 {
		p.errs.add(n.Line, field, "must name at least one DataNode")
		return
	}
	if len(n.Content) > MaxNodes {
		p.errs.add(n.Line, field, "at most %d DataNodes, got %d", MaxNodes, len(n.Content))
		return
	}
	ok := true
	firstLine := map[string]int{}
	for i, c := range n.Content {
		f := fmt.Sprintf("%s[%d]", field, i)
		if c.Kind != yaml.ScalarNode || isNull(c) {
			p.errs.add(c.Line, f, "must be a DataNode name, got %s", kindName(c))
			ok = false
			continue
		}
		name := strings.TrimSpace(c.Value)
		if !validName.MatchString(name) {
			p.errs.add(c.Line, f, "DataNode name %s must be 1 to 64 letters, digits, '-' or '_'", hint.Quote(c.Value))
			ok = false
			continue
		}
		if line, dup := firstLine[name]; dup {
			p.errs.add(c.Line, f, "duplicate DataNode %s (first at line %d)", hint.Quote(name), line)
			ok = false
			continue
		}
		firstLine[name] = c.Line
		p.sc.Nodes = append(p.sc.Nodes, name)
	}
	p.nodesOK = ok
}

// rackCount deals the nodes in turn over N racks named r1..rN.
func (p *parser) rackCount(n *yaml.Node) {
	count, ok := p.wholeNumber(n, "cluster.racks", int64(len(p.sc.Nodes)))
	if !ok {
		return
	}
	if count < 1 {
		p.errs.add(n.Line, "cluster.racks", "must be at least 1, got %d", count)
		return
	}
	p.sc.Racks = make([]Rack, count)
	for i := range p.sc.Racks {
		p.sc.Racks[i].Name = fmt.Sprintf("r%d", i+1)
	}
	for i, id := range p.sc.Nodes {
		r := &p.sc.Racks[i%int(count)]
		r.Nodes = append(r.Nodes, id)
	}
}

// rackMap reads {r1: [a, b], r2: [c]}: the racks name every node once. A
// datanodes list or count beside it must agree.
func (p *parser) rackMap(n, dn *yaml.Node) {
	ok := true
	seen := map[string]string{}
	for _, e := range p.entries(n, "cluster.racks") {
		if !validName.MatchString(e.key) {
			p.errs.add(e.keyNode.Line, e.field, "rack name %s must be 1 to 64 letters, digits, '-' or '_'", hint.Quote(e.key))
			ok = false
			continue
		}
		if e.val.Kind != yaml.SequenceNode || len(e.val.Content) == 0 {
			p.errs.add(e.val.Line, e.field, "must list the rack's DataNodes, such as [dn1, dn2], got %s", kindName(e.val))
			ok = false
			continue
		}
		rack := Rack{Name: e.key}
		for i, c := range e.val.Content {
			f := fmt.Sprintf("%s[%d]", e.field, i)
			if c.Kind != yaml.ScalarNode || !validName.MatchString(c.Value) {
				p.errs.add(c.Line, f, "must be a DataNode name of 1 to 64 letters, digits, '-' or '_', got %s", kindName(c))
				ok = false
				continue
			}
			if other, dup := seen[c.Value]; dup {
				p.errs.add(c.Line, f, "%s is already in rack %s", c.Value, other)
				ok = false
				continue
			}
			seen[c.Value] = e.key
			rack.Nodes = append(rack.Nodes, c.Value)
			p.sc.Nodes = append(p.sc.Nodes, c.Value)
		}
		p.sc.Racks = append(p.sc.Racks, rack)
	}
	if len(p.sc.Racks) == 0 {
		p.errs.add(n.Line, "cluster.racks", "must name at least one rack")
		ok = false
	}
	if dn != nil {
		p.errs.add(dn.Line, "cluster.datanodes", "leave it out when racks list the nodes")
		ok = false
	}
	p.nodesOK = ok
}

// rackOf finds a rack by name.
func (p *parser) rack(name string) (Rack, bool) {
	for _, r := range p.sc.Racks {
		if r.Name == name {
			return r, true
		}
	}
	return Rack{}, false
}

// clusterSummary names the cluster compactly for messages: "dn1..dn5" for
// generated ids, else the names.
func clusterSummary(nodes []string) string {
	seq := len(nodes) > 2
	for i, n := range nodes {
		if n != fmt.Sprintf("dn%d", i+1) {
			seq = false
			break
		}
	}
	if seq {
		return fmt.Sprintf("dn1..dn%d", len(nodes))
	}
	if len(nodes) > 10 {
		return strings.Join(nodes[:10], ", ") + ", ..."
	}
	return strings.Join(nodes, ", ")
}

// DefaultBandwidth is a DataNode's transfer rate when the scenario gives
// none: 100MiB/s.
const DefaultBandwidth = 100 << 20

// capacity reads cluster.capacity: a size such as 4TiB per DataNode.
func (p *parser) capacity(e entry) {
	if e.val.Kind != yaml.ScalarNode || isNull(e.val) {
		p.errs.add(e.val.Line, e.field, "must be a size per DataNode such as 4TiB, got %s", kindName(e.val))
		return
	}
	v, err := config.ParseSize(e.val.Value)
	if err != nil {
		p.errs.add(e.val.Line, e.field, "%v", err)
		return
	}
	p.sc.Capacity = int64(v)
}

// bandwidth reads cluster.bandwidth: a rate such as 100MiB/s per DataNode.
func (p *parser) bandwidth(e entry) {
	if e.val.Kind != yaml.ScalarNode || isNull(e.val) {
		p.errs.add(e.val.Line, e.field, "must be a rate per DataNode such as 100MiB/s, got %s", kindName(e.val))
		return
	}
	v, err := config.ParseRate(e.val.Value)
	if err != nil {
		p.errs.add(e.val.Line, e.field, "%v", err)
		return
	}
	if v == 0 {
		p.errs.add(e.val.Line, e.field, "must be above 0, got %s", hint.Quote(e.val.Value))
		return
	}
	p.sc.Bandwidth = int64(v)
}

// checkTransfer refuses a block that takes longer to copy than a virtual
// time can hold: the engine would add that time to the clock and wrap it
// (1PiB at 1B/s put "all back at replication" at a negative time). Only a
// block_size the user wrote can get here: the default 128MiB at the lowest
// bandwidth, 1B/s, takes 4.3 years.
func (p *parser) checkTransfer() {
	bs, bw := p.sc.Config.Data.BlockSize, p.sc.Bandwidth
	if !p.configOK || bs <= 0 || bw <= 0 {
		return
	}
	took := float64(bs) / float64(bw) * float64(time.Second)
	if took <= float64(vtime.Max) {
		return
	}
	msg := fmt.Sprintf("one block of %s at %s/s takes %.3g years to copy, more than the %s a simulated time can hold; raise cluster.bandwidth or lower data.block_size",
		bs, config.Size(bw), took/float64(365*24*time.Hour), vtime.MaxText)
	p.errs.addErr(fmt.Errorf("%s: %s", config.Locate(p.sc.Origins["data.block_size"], "data.block_size"), msg))
}

// checkData rejects data that cannot fit: more replicas than DataNodes
// would do, or more bytes than the cluster's capacity.
func (p *parser) checkData() {
	if !p.nodesOK || p.sc.Config.Data.Replication == 0 {
		return
	}
	d := p.sc.Config.Data
	blocks := d.BlockCount()
	if blocks == 0 {
		return
	}
	origin := p.sc.Origins["data.replication"]
	if d.Replication > len(p.sc.Nodes) {
		p.errs.addErr(fmt.Errorf("%s: data.replication: %d replicas per block, but the cluster has only %d DataNodes", origin, d.Replication, len(p.sc.Nodes)))
	}
	if c := p.sc.Capacity; c > 0 {
		need := float64(blocks) * float64(d.Replication) * float64(d.BlockSize)
		if have := float64(c) * float64(len(p.sc.Nodes)); need > have {
			p.errs.addErr(fmt.Errorf("%s: cluster.capacity: %d blocks × %d replicas × %s need %.0f bytes, more than %d DataNodes × %s",
				p.sc.Origins["data.blocks"], blocks, d.Replication, d.BlockSize, need, len(p.sc.Nodes), config.Size(c)))
		}
	}
}
