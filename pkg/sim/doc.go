// Package sim is hbsim's deterministic discrete-event simulator: it drives
// the NameNode and DataNode state machines of packages namenode and datanode
// on a virtual clock, through a seeded network model, and injects the
// scenario's faults.
//
// Determinism is the point. Time is an integer (time.Duration since the
// start); events fire in (time, sequence) order, so ties break the same way
// every run; every random draw comes from one source seeded by the
// scenario; the wall clock is never read. The same scenario with the same
// seed gives the same trace, byte for byte.
//
//	tr, err := sim.Run(scn)
package sim
