// Package liverun runs a run's model live: a NameNode process and one
// process per DataNode, children of the hbsim binary on 127.0.0.1, driven
// through the simulator's own fault interpreter (package faults) in real
// time. Its faults.Target turns kill into SIGKILL, restart into a new
// process, pause into SIGSTOP and SIGCONT, and network faults into faults
// on the DataNodes' links of a fault-injecting proxy (package faultproxy),
// which carries the run's network all along. The children run the machine
// configurations the simulator would build from the same model (handed
// over in a file, package live's Machines), so a setting, a fault and the
// trace's words mean the same in both runtimes.
//
// What live mode cannot run — the block layer, the client workload, the
// gossip detector, a NameNode RPC service time, namenode_overload,
// clock_drift, and any fault kind it does not know — Check refuses before
// anything starts, naming each part by where it was written.
//
// Time is scaled by Options.Speed: the children's clocks run at that
// scale (0.1 runs a 3-minute scenario in 18s with its own settings), and
// scenario time starts at the NameNode's time zero, so the times its
// reasons quote are the scenario's. Run returns a trace.Trace in scenario
// time, so `hbsim run --live` reports and checks expectations exactly as
// the simulator's runs do; a run cancelled by ctx returns the trace so far.
//
// Every child runs in its own process group and is killed and reaped on
// every way out: the end of the run, an error, or ctx's cancellation
// (Ctrl-C). Pdeathsig backs this up if the parent itself is SIGKILLed.
package liverun
