package datanode

import (
	"testing"
	"unsafe"
)

// TestHotLayout pins what the simulator's speed and size rest on: a
// node fits one cache line, so a heartbeat reads and writes one line
// (and the profile its kind of node shares), and a million nodes take
// 64 MB.
func TestHotLayout(t *testing.T) {
	var d DataNode
	if got := unsafe.Sizeof(d); got > 64 {
		t.Errorf("a DataNode is %d bytes, more than a 64-byte cache line", got)
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
	if a.x != nil || len(b.Blocks()) != 2 {
		t.Errorf("disks: a %v (want none), b holds %v (want 2 replicas)", a.x, b.Blocks())
	}
}

// TestTrimKeepsState checks that Trim drops a node's extra only when it
// holds nothing a later step reads: a node whose replicas were all
// invalidated still knows which volume the next replica goes to.
func TestTrimKeepsState(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ID, cfg.Volumes, cfg.Blocks = "a", 2, []int32{7}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.Trim()
	if d.x == nil {
		t.Fatal("Trim dropped a node's replicas")
	}
	d.invalidate(7)
	d.Trim()
	if d.x == nil || d.x.nextVol != 1 {
		t.Fatal("Trim dropped the volume the next replica goes to")
	}
	cfg.Blocks = nil
	if d, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	d.Start(0)
	d.Advance()
	d.Trim()
	if d.x != nil {
		t.Error("Trim kept an empty extra")
	}
}
