package sim

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// TestWindowsAroundFaults: a window opens two intervals before each fault
// and closes the dead time and three intervals after it; inside, every
// message between kept endpoints, lost ones marked; a killed node sends
// nothing after its crash. Without Options.Windows nothing is kept.
func TestWindowsAroundFaults(t *testing.T) {
	src := `name: w
seed: 1
duration: 3m
cluster: {datanodes: 3}
heartbeat: {interval: 3s, check_interval: 1s, miss_threshold: 10}
network: {latency: 2ms}
events:
  - {at: 30s, kill: dn2}
  - {at: 90s, partition: dn3, for: 20s}
`
	tr, err := runScn(parse(t, src), Options{Windows: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Windows) != 2 {
		t.Fatalf("%d windows, want 2", len(tr.Windows))
	}
	w := tr.Windows[0]
	if w.Fault != "kill dn2" || w.From != 24*time.Second || w.To != 30*time.Second+31*time.Second+9*time.Second {
		t.Errorf("window %q from %v to %v, want kill dn2 from 24s to 1m10s", w.Fault, w.From, w.To)
	}
	for _, m := range w.Messages {
		if m.Sent < w.From || m.Sent > w.To {
			t.Errorf("message sent at %v outside the window", m.Sent)
		}
		if m.From == "dn2" && m.Sent > 30*time.Second {
			t.Errorf("killed dn2 sent a %s at %v", m.Type, m.Sent)
		}
		if !m.Lost && m.Received-m.Sent != 2*time.Millisecond {
			t.Errorf("%s took %v, want 2ms", m.Type, m.Received-m.Sent)
		}
	}
	lost := 0
	for _, m := range tr.Windows[1].Messages {
		if m.Lost {
			lost++
			if m.From != "dn3" && m.To != "dn3" || m.Sent < 90*time.Second || m.Sent > 110*time.Second {
				t.Errorf("lost %s %s → %s at %v: only dn3's messages during the partition are lost", m.Type, m.From, m.To, m.Sent)
			}
		}
	}
	if lost == 0 {
		t.Error("no message lost during the partition")
	}
	plain, err := runScn(parse(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Windows != nil || plain.Beliefs != nil {
		t.Error("recorded without being asked")
	}
}

// TestWindowCap: a window keeps at most trace.WindowCap messages and
// counts the rest.
func TestWindowCap(t *testing.T) {
	src := `name: busy
seed: 1
duration: 10m
cluster: {datanodes: 12}
heartbeat: {interval: 100ms, check_interval: 100ms, miss_threshold: 10}
events:
  - {at: 1m, pause: dn1, for: 2m}
`
	tr, err := runScn(parse(t, src), Options{Windows: true})
	if err != nil {
		t.Fatal(err)
	}
	w := tr.Windows[0]
	if len(w.Messages) != trace.WindowCap || w.Dropped == 0 {
		t.Errorf("%d messages kept, %d dropped; want %d kept and some dropped", len(w.Messages), w.Dropped, trace.WindowCap)
	}
}

// TestGossipBeliefs: every member's change of mind about a crashed peer
// is recorded, in time order, ending with every live member believing it
// dead.
func TestGossipBeliefs(t *testing.T) {
	src := `name: g
seed: 2
duration: 2m
cluster: {datanodes: 6}
heartbeat: {interval: 1s, detector: gossip, gossip: {fanout: 3, suspicion_timeout: 5s}}
network: {latency: 2ms}
events:
  - {at: 30s, kill: dn4}
`
	tr, err := runScn(parse(t, src), Options{Beliefs: true, Windows: true})
	if err != nil {
		t.Fatal(err)
	}
	dead := map[string]bool{}
	for k, b := range tr.Beliefs {
		if k > 0 && b.At < tr.Beliefs[k-1].At {
			t.Fatalf("beliefs out of order at %d", k)
		}
		if b.Subject == "dn4" && b.To == "dead" {
			dead[b.Observer] = true
		}
	}
	if len(dead) != 5 {
		t.Errorf("%d members believe dn4 dead, want the 5 live ones", len(dead))
	}
	if len(tr.Windows) != 1 || len(tr.Windows[0].Messages) == 0 || tr.Windows[0].Messages[0].Type != "gossip" {
		t.Errorf("gossip window %+v", tr.Windows)
	}
}
