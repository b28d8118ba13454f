package config

import "fmt"

// FieldError says which setting is wrong and why. The loader prefixes it
// with the origin of the value (file:line, flag or variable), so Err should
// read well after "heartbeat.miss_threshold: ".
type FieldError struct {
	Field string // dotted key, e.g. "heartbeat.miss_threshold"
	Err   error
	// Via lists the other settings a derived value comes from (interval
	// for miss_threshold × interval): the loader names whichever of them
	// the user set, rather than a default they never wrote.
	Via []string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErrorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
