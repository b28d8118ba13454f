package sim

import (
	"context"
	"time"
)

// cancelEvery is how many events pass between two looks at the context:
// often enough that a cancelled run stops within milliseconds, rarely
// enough to cost nothing per event.
const cancelEvery = 4096

// loop pops and fires every event due by end, in order, and stops early
// once ctx is done. It returns the virtual time reached (end, unless
// stopped) and, when stopped, ctx's error. Both simulations run through
// it, so cancellation lives in this one place.
func loop(ctx context.Context, q *queue, end time.Duration, fire func(event)) (time.Duration, error) {
	done := ctx.Done()
	reached := time.Duration(0)
	for n := 1; ; n++ {
		if done != nil && n%cancelEvery == 0 {
			select {
			case <-done:
				return reached, ctx.Err()
			default:
			}
		}
		e, ok := q.popUntil(end)
		if !ok {
			return end, nil
		}
		reached = e.at
		fire(e)
	}
}
