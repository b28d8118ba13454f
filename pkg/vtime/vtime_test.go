package vtime

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00.000"},
		{27 * time.Second, "00:00:27.000"},
		{61*time.Second + 2*time.Millisecond + 400*time.Microsecond, "00:01:01.002"},
		{61*time.Second + 2*time.Millisecond + 600*time.Microsecond, "00:01:01.003"},
		{3*time.Hour + 5*time.Minute, "03:05:00.000"},
		{-1500 * time.Millisecond, "-00:00:01.500"},
	} {
		if got := Format(tc.d); got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "30s"},
		{31002 * time.Millisecond, "31.002s"},
		{1500 * time.Millisecond, "1.5s"},
		{0, "0s"},
	} {
		if got := Seconds(tc.d); got != tc.want {
			t.Errorf("Seconds(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
