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

// Locate is the prefix of a message about field, whose value came from
// origin: "s.yaml:7: heartbeat.interval", "$HBSIM_HEARTBEAT_INTERVAL:
// heartbeat.interval", or just "--set heartbeat.interval", which already
// names the field.
func Locate(origin, field string) string {
	switch {
	case origin == "":
		return field
	case field == "" || origin == "--set "+field:
		return origin
	}
	return origin + ": " + field
}

// locatedError is a *FieldError with the origin of its value in front.
type locatedError struct {
	origin string
	fe     *FieldError
}

func (e *locatedError) Error() string {
	return Locate(e.origin, e.fe.Field) + ": " + e.fe.Err.Error()
}

func (e *locatedError) Unwrap() error { return e.fe }
