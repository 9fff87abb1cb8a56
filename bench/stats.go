package bench

import (
	"slices"
	"time"
)

// summarize returns the median, minimum and maximum of ts (zeros when ts is
// empty). The median of an even count is the mean of the middle two.
func summarize(ts []time.Duration) (median, lo, hi time.Duration) {
	if len(ts) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ts)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}
