package config

import (
	"errors"
	"time"
)

// Validate rejects settings no run can use. It returns every problem, each a
// *FieldError (joined with errors.Join), so a user fixes them in one go.
func (c Config) Validate() error {
	var errs []error
	positive := func(field string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fieldErrorf(field, "must be a positive duration, got %s", d))
		}
	}
	notNegative := func(field string, d time.Duration) {
		if d < 0 {
			errs = append(errs, fieldErrorf(field, "must not be negative, got %s", d))
		}
	}
	positive("heartbeat.interval", c.Heartbeat.Interval)
	positive("heartbeat.check_interval", c.Heartbeat.CheckInterval)
	if c.Heartbeat.MissThreshold < 1 {
		errs = append(errs, fieldErrorf("heartbeat.miss_threshold",
			"must be a whole number ≥ 1, got %d", c.Heartbeat.MissThreshold))
	}
	positive("heartbeat.stale_after", c.Heartbeat.StaleAfter)
	notNegative("network.latency", c.Network.Latency)
	notNegative("network.jitter", c.Network.Jitter)
	return errors.Join(errs...)
}

// DeadAfter is how long a DataNode may stay silent before the NameNode
// declares it dead: miss_threshold × interval.
func (c Config) DeadAfter() time.Duration {
	return time.Duration(c.Heartbeat.MissThreshold) * c.Heartbeat.Interval
}
