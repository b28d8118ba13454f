// Package network is hbsim's one model of what a network does to a
// message: delay it (a latency distribution plus jitter), lose it (uniform
// loss, Gilbert–Elliott bursts) or cut it (partitions of a node, or between
// two groups of nodes), with faults that stack and heal.
//
// Two runtimes use it: the simulator asks Net for each message's fate, and
// live mode's fault proxy asks Link for each frame's. Both sample delays
// with Latency.Sample and judge impairments with the same rules, so a
// scenario's network: section and its slow, loss and partition events mean
// the same thing in both.
//
// Every random number comes from Draws, keyed by (seed, link, message
// number) through package rng: a message's fate does not depend on what
// other messages were sent before it, so the simulator may process events
// in any order that respects time and still get the same run.
package network
