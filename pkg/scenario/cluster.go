package scenario

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxNodes bounds the cluster size so a typo cannot exhaust memory.
const MaxNodes = 100000

// validName keeps ids usable as metric path segments (nodes.ID.field) and
// on the command line.
var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// cluster reads {datanodes: N}, {datanodes: [names]} or [names].
func (p *parser) cluster(n *yaml.Node) {
	const shapes = "{datanodes: 5}, {datanodes: [a, b]} or a list of names [a, b]"
	switch n.Kind {
	case yaml.SequenceNode:
		p.nodeNames(n, "cluster")
	case yaml.MappingNode:
		var dn *yaml.Node
		for _, e := range p.entries(n, "cluster") {
			if e.key != "datanodes" {
				p.errs.add(e.keyNode.Line, e.field, "unknown key (want datanodes)")
				continue
			}
			dn = e.val
		}
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
			p.errs.add(c.Line, f, "DataNode name %q must be 1 to 64 letters, digits, '-' or '_'", c.Value)
			ok = false
			continue
		}
		if line, dup := firstLine[name]; dup {
			p.errs.add(c.Line, f, "duplicate DataNode %q (first at line %d)", name, line)
			ok = false
			continue
		}
		firstLine[name] = c.Line
		p.sc.Nodes = append(p.sc.Nodes, name)
	}
	p.nodesOK = ok
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
