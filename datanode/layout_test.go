package datanode

import (
	"testing"
	"unsafe"
)

// TestHotLayout pins what the simulator's speed rests on: a heartbeat
// reads and writes only the node's first two cache lines (Step and Ready
// a third).
func TestHotLayout(t *testing.T) {
	var d DataNode
	const line = 64
	if got := unsafe.Offsetof(d.st) + unsafe.Sizeof(d.st); got > 2*line {
		t.Errorf("a heartbeat's fields end at byte %d, past the second cache line", got)
	}
	if got := unsafe.Offsetof(d.transfers) + unsafe.Sizeof(d.transfers); got > 3*line {
		t.Errorf("Step and Ready's fields end at byte %d, past the third cache line", got)
	}
}
