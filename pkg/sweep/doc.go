// Package sweep runs one scenario over a grid of settings and many seeds,
// the engine of `hbsim sweep`, to show the trade-off a threshold buys:
// faster detection against more false positives.
//
// Every grid point runs the same seeds (the scenario's seed, seed+1, ...),
// so points differ only by their settings. Metrics are pooled over the
// seeds as the Chen–Toueg–Aguilera estimators pool over nodes: detection
// percentiles over every detected crash of every seed, mistakes per hour
// as all mistakes over all uptime. A point is Pareto-optimal when no other
// point detects as fast (p99) with as few false positives per hour and is
// strictly better on one of the two.
package sweep
