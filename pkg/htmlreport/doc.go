// Package htmlreport renders one run as a single self-contained HTML page:
// a per-node timeline (the NameNode's view as coloured bands, the ground
// truth above it, heartbeat arrivals as ticks, decisions marked with their
// reasons on hover), charts of every numeric time series, the
// expectations, the detectors' quality of service and the effective
// configuration.
//
// The page needs no network: styles, graphics and the little interaction
// there is are inline (CSS and SVG, no script), so it opens from a file, a
// mail attachment or a CI artifact the same way. Output depends only on
// the report and the trace, so the same run gives the same bytes.
package htmlreport
