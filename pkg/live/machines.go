package live

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
)

// Machines is what the children of a live run (hbsim run --live) run: the
// NameNode's configuration and every DataNode's, built from the run's model
// exactly as the simulator builds its machines, so a setting means the same
// thing in both runtimes. The run writes it to a file and starts each child
// with --machines FILE instead of settings layers.
type Machines struct {
	NameNode  namenode.Config   `json:"namenode"`
	DataNodes []datanode.Config `json:"datanodes"`
}

// DataNode is the configuration of the DataNode with this id.
func (m *Machines) DataNode(id string) (datanode.Config, error) {
	for _, c := range m.DataNodes {
		if c.ID == id {
			return c, nil
		}
	}
	return datanode.Config{}, fmt.Errorf("no datanode %q in the machines file", id)
}

// WriteMachines writes m to path, readable by its owner only (the run's
// settings are nobody else's business).
func WriteMachines(path string, m Machines) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("machines: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("machines: %w", err)
	}
	return nil
}

// LoadMachines reads a file written by WriteMachines; unknown fields are
// an error (a child older than its parent).
func LoadMachines(path string) (Machines, error) {
	var m Machines
	f, err := os.Open(path)
	if err != nil {
		return m, fmt.Errorf("--machines: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("--machines %s: %w", path, err)
	}
	return m, nil
}
