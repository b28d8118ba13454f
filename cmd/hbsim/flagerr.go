package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/hint"
)

// flagError turns pflag's errors into one short line a person can act on:
// "--seed: want a whole number, got "x"" rather than a raw strconv error,
// and an unknown flag with the one probably meant.
func flagError(cmd *cobra.Command, err error) error {
	var inv *pflag.InvalidValueError
	var missing *pflag.ValueRequiredError
	var unknown *pflag.NotExistError
	switch {
	case errors.As(err, &inv):
		f := inv.GetFlag()
		want := flagWants[f.Value.Type()]
		if want == "" {
			want = "a valid value"
		}
		got := hint.Quote(inv.GetValue())
		if errors.Is(err, strconv.ErrRange) {
			got += ", out of range"
		}
		return usageErr(fmt.Errorf("--%s: want %s, got %s (see hbsim %s --help)", f.Name, want, got, cmd.Name()))
	case errors.As(err, &missing):
		return usageErr(fmt.Errorf("--%s needs a value (see hbsim %s --help)", missing.GetSpecifiedName(), cmd.Name()))
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		name := unknown.GetSpecifiedName()
		msg := fmt.Sprintf("unknown flag --%s", hint.Clip(name))
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if c := hint.Closest(name, names); len(c) > 0 {
			for i := range c {
				c[i] = "--" + c[i]
			}
			msg += "; did you mean " + hint.Or(c) + "?"
		} else {
			msg += fmt.Sprintf(" (hbsim %s --help lists them)", cmd.Name())
		}
		return usageErr(errors.New(msg))
	}
	return usageErr(err)
}

// flagWants says what a flag of each pflag type takes.
var flagWants = map[string]string{
	"int": "a whole number", "int64": "a whole number", "int32": "a whole number",
	"uint": "a whole number ≥ 0", "uint64": "a whole number ≥ 0",
	"float64": "a number", "float32": "a number",
	"bool":     "true or false",
	"duration": "a duration such as 30s or 2m",
}
