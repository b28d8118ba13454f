package faultproxy

import "github.com/hbsim/hbsim/pkg/network"

// The proxy's faults are package network's: the same model the simulator
// runs, applied to frames.
type (
	// Dir is a direction on a link, or both.
	Dir = network.Dir
	// Mode is how a partition treats frames.
	Mode = network.Cut
	// Fault is one impairment of a link. The zero Fault changes nothing.
	Fault = network.Fault
)

// Directions: Up is DataNode → NameNode (registrations, heartbeats,
// lifelines), Down is NameNode → DataNode (replies and commands).
const (
	Up   = network.Up
	Down = network.Down
	Both = network.Both
)

// Partition modes: Drop loses every message frame while the partition
// lasts (the simulator's partition) and holds handshake frames until it
// heals; Hold keeps every frame until it heals.
const (
	NoPartition = network.NoCut
	Drop        = network.Drop
	Hold        = network.Hold
)
