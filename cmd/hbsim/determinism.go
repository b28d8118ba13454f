package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

// determinismFlags is run's --check-determinism.
type determinismFlags struct{ on bool }

func (d *determinismFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&d.on, "check-determinism", false, "run twice and exit 1 if the two reports or traces differ in any byte, naming the first differing field")
}

// refuse rejects what cannot be checked, before anything runs.
func (d determinismFlags) refuse(l liveFlags) error {
	if d.on && l.on {
		return usageErr(errors.New("--check-determinism needs the simulator: a live run depends on real time; drop --live"))
	}
	return nil
}

// check loads and runs the scenario a second time, from the file, and
// compares the JSON report, then the trace, with the first run's. Either
// differing in a byte is an error (exit 1) that names the first field
// that differs.
func (d determinismFlags) check(a *app, path string, opts scenario.Options, o sim.Options, first *runner.Result) error {
	if !d.on {
		return nil
	}
	s, err := scenario.Load(path, opts)
	if err != nil {
		return usageErr(fmt.Errorf("second run: %w", err))
	}
	// The first run passed the cost check, or was forced: no second check.
	second, err := runner.Run(context.Background(), s, runner.Options{Sim: o, Force: true})
	if err != nil {
		return usageErr(fmt.Errorf("%s: second run: simulate: %w", path, err))
	}
	for _, part := range []struct {
		what string
		a, b any
	}{{"report", first.Report, second.Report}, {"trace", first.Trace, second.Trace}} {
		x, err := jsonBytes(part.a)
		if err != nil {
			return err
		}
		y, err := jsonBytes(part.b)
		if err != nil {
			return err
		}
		if bytes.Equal(x, y) {
			continue
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%s: not deterministic: the second run's %s %s",
			path, part.what, firstDifference(x, y))}
	}
	a.log.Info("deterministic: two runs gave the same report and trace", "file", path)
	return nil
}

func jsonBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("check determinism: %w", err)
	}
	return buf.Bytes(), nil
}

// firstDifference says where two JSON documents part: the first field
// whose value differs, else (same values, other bytes) the first byte.
func firstDifference(x, y []byte) string {
	if changes, err := golden.Diff(x, y); err == nil && len(changes) > 0 {
		more := ""
		if len(changes) > 1 {
			more = fmt.Sprintf(" (and %s more)", count(len(changes)-1, "difference"))
		}
		return fmt.Sprintf("differs first at %s%s", changes[0], more)
	}
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	return fmt.Sprintf("has the same values but differs at byte offset %d (line %d)", i, bytes.Count(x[:i], []byte("\n"))+1)
}

// joinExit joins errors that may carry exit codes into one whose code is
// the highest (bad input over a failed check) and whose message has all.
func joinExit(errs ...error) error {
	code, found := exitOK, []error{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ee *exitError
		if errors.As(err, &ee) {
			code = max(code, ee.code)
			err = ee.err
		} else {
			code = max(code, exitBadInput)
		}
		found = append(found, err)
	}
	if len(found) == 0 {
		return nil
	}
	return &exitError{code: code, err: errors.Join(found...)}
}
