package scenario

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
)

// Options are the command line's say over a scenario.
type Options struct {
	// Sets are --set key=value config overrides (highest precedence).
	Sets []string
	// Seed, when not nil, replaces the file's seed (--seed).
	Seed *int64
	// Env looks up HBSIM_* variables; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Compare adds detectors to watch the same trace (--compare).
	Compare []string
	// GoldenRoot is the folder a golden: path must stay in (--golden-root);
	// "" means the scenario file's own folder.
	GoldenRoot string
	// HDFSSite holds settings from an hdfs-site.xml (--hdfs-site), layered
	// above the file's own.
	HDFSSite []config.Setting
}

// DefaultSeed is the seed of a scenario that gives none.
const DefaultSeed = 1

// Load reads and parses the scenario file at path.
func Load(path string, opts Options) (*Scenario, error) {
	data, err := config.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse parses and validates a scenario; path is used in messages only.
// The error lists every problem found, one per line, each as
// FILE:LINE: FIELD: message.
func Parse(path string, data []byte, opts Options) (*Scenario, error) {
	p := &parser{path: path, errs: errorList{file: path}, sc: &Scenario{Path: path, Seed: DefaultSeed, Bandwidth: DefaultBandwidth}}
	if len(data) > config.MaxFileBytes {
		return nil, &Error{File: path, Err: fmt.Errorf("%d bytes is larger than %d MiB: a scenario is a few KiB (split it, or check it is the file you meant)", len(data), config.MaxFileBytes>>20)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &Error{File: path, Err: fmt.Errorf("empty scenario; want a mapping with at least name, duration and cluster")}
	}
	root := doc.Content[0]
	if a := findAlias(root); a != nil {
		return nil, &Error{File: path, Line: a.Line, Err: fmt.Errorf("YAML aliases (*%s) are not supported; write the value out", a.Value)}
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: root.Line, Err: fmt.Errorf("a scenario must be a mapping of keys such as name: and duration:, got %s", kindName(root))}
	}
	p.parse(root, opts)
	if err := p.errs.err(); err != nil {
		return nil, err
	}
	return p.sc, nil
}

// parser carries one parse: the result so far and the problems found.
type parser struct {
	path string
	errs errorList
	sc   *Scenario
	// nodesOK, durationOK and configOK say whether later checks may rely
	// on the cluster, the duration and the settings; without them,
	// checking events would only repeat the first error.
	nodesOK, durationOK, configOK bool
	nodeIndex                     map[string]int // position in sc.Nodes, once nodesOK
}

// topLevel lists the keys of a scenario in the order they are handled:
// events and expect need the cluster and duration first, wherever the file
// puts them.
var topLevel = []string{"name", "description", "seed", "duration", "cluster", "heartbeat", "network", "namenode", "io",
	"data", "replication", "admin", "datanode", "workload", "client", "detectors", "events", "expect", "golden", "aliases"}

func (p *parser) parse(root *yaml.Node, opts Options) {
	byKey := map[string]entry{}
	for _, e := range p.entries(root, "") {
		if !contains(topLevel, e.key) {
			p.unknownKey(e, "", topLevel)
			continue
		}
		byKey[e.key] = e
		if p.sc.Lines == nil {
			p.sc.Lines = map[string]int{}
		}
		p.sc.Lines[e.key] = e.keyNode.Line
	}
	for _, req := range []string{"name", "duration", "cluster"} {
		if _, ok := byKey[req]; !ok {
			p.errs.add(root.Line, req, "missing (every scenario needs name, duration and cluster)")
		}
	}
	if e, ok := byKey["name"]; ok {
		if s, ok := p.text(e.val, "name"); ok {
			if s == "" {
				p.errs.add(e.val.Line, "name", "must not be empty")
			}
			p.sc.Name = s
		}
	}
	if e, ok := byKey["aliases"]; ok {
		p.aliases(e.val)
	}
	if e, ok := byKey["description"]; ok && !isNull(e.val) {
		p.sc.Description, _ = p.text(e.val, "description")
	}
	if e, ok := byKey["golden"]; ok {
		p.golden(e.val, opts.GoldenRoot)
	}
	if e, ok := byKey["seed"]; ok {
		if v, ok := p.wholeNumber(e.val, "seed", 1<<62); ok {
			p.sc.Seed = v
		}
	}
	if opts.Seed != nil {
		p.sc.Seed = *opts.Seed
	}
	if e, ok := byKey["duration"]; ok {
		if d, ok := p.duration(e.val, "duration"); ok {
			if d == 0 {
				p.errs.add(e.val.Line, "duration", "must be longer than 0s")
			} else {
				p.sc.Duration, p.durationOK = d, true
			}
		}
	}
	if e, ok := byKey["cluster"]; ok {
		p.cluster(e.val)
	}
	if p.nodesOK {
		p.nodeIndex = make(map[string]int, len(p.sc.Nodes))
		for i, n := range p.sc.Nodes {
			p.nodeIndex[n] = i
		}
	}
	var settings []config.Setting
	for _, section := range config.Sections() {
		if e, ok := byKey[section]; ok {
			settings = append(settings, p.configSection(e)...)
		}
	}
	p.loadConfig(settings, opts)
	p.checkData()
	p.checkTransfer()
	if e, ok := byKey["detectors"]; ok {
		p.detectors(e.val)
	}
	for _, d := range opts.Compare {
		switch {
		case !contains(knownDetectors, d):
			p.errs.addErr(fmt.Errorf("--compare: unknown detector %s (%s)", hint.Quote(d), detectorHint(d)))
		case !contains(p.sc.Detectors, d):
			p.sc.Detectors = append(p.sc.Detectors, d)
		}
	}
	if e, ok := byKey["events"]; ok {
		p.events(e.val)
	}
	if e, ok := byKey["expect"]; ok {
		p.expectations(e.val)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// aliases reads the names a scenario went by before: one name or a list.
func (p *parser) aliases(n *yaml.Node) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for i, it := range items {
		field := "aliases"
		if n.Kind == yaml.SequenceNode {
			field = fmt.Sprintf("aliases[%d]", i)
		}
		if s, ok := p.text(it, field); ok {
			if s == "" {
				p.errs.add(it.Line, field, "must not be empty")
				continue
			}
			p.sc.Aliases = append(p.sc.Aliases, s)
		}
	}
}
