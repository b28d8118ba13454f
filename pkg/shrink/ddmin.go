package shrink

// ddmin is Zeller and Hildebrandt's delta debugging ("Simplifying and
// Isolating Failure-Inducing Input", IEEE TSE 28(2), 2002): it returns a
// subset of items for which fails holds and from which no single item can
// be removed without losing the failure (1-minimal), in far fewer tests
// than trying every subset. fails must hold for items itself. The empty
// set is tried first: some failures need none of the items.
func ddmin[T any](items []T, fails func([]T) bool) []T {
	if len(items) == 0 || fails(nil) {
		return nil
	}
	n := 2
	for len(items) >= 2 {
		chunks := split(items, n)
		reduced := false
		// A chunk alone may fail: keep only it.
		for _, c := range chunks {
			if len(c) < len(items) && fails(c) {
				items, n, reduced = c, 2, true
				break
			}
		}
		// Else the rest without one chunk may: drop that chunk.
		if !reduced {
			for i := range chunks {
				rest := without(chunks, i)
				if fails(rest) {
					items, n, reduced = rest, max(n-1, 2), true
					break
				}
			}
		}
		if !reduced {
			if n >= len(items) {
				break // single items: 1-minimal
			}
			n = min(2*n, len(items))
		}
	}
	return items
}

// split cuts items into n chunks of nearly equal size, in order.
func split[T any](items []T, n int) [][]T {
	out := make([][]T, 0, n)
	start := 0
	for i := range n {
		end := start + (len(items)-start)/(n-i)
		out = append(out, items[start:end:end])
		start = end
	}
	return out
}

// without joins every chunk but the i-th.
func without[T any](chunks [][]T, i int) []T {
	var out []T
	for j, c := range chunks {
		if j != i {
			out = append(out, c...)
		}
	}
	return out
}
