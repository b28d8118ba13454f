package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
)

// configSection turns a heartbeat: or network: mapping into settings for
// pkg/config, each with its file:line as origin.
func (p *parser) configSection(e entry) []config.Setting {
	if isNull(e.val) {
		return nil
	}
	if e.val.Kind != yaml.MappingNode {
		p.errs.add(e.val.Line, e.key, "must be a mapping such as {%s}, got %s", sectionExample(e.key), kindName(e.val))
		return nil
	}
	return p.configGroup(e.val, e.key)
}

// configGroup reads a mapping of settings whose dotted names start with
// field; a nested mapping is a group of its own (heartbeat.phi.threshold),
// unless the setting takes a mapping (network.latency).
func (p *parser) configGroup(n *yaml.Node, field string) []config.Setting {
	var out []config.Setting
	for _, kv := range p.entries(n, field) {
		k, known := config.Lookup(kv.field)
		switch {
		case !known && kv.val.Kind == yaml.MappingNode && len(sectionKeys(kv.field)) > 0:
			out = append(out, p.configGroup(kv.val, kv.field)...)
			continue
		case !known:
			p.unknownKey(kv, "", sectionKeys(field))
			continue
		case kv.val.Kind != yaml.ScalarNode && !(k.Kind == config.KindLatency && kv.val.Kind == yaml.MappingNode):
			p.errs.add(kv.val.Line, kv.field, "must be a single value, got %s", kindName(kv.val))
			continue
		}
		v, ok := p.value(kv.val, kv.field)
		if !ok {
			continue
		}
		out = append(out, config.Setting{Key: kv.field, Value: v, Origin: fmt.Sprintf("%s:%d", p.path, kv.val.Line)})
	}
	return out
}

// loadConfig layers the file's settings with defaults, environment and
// --set. Its errors already carry their origin.
func (p *parser) loadConfig(settings []config.Setting, opts Options) {
	c, origins, err := config.Load(settings, config.Options{Sets: opts.Sets, Env: opts.Env, HDFSSite: opts.HDFSSite})
	if err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				p.errs.addErr(e)
			}
		} else {
			p.errs.addErr(err)
		}
		return
	}
	p.sc.Config, p.sc.Origins, p.sc.Effective = c, origins, c.Effective()
	p.configOK = true
}

// sectionKeys lists the names directly under a section or group, a nested
// group once: "interval", ..., "phi".
func sectionKeys(section string) []string { return config.SubKeys(section) }

func sectionExample(section string) string {
	keys := sectionKeys(section)
	if len(keys) == 0 {
		return "..."
	}
	return keys[0] + ": ..."
}

// joinWords lists words as "a, b or c".
func joinWords(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
