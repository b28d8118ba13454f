package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("must be a duration with a unit, such as 3s or 500ms, got %q", v)
		}
		return d, nil
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
		if err != nil {
			return 0, fmt.Errorf("must be a whole number, got %q", v)
		}
		return n, nil
	}
	return 0, fmt.Errorf("must be a whole number, got %s", describe(raw))
}

func toFloat(raw any) (float64, error) {
	switch v := raw.(type) {
	case float64:
		return v, nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, fmt.Errorf("must be a number, got %q", v)
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
			return false, fmt.Errorf("must be true or false, got %q", v)
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
		return strconv.Quote(v)
	case map[string]any, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(raw)
}
