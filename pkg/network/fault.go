package network

import (
	"fmt"
	"slices"
	"time"
)

// Dir is a direction on a DataNode's link, or both. Up is from the node
// (to the NameNode, or to a peer); Down is to it.
type Dir uint8

// Directions.
const (
	Up Dir = 1 << iota
	Down
	Both = Up | Down
)

func (d Dir) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	case Both:
		return "both"
	}
	return fmt.Sprintf("dir(%d)", uint8(d))
}

// ParseDir reads a partition's direction as scenarios write it: "both"
// (or empty), "to" (messages to the targets are lost: Down) or "from"
// (messages from them are: Up).
func ParseDir(word string) (Dir, error) {
	switch word {
	case "", "both":
		return Both, nil
	case "to":
		return Down, nil
	case "from":
		return Up, nil
	}
	return 0, fmt.Errorf("direction %q: want both, to or from", word)
}

// Word is the scenario's word for d: both, to or from.
func (d Dir) Word() string {
	switch d {
	case Up:
		return "from"
	case Down:
		return "to"
	}
	return "both"
}

// Cut is how a partition treats messages.
type Cut uint8

// Cuts.
const (
	// NoCut forwards messages.
	NoCut Cut = iota
	// Drop loses every message while the partition lasts; a transport's
	// own frames (a TCP handshake) wait until it heals.
	Drop
	// Hold keeps every message until the partition heals, then delivers
	// them in order: a cable pulled and plugged back in before TCP gives
	// up. Only live mode's proxy holds.
	Hold
)

func (c Cut) String() string {
	switch c {
	case NoCut:
		return "none"
	case Drop:
		return "drop"
	case Hold:
		return "hold"
	}
	return fmt.Sprintf("cut(%d)", uint8(c))
}

// Burst is a two-state (good/bad) Markov model of loss (Gilbert–Elliott):
// each message moves the link from good to bad with probability Enter and
// from bad to good with probability Leave; in the bad state a message is
// lost with probability Loss. Enter 0 turns it off.
type Burst struct {
	Enter, Leave, Loss float64
}

// Fault is one impairment of a link, in some directions. The zero Fault
// changes nothing. A scenario's network: section is a Fault on every link;
// slow, loss and partition events are Faults on their targets' links.
type Fault struct {
	// Dir is the directions the fault applies to; 0 means Both.
	Dir Dir
	// Partition cuts the link while the fault lasts.
	Partition Cut
	// Latency is added to every message (drawn per message).
	Latency Latency
	// Jitter widens each delay by a uniform draw in [-Jitter, +Jitter];
	// a delay never goes below zero.
	Jitter time.Duration
	// Loss is the probability that a message is lost.
	Loss float64
	// Burst is bursty loss, on when Burst.Enter > 0.
	Burst Burst
}

// Dirs is the directions f applies to.
func (f Fault) Dirs() Dir {
	if f.Dir == 0 {
		return Both
	}
	return f.Dir
}

// Check reports a fault that makes no sense.
func (f Fault) Check() error {
	switch {
	case f.Dir&^Both != 0:
		return fmt.Errorf("network: invalid direction %v", f.Dir)
	case f.Partition > Hold:
		return fmt.Errorf("network: invalid partition mode %v", f.Partition)
	case !(f.Loss >= 0 && f.Loss <= 1):
		return fmt.Errorf("network: loss %v is not a probability", f.Loss)
	case f.Jitter < 0:
		return fmt.Errorf("network: negative jitter %v", f.Jitter)
	}
	for _, p := range []float64{f.Burst.Enter, f.Burst.Leave, f.Burst.Loss} {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("network: burst probability %v is not a probability", p)
		}
	}
	return nil
}

// Scale multiplies every time in f by k (live runs at --speed k).
func (f Fault) Scale(k float64) Fault {
	f.Latency = f.Latency.Scale(k)
	f.Jitter = time.Duration(float64(f.Jitter) * k)
	return f
}

// Verdict is what happens to one message.
type Verdict struct {
	Lost, Held bool
	Delay      time.Duration
}

// Link is the faults in force on one link, each with its burst chain.
// The zero Link is a link with no fault.
type Link struct {
	faults []Fault
	bad    []bool
}

// Add puts f in force.
func (l *Link) Add(f Fault) {
	l.faults = append(l.faults, f)
	l.bad = append(l.bad, false)
}

// Remove lifts one fault equal to f (the earliest added); it reports
// whether there was one.
func (l *Link) Remove(f Fault) bool {
	k := slices.Index(l.faults, f)
	if k < 0 {
		return false
	}
	l.faults = slices.Delete(l.faults, k, k+1)
	l.bad = slices.Delete(l.bad, k, k+1)
	return true
}

// Len is the number of faults in force.
func (l *Link) Len() int { return len(l.faults) }

// cut reports whether a partition in force drops or holds a message
// going dir. message is false for a transport's own frames, which a Drop
// holds rather than drops.
func (l *Link) cut(dir Dir, message bool) (lost, held bool) {
	for _, f := range l.faults {
		if f.Dirs()&dir == 0 || f.Partition == NoCut {
			continue
		}
		if f.Partition == Drop && message {
			return true, false
		}
		held = true
	}
	return false, held
}

// lose steps the burst chains of the faults going dir and draws their
// losses.
func (l *Link) lose(dir Dir, d *Draws) bool {
	lost := false
	for k, f := range l.faults {
		if f.Dirs()&dir == 0 {
			continue
		}
		if f.Loss > 0 && d.Float64() < f.Loss {
			lost = true
		}
		if f.Burst.Enter > 0 && step(&l.bad[k], f.Burst, d) {
			lost = true
		}
	}
	return lost
}

// delay draws the latency the faults going dir add.
func (l *Link) delay(dir Dir, d *Draws) time.Duration {
	var t time.Duration
	for _, f := range l.faults {
		if f.Dirs()&dir != 0 {
			t += f.delay(d)
		}
	}
	return t
}

func (f *Fault) delay(d *Draws) time.Duration {
	t := f.Latency.Sample(d)
	if j := f.Jitter; j > 0 {
		t += time.Duration(d.Int64N(2*int64(j)+1)) - j
	}
	return t
}

// step moves a Gilbert–Elliott chain one message on and draws the loss.
func step(bad *bool, b Burst, d *Draws) bool {
	if *bad {
		if d.Float64() < b.Leave {
			*bad = false
		}
	} else if d.Float64() < b.Enter {
		*bad = true
	}
	return *bad && d.Float64() < b.Loss
}

// Judge decides the fate of one message going dir on the link: the live
// proxy's whole network. message is false for a transport's own frames,
// which loss never drops and a partition holds.
func (l *Link) Judge(dir Dir, message bool, d *Draws) Verdict {
	lost, held := l.cut(dir, message)
	switch {
	case lost:
		return Verdict{Lost: true}
	case held:
		return Verdict{Held: true}
	}
	if message && l.lose(dir, d) {
		return Verdict{Lost: true}
	}
	return Verdict{Delay: max(l.delay(dir, d), 0)}
}
