package scenario

import (
	"errors"
	"fmt"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/expect"
	"github.com/hbsim/hbsim/pkg/model"
)

// expectations hands each entry of expect: to pkg/expect and places its
// errors on the line of the offending key.
func (p *parser) expectations(n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.errs.add(n.Line, "expect", "must be a list such as [{dead: dn3, within: 35s}], got %s", kindName(n))
		return
	}
	for i, item := range n.Content {
		field := fmt.Sprintf("expect[%d]", i)
		if item.Kind != yaml.MappingNode {
			p.errs.add(item.Line, field, "must be a mapping such as {dead: dn3, within: 35s}, got %s", kindName(item))
			continue
		}
		v, ok := p.value(item, field)
		fields, isMap := v.(map[string]any)
		if !ok || !isMap || !p.nodesOK {
			continue
		}
		e, err := expect.Parse(fields, p.sc.Nodes)
		if err != nil {
			var fe *expect.FieldError
			if errors.As(err, &fe) {
				p.errs.add(lineOf(item, fe.Field), join(field, fe.Field), "%w", fe.Err)
			} else {
				p.errs.add(item.Line, field, "%w", err)
			}
			continue
		}
		p.sc.Expect = append(p.sc.Expect, e)
		p.sc.ExpectData = append(p.sc.ExpectData, model.Expectation{
			Source: fmt.Sprintf("%s:%d", filepath.Base(p.sc.Path), item.Line), Fields: fields})
	}
}
