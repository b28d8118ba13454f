// Package tune turns quality-of-service targets into failure-detector
// settings, following Chen, Toueg and Aguilera, "On the Quality of Service
// of Failure Detectors" (IEEE Trans. Computers 51(5), 2002; CTA below).
//
// The targets are CTA's: an upper bound on the detection time T_D, a lower
// bound on the mean mistake recurrence time E(T_MR) and an upper bound on
// the mean mistake duration E(T_M). nfds.go holds CTA's own detector
// (NFD-S) with its analysis and its configuration procedure, as the paper
// gives them. link.go describes hbsim's network (pkg/sim's loss and delay
// model) as heartbeats see it; predict.go analyses hbsim's central
// detectors, which all suspect a node silent for a timeout since its last
// heartbeat and find out at periodic scans; recommend.go runs CTA's
// procedure for each of them: the longest heartbeat interval (the fewest
// heartbeats per second) whose timeout meets every target.
//
// Everything here is arithmetic: no clock, no I/O, no random draws. The
// numbers it predicts are checked by simulation in package tune/verify.
package tune
