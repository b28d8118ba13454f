package expect

import "fmt"

// FieldError says which field of an expectation is wrong and why. Field is
// the key as written ("within", "never_dead[1]"), so the scenario parser can
// find its line and prefix "file:line: expect[i].".
type FieldError struct {
	Field string
	Err   error
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
