// Package liverun runs a scenario live: a NameNode process and one process
// per DataNode, children of the hbsim binary on 127.0.0.1, with the
// scenario's faults applied to them in real time (kill → SIGKILL, restart →
// a new process, pause → SIGSTOP then SIGCONT). Each DataNode reaches the
// NameNode through its own link of a fault-injecting proxy (package
// faultproxy), which carries the scenario's network: section and runs its
// partition, slow and loss events. namenode_overload and clock_drift have
// no live counterpart and are refused by Check with their file:line. It
// returns a trace.Trace in scenario time, so `hbsim run --live` reports and
// checks expectations exactly as the simulator's runs do.
//
// Time is scaled by Options.Speed: every scenario time and every heartbeat
// setting is multiplied by it (0.1 runs a 3-minute scenario in 18s), and
// times are divided by it again on the way back into the trace.
//
// Every child runs in its own process group and is killed and reaped on
// every way out: the end of the run, an error, or ctx's cancellation
// (Ctrl-C). Pdeathsig backs this up if the parent itself is SIGKILLed.
package liverun
