package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// convert turns a raw value into the Go type of kind. Raw values come from
// YAML (string, int, float64, bool, nil, ...) or from the environment and
// --set (always strings), so every kind accepts its text form too.
func convert(kind Kind, raw any) (any, error) {
	switch kind {
	case KindDuration:
		return toDuration(raw)
	case KindInt:
		return toInt(raw)
	case KindFloat:
		return toFloat(raw)
	case KindBool:
		return toBool(raw)
	case KindString:
		if s, ok := raw.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("must be a string, got %s", describe(raw))
	case KindLatency:
		return toLatency(raw)
	case KindSize:
		return toSize(raw)
	}
	return nil, fmt.Errorf("unsupported kind %q", kind)
}

func toDuration(raw any) (time.Duration, error) {
	switch v := raw.(type) {
	case string:
		return parseDuration(v)
	case int, int64, uint64:
		// A bare 0 is unambiguous; any other bare number lacks its unit and
		// guessing one (seconds? HDFS's milliseconds?) would hide mistakes.
		if fmt.Sprint(v) == "0" {
			return 0, nil
		}
		return 0, fmt.Errorf("must be a duration with a unit, such as 3s or 500ms, got %v", v)
	}
	return 0, fmt.Errorf("must be a duration such as 3s or 500ms, got %s", describe(raw))
}

// parseDuration reads Go's duration syntax, refusing what time.Duration
// cannot hold or what exceeds vtime.Max, with a message that says which.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		if tooLong.MatchString(strings.TrimSpace(s)) {
			return 0, fmt.Errorf("%s is too long: at most %s", hint.Quote(s), vtime.MaxText)
		}
		return 0, fmt.Errorf("must be a duration with a unit, such as 3s or 500ms, got %s", hint.Quote(s))
	}
	if d > vtime.Max || d < -vtime.Max {
		return 0, fmt.Errorf("%s is too long: at most %s", hint.Quote(s), vtime.MaxText)
	}
	return d, nil
}

// tooLong matches what time.ParseDuration refuses only for its size: digits
// and units, well formed.
var tooLong = regexp.MustCompile(`^[-+]?(\d+(\.\d*)?(ns|us|µs|μs|ms|s|m|h))+$`)

func toInt(raw any) (int, error) {
	switch v := raw.(type) {
	case int:
		return v, nil
	case int64:
		if v >= math.MinInt && v <= math.MaxInt {
			return int(v), nil
		}
	case uint64:
		if v <= math.MaxInt {
			return int(v), nil
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), nil
		}
		return 0, fmt.Errorf("must be a whole number, got %v", v)
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("must be a whole number from %d to %d, got %s", math.MinInt, math.MaxInt, hint.Quote(v))
		}
		if err != nil {
			return 0, fmt.Errorf("must be a whole number, got %s", hint.Quote(v))
		}
		return n, nil
	}
	return 0, fmt.Errorf("must be a whole number, got %s", describe(raw))
}

func toFloat(raw any) (float64, error) {
	switch v := raw.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("must be a finite number, got %v", v)
		}
		return v, nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("must be a finite number, got %s (out of range)", hint.Quote(v))
		}
		if err != nil {
			return 0, fmt.Errorf("must be a number, got %s", hint.Quote(v))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("must be a finite number, got %s", hint.Quote(v))
		}
		return f, nil
	}
	return 0, fmt.Errorf("must be a number, got %s", describe(raw))
}

func toBool(raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return false, fmt.Errorf("must be true or false, got %s", hint.Quote(v))
		}
		return b, nil
	}
	return false, fmt.Errorf("must be true or false, got %s", describe(raw))
}

// describe names a raw value for an error message.
func describe(raw any) string {
	switch v := raw.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return hint.Quote(v)
	case map[string]any, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(raw)
}
