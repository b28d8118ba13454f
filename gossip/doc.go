// Package gossip is one member of a decentralized heartbeat failure
// detector, as a pure state machine: no central monitor; every member
// heartbeats a few random peers each interval and gossips the suspicions
// and deaths it knows.
//
// The design is gossip-style failure detection (van Renesse, Minsky and
// Hayden, "A Gossip-Style Failure Detection Service", 1998) with SWIM's
// suspicion and refutation (Das, Gupta and Motivala, 2002; hashicorp's
// memberlist). Each member keeps, for every member of a fixed group, the
// freshest heartbeat version it has seen, the local time that version last
// rose, and a status: alive, suspect or dead. A version is the pair
// (incarnation, counter), compared in that order; a member increments its
// counter once a round and takes a new, higher incarnation each time it is
// started, so peers accept its counter starting again from 1.
//
// Every Interval a member increments its counter and sends its digest, one
// entry (version and status) per member it knows, itself included, to
// Fanout peers picked at random among those it does not believe dead. A
// receiver merges entry by entry, and only ever moves forward:
//
//   - a fresher version is taken, restarts the suspicion clock, and makes a
//     suspect or dead peer alive again (a refutation, or a restart);
//   - a Dead entry whose version is not older than ours is adopted at once,
//     so deaths spread in a few rounds;
//   - a Suspect entry whose version is not older than ours starts a
//     suspicion here, timed on this member's own clock;
//   - anything older than what we know is ignored, and our next digest,
//     carrying the fresher version, corrects the sender.
//
// A peer whose version has not risen for SuspectAfter becomes suspect; a
// peer suspect for SuspicionTimeout becomes dead. A live member needs to do
// nothing to refute a suspicion: its counter, gossiped every round, does.
// Entries about a member itself are ignored. Dead peers get no fanout, but
// every ReconnectInterval a member that believes some peers dead sends one
// digest to one of them, so the two sides of a healed partition find each
// other again. A member whose own round comes late by more than an
// interval (a long pause) does not hold the lost time against its peers.
//
// # Timing
//
// Call H the time a counter increment takes to reach every live member by
// gossip: about SpreadRounds(Fanout, N) rounds, each up to one Interval of
// waiting for the holder's next round plus the network latency. For a
// crash at t whose last heartbeat went out at t_last ∈ (t − Interval, t],
// every live member saw its last version rise at some time in [t_last,
// t_last + H], so it suspects the crashed member by then + SuspectAfter and
// declares it dead by then + SuspectAfter + SuspicionTimeout, on its own
// clock, even before hearing anyone else's verdict:
//
//	first member knows: ≥ t − Interval + SuspectAfter + SuspicionTimeout
//	every live member knows: ≤ t + SuspectAfter + SuspicionTimeout + H
//
// The default SuspectAfter (DefaultSuspectAfter: twice SpreadRounds
// intervals) is sized so that H, and the gap between two increases seen by
// one member, stay well below it; so convergence ≤ 2·SuspectAfter +
// SuspicionTimeout, 34s for 100 members with fanout 3, a 1s interval and a
// 10s suspicion timeout. Measured by the in-package driver (constant 5ms
// latency; TestCrashConvergence run with 30 seeds, 300 crashes among 100
// members): the first member knew 21.0–22.0s
// after the crash, all live members 22.0–23.9s after, with H at most 4.9s;
// the largest gap between counter increases seen was 5.8s against
// SuspectAfter 12s, and no live member was ever suspected, even with 20%
// loss.
//
// Cost: Fanout messages per member per Interval (one a second with the
// default fanout 3 and 3s interval),
// plus one per ReconnectInterval while some peer is believed dead. A
// digest holds at most one entry per member, so a message is O(N), as in
// van Renesse's design; every message of a round shares one digest, the
// round's only allocation.
//
// # Driving it
//
// The member starts no goroutine, reads no clock and does no I/O; every
// random choice comes from Config.Rand. A runtime (the simulator, or live
// mode) drives it:
//
//	m, err := gossip.New(cfg)
//	m.Start(now, incarnation)    // boot: gossip at once
//	m.Step(now, from, msg)       // a digest arrived from peer from
//	m.Tick(now)                  // the wake-up time asked for has come
//	rd := m.Ready()              // messages, changes of belief, next wake-up
//	... send rd.Messages, record rd.Changes, arm a timer for rd.Wake ...
//	m.Advance()                  // all of it was taken
//	m.Stop()                     // crash
//
// Time is a time.Duration since an arbitrary origin; only differences
// matter, and each member measures only its own: a runtime that gives a
// member a skewed clock simulates clock drift. Changes say, in words, why
// a member changed its mind ("no heartbeat counter increase from dn7 for
// 12s (suspect after 12s)", "suspected for 10s (suspicion timeout 10s)",
// "dn4 reported dn7 dead"); a runtime reports convergence from them.
package gossip
