package suite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/shard"
)

// Kind names a suite's shard files.
const Kind = "test"

// plan is what every shard of one suite shares: the scenarios selected,
// each with the digest of its bytes and of its settings (so a shard run
// with other HBSIM_* variables or another checkout is caught), and the
// overrides.
type plan struct {
	Scenarios []planScenario `json:"scenarios"`
	Sets      []string       `json:"sets"`
	Run       string         `json:"run"`
}

type planScenario struct {
	Path     string `json:"path"`
	Seed     int64  `json:"seed"`
	SHA256   string `json:"sha256"`
	Settings string `json:"settings_sha256,omitempty"`
}

func (st *Suite) plan() (plan, error) {
	p := plan{Sets: st.opts.Scenario.Sets}
	if st.opts.Filter != nil {
		p.Run = st.opts.Filter.String()
	}
	for _, l := range st.selected {
		data, err := os.ReadFile(l.path)
		if err != nil {
			return plan{}, err
		}
		ps := planScenario{Path: l.path, SHA256: digest(data)}
		if l.sc != nil {
			ps.Seed = l.sc.Seed
			settings, err := json.Marshal(l.sc.Effective)
			if err != nil {
				return plan{}, err
			}
			ps.Settings = digest(settings)
		}
		p.Scenarios = append(p.Scenarios, ps)
	}
	return p, nil
}

// key is the scenario's shard key, as loaded.key computes it.
func (ps planScenario) key() string { return shard.Key(ps.Path, "", ps.Seed) }

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// resultLine is one scenario's result in a shard file: everything the
// suite's files show, nothing that depends on the machine (no wall-clock
// time).
type resultLine struct {
	Path     string          `json:"path"`
	Name     string          `json:"name"`
	Status   Status          `json:"status"`
	Failures []string        `json:"failures,omitempty"`
	Golden   []golden.Change `json:"golden,omitempty"`
	Error    string          `json:"error,omitempty"`
	Repro    *report.Repro   `json:"repro,omitempty"`
}

// WriteShard writes the results of shard s into dir: the shard file for
// hbsim merge and the shard's own JUnit XML (shard-0002-of-0003.xml, for
// CI that reads each shard). It returns the paths written.
func (st *Suite) WriteShard(dir string, s shard.Spec, results []Result) ([]string, error) {
	p, err := st.plan()
	if err != nil {
		return nil, err
	}
	lines := make([]resultLine, len(results))
	for i, r := range results {
		lines[i] = resultLine{Path: r.Path, Name: r.Name, Status: r.Status, Failures: r.Failures, Golden: r.Golden, Repro: r.Repro}
		if r.Err != nil {
			lines[i].Error = r.Err.Error()
		}
	}
	file, err := shard.Write(dir, s, Kind, p, lines)
	if err != nil {
		return nil, err
	}
	x, err := junit(results, false)
	if err != nil {
		return nil, err
	}
	xmlFile := filepath.Join(dir, shard.Base(s)+".xml")
	if err := atomicfile.WriteFile(xmlFile, x, 0o644); err != nil {
		return nil, err
	}
	return []string{file, xmlFile}, nil
}

// Merge gathers the shards of one suite, as shard.Collect returns them,
// into the results of the unsharded suite, in its order. Every scenario
// must come from the shard that owns it, exactly once.
func Merge(files []*shard.File) ([]Result, error) {
	var p plan
	if err := json.Unmarshal(files[0].Plan, &p); err != nil {
		return nil, fmt.Errorf("%s:1: suite plan: %w", files[0].Path, err)
	}
	index := map[string]int{}
	for i, s := range p.Scenarios {
		index[s.Path] = i
	}
	results := make([]Result, len(p.Scenarios))
	from := make([]string, len(p.Scenarios))
	for _, f := range files {
		for i, raw := range f.Results {
			at := fmt.Sprintf("%s:%d", f.Path, f.Lines[i])
			var l resultLine
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			k, ok := index[l.Path]
			switch {
			case !ok:
				return nil, fmt.Errorf("%s: %s is not one of the suite's scenarios", at, l.Path)
			case shard.Owner(p.Scenarios[k].key(), f.Of) != f.Shard:
				return nil, fmt.Errorf("%s: %s belongs to shard %d/%d, not %d/%d", at, l.Path, shard.Owner(p.Scenarios[k].key(), f.Of), f.Of, f.Shard, f.Of)
			case from[k] != "":
				return nil, fmt.Errorf("%s: %s again (first at %s)", at, l.Path, from[k])
			case l.Status != Pass && l.Status != Fail && l.Status != Error:
				return nil, fmt.Errorf("%s: unknown status %q", at, l.Status)
			}
			from[k] = at
			r := Result{Path: l.Path, Name: l.Name, Status: l.Status, Failures: l.Failures, Golden: l.Golden, Repro: l.Repro}
			if l.Error != "" {
				r.Err = errors.New(l.Error)
			}
			results[k] = r
		}
	}
	for k, at := range from {
		if at == "" {
			owner := shard.Owner(p.Scenarios[k].key(), files[0].Of)
			return nil, fmt.Errorf("%s is missing: shard %d/%d (%s) does not have it; run that shard again",
				p.Scenarios[k].Path, owner, files[0].Of, files[owner-1].Path)
		}
	}
	return results, nil
}
