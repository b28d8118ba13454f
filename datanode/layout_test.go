package datanode

import (
	"testing"
	"unsafe"
)

// TestHotLayout pins what the simulator's speed and size rest on: a
// heartbeat reads and writes only the node's first cache line (and the
// profile its kind of node shares), and the whole node fits in two, a
// million of them in 128 MB.
func TestHotLayout(t *testing.T) {
	var d DataNode
	const line = 64
	if got := unsafe.Offsetof(d.p) + unsafe.Sizeof(d.p); got > line {
		t.Errorf("a heartbeat's fields end at byte %d, past the first cache line", got)
	}
	if got := unsafe.Sizeof(d); got > 2*line {
		t.Errorf("a DataNode is %d bytes, more than two cache lines", got)
	}
}

// TestProfilesShare checks that nodes configured alike share one profile
// and nodes configured otherwise do not.
func TestProfilesShare(t *testing.T) {
	var ps Profiles
	var a, b, c DataNode
	cfg := DefaultConfig()
	cfg.ID = "a"
	if err := ps.Init(&a, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.Blocks = "b", []int32{3, 1}
	if err := ps.Init(&b, cfg); err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.HeartbeatInterval = "c", 5*cfg.HeartbeatInterval
	if err := ps.Init(&c, cfg); err != nil {
		t.Fatal(err)
	}
	if a.p != b.p {
		t.Error("two nodes configured alike (but for ID and Blocks) do not share a profile")
	}
	if a.p == c.p || c.Interval() != 5*a.Interval() {
		t.Error("a node with another interval shares the first nodes' profile")
	}
	if a.disk != nil || len(b.Blocks()) != 2 {
		t.Errorf("disks: a %v (want none), b holds %v (want 2 replicas)", a.disk, b.Blocks())
	}
}
