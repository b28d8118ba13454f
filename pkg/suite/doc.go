// Package suite runs a folder of scenarios as a regression suite, the engine
// of `hbsim test`: it finds the scenario files, runs them in parallel on a
// worker pool, judges each by its expectations and its golden report, and
// writes the results as a table for people and as JUnit XML for CI.
//
// Results come back in path order whatever the order the workers finished
// in, so the output of two runs differs only in wall-clock durations.
package suite
