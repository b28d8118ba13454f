// Command hbsim runs, checks and describes heartbeat failure-detection
// scenarios: it loads a scenario file, simulates the cluster on a virtual
// clock, and reports when the NameNode noticed each crash and whether the
// scenario's expectations held.
//
// Exit codes: 0 every expectation held, 1 an expectation failed, 2 bad input
// or usage (unknown flag, bad --format, missing or invalid scenario file),
// 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM; an interrupted run
// still prints the report of what happened so far.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// version is the release this binary was built from; release builds set it
// with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Exit codes, a contract with scripts and CI.
const (
	exitOK       = 0
	exitFailed   = 1 // the run finished but an expectation did not hold, or an invariant was violated
	exitBadInput = 2 // usage error, unreadable or invalid scenario
	// exitInterrupted (130) and exitTerminated (143) are in signals.go.
)

func main() {
	os.Exit(runEnv(os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv, os.Environ))
}

// exitError carries the process exit code up to run, so commands return
// errors like any Go code and only main calls os.Exit.
type exitError struct {
	code int
	err  error // nil when the output already said everything
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad input or usage (exit 2).
func usageErr(err error) error { return &exitError{code: exitBadInput, err: err} }

// run is the whole command line program with its inputs made explicit, so
// tests can drive it in-process: args without the program name, the output
// streams, and where environment variables come from.
func run(args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	return runEnv(args, stdout, stderr, env, nil)
}

// runEnv is run with a listing of the environment too (os.Environ), so
// that a misspelt HBSIM_* variable draws a warning; nil lists nothing.
func runEnv(args []string, stdout, stderr io.Writer, env func(string) (string, bool), environ func() []string) int {
	return runApp(&app{stdout: stdout, stderr: stderr, env: env, environ: environ}, args)
}

// runApp runs the command line with a prepared app: tests give it their
// own signals.
func runApp(a *app, args []string) int {
	stderr := a.stderr
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.Execute()
	if perr := a.stopProfile(); perr != nil && err == nil {
		err = perr
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		// Everything cobra itself rejects (unknown command, wrong
		// number of arguments) is a usage error.
		ee = &exitError{code: exitBadInput, err: err}
	}
	if ee.err != nil {
		fmt.Fprintf(stderr, "hbsim: %v\n", ee.err)
	}
	return ee.code
}
