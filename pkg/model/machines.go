package model

import (
	"math/rand/v2"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/rng"
)

// The machines of a run, built the same way for every runtime: a setting
// means the same thing in the simulator and in live mode.

// NameNodeConfig is the NameNode's configuration with the run's seed,
// racks and number of DataNodes. ok is false when the run has no central
// detector (gossip alone): then there is no NameNode.
func (r *Run) NameNodeConfig() (cfg namenode.Config, ok bool) {
	cfg = r.NameNode
	if len(cfg.Detectors) == 0 {
		return cfg, false
	}
	cfg.Seed = uint64(r.Seed)
	cfg.DataNodes = len(r.Nodes)
	if cfg.Blocks.Enable {
		cfg.Blocks.Racks = r.Racks()
	}
	return cfg, true
}

// Racks maps node ids to their racks; nil when the run names none.
func (r *Run) Racks() map[string]string {
	var m map[string]string
	for _, n := range r.Nodes {
		if n.Rack != "" {
			if m == nil {
				m = make(map[string]string, len(r.Nodes))
			}
			m[n.ID] = n.Rack
		}
	}
	return m
}

// DataNodeConfig is node i's configuration, without its initial blocks.
func (r *Run) DataNodeConfig(i int) datanode.Config {
	c := r.DataNode
	c.ID = r.Nodes[i].ID
	if v := r.Nodes[i].Volumes; v > 0 {
		c.Volumes = v
	}
	if r.NameNode.Blocks.Enable {
		c.BlockReports = true
		c.Capacity = r.Nodes[i].Capacity
	}
	return c
}

// GossipConfig is member i's configuration; peers is every member's id
// (shared, not copied). Each member draws from its own stream.
func (r *Run) GossipConfig(i int, peers []string) gossip.Config {
	c := r.Gossip
	c.ID = r.Nodes[i].ID
	c.Peers = peers
	c.Rand = rand.New(rng.NewSource(uint64(r.Seed), rng.Gossip, uint64(i)))
	return c
}
