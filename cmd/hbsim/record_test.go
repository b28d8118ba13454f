package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/replay"
)

// TestNameNodeRecord: hbsim namenode --record writes registrations and
// heartbeats as they reach the server, and the duration when it stops,
// as a trace replay reads.
func TestNameNodeRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.csv")
	var cfg live.ServerConfig
	rec, err := startRecord(path, "127.0.0.1:8020", &cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		m  proto.Message
		at time.Duration
	}{
		{proto.Message{Type: proto.TypeRegister, Node: "dn1"}, time.Millisecond},
		{proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Seq: 1}, 2 * time.Millisecond},
		{proto.Message{Type: proto.TypeLifeline, Node: "dn1"}, 3 * time.Millisecond},
		{proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Seq: 2}, 3002 * time.Millisecond},
	} {
		cfg.OnArrival(m.m, m.at)
	}
	if err := rec.close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := replay.Parse(path, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Arrivals) != 3 || tr.Arrivals[0].Kind != replay.Register || tr.Arrivals[2].Seq != 2 || tr.Duration != 5*time.Second || !tr.Kinds {
		t.Errorf("trace %+v", tr)
	}
	if _, err := startRecord(filepath.Join(t.TempDir(), "no", "such", "dir.csv"), "x", &cfg); err == nil {
		t.Error("an unwritable --record was accepted")
	}
}
