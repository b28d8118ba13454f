package scenario

import (
	"fmt"
	"path/filepath"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/setup"
)

// Model is the scenario as a runtime-neutral run: plain data the
// simulator and live mode take, with nothing of YAML or settings layers
// left. Machine configurations come from pkg/setup, as live mode's
// daemons build theirs; each fault's Source is "file.yaml:line", for
// explanations.
func (s *Scenario) Model() (*model.Run, error) {
	c := s.Config
	m := &model.Run{
		Name: s.Name, Description: s.Description, Source: s.Path,
		Seed: s.Seed, Duration: s.Duration,
		Network: network.Fault{Latency: c.Network.Latency, Jitter: c.Network.Jitter,
			Loss: c.Network.Loss, Burst: c.Network.Burst},
		RPC: model.RPC{Handlers: c.NameNode.Handlers, ServiceTime: c.NameNode.ServiceTime,
			LifelineHandlers: c.NameNode.LifelineHandlers},
		Workload: model.Workload{ReadsPerSec: c.Workload.ReadsPerSec, WritesPerSec: c.Workload.WritesPerSec,
			Distribution: c.Workload.Distribution, ZipfS: c.Workload.ZipfS},
		Client:  setup.Client(c),
		Expect:  s.ExpectData,
		Origins: map[string]string{},
	}
	for k, o := range s.Origins {
		if o != config.DefaultOrigin { // only what this run chose
			m.Origins[k] = o
		}
	}
	if line, ok := s.Lines["detectors"]; ok {
		m.Origins["detectors"] = fmt.Sprintf("%s:%d", s.Path, line)
	}
	rack := map[string]string{}
	for _, r := range s.Racks {
		for _, id := range r.Nodes {
			rack[id] = r.Name
		}
	}
	for _, id := range s.Nodes {
		m.Nodes = append(m.Nodes, model.Node{ID: id, Rack: rack[id], Capacity: s.Capacity, Bandwidth: s.Bandwidth,
			Volumes: s.Volumes})
	}
	acting := c.Heartbeat.Detector
	if acting == "" {
		acting = "missed-count" // a Scenario built in Go with no detector set
	}
	m.Detectors = append([]string{acting}, s.Watching()...)
	// The NameNode's settings, whichever detectors it runs (none when
	// gossip runs alone); its detectors are the central ones of the list.
	cc := c
	cc.Heartbeat.Detector = "missed-count"
	nc, err := setup.NameNode(cc, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	nc.Detectors = nc.Detectors[:0]
	for _, name := range m.Detectors {
		if name == "gossip" {
			continue
		}
		d, err := setup.Detector(name, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		nc.Detectors = append(nc.Detectors, d)
	}
	nc.Blocks.Enable = nc.Blocks.Blocks > 0 || c.Workload.WritesPerSec > 0
	m.NameNode = nc
	m.DataNode = setup.DataNode(c, "")
	m.Gossip = setup.Gossip(c, "", nil)
	index := m.Index()
	handles := func(ids []string) []int32 {
		if ids == nil {
			return nil
		}
		out := make([]int32, len(ids))
		for k, id := range ids {
			out[k] = index[id]
		}
		return out
	}
	base := filepath.Base(s.Path)
	for _, ev := range s.Events {
		f := model.Fault{At: ev.At, For: ev.For, Kind: faultKind(ev.Action), Nodes: handles(ev.Nodes),
			NameNodeSide: uint8(ev.NameNode), Latency: ev.Latency, P: ev.P,
			Handlers: ev.Handlers, ServiceTime: ev.ServiceTime, Load: ev.Load, Ratio: ev.Ratio, Volumes: ev.Volumes,
			Source: fmt.Sprintf("%s:%d", base, ev.Line)}
		f.Dir, _ = network.ParseDir(ev.Direction) // checked when parsed
		if ev.Groups[0] != nil {
			f.Groups = [2][]int32{handles(ev.Groups[0]), handles(ev.Groups[1])}
			f.Nodes = nil
		}
		if ev.PauseNameNode {
			f.Kind, f.Nodes = model.PauseNameNode, nil
		}
		m.Faults = append(m.Faults, f)
	}
	return m, nil
}

func faultKind(a Action) model.Kind {
	switch a {
	case Kill:
		return model.Kill
	case Restart:
		return model.Restart
	case Pause:
		return model.Pause
	case Partition:
		return model.Partition
	case Slow:
		return model.Slow
	case Loss:
		return model.Loss
	case Overload:
		return model.Overload
	case Drift:
		return model.Drift
	case Decommission:
		return model.Decommission
	case Maintenance:
		return model.Maintenance
	case Recommission:
		return model.Recommission
	case VolumeFailure:
		return model.VolumeFailure
	}
	return 0
}

// MustModel is Model for tests and tools whose scenario is known good.
func (s *Scenario) MustModel() *model.Run {
	m, err := s.Model()
	if err != nil {
		panic(err)
	}
	return m
}
