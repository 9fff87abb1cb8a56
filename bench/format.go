package bench

import (
	"fmt"
	"strconv"
	"time"
)

// FormatDuration writes d with three significant digits in the largest unit
// that keeps it at least 1: "850 ns", "12.3 µs", "105 ms", "2.35 s".
func FormatDuration(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"s", time.Second}, {"ms", time.Millisecond}, {"µs", time.Microsecond}}
	for _, u := range units {
		if d >= u.size {
			return sig3(float64(d)/float64(u.size)) + " " + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + " ns"
}

// sig3 formats v ≥ 1 with three significant digits (more for v ≥ 1000).
func sig3(v float64) string {
	switch {
	case v >= 99.95:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 9.995:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// FormatGiB writes a byte count in GiB with one decimal ("79.6 GiB"), or
// "-" for 0, which means unknown.
func FormatGiB(b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
}

// FormatSpeedUp writes a speed-up factor: "12.3×".
func FormatSpeedUp(x float64) string { return sig3or(x) + "×" }

// sig3or is sig3 extended below 1 ("0.42").
func sig3or(x float64) string {
	if x >= 1 {
		return sig3(x)
	}
	return strconv.FormatFloat(x, 'g', 2, 64)
}

// deviceCell names r's device, noting a fallback to the CPU.
func deviceCell(r *Result) string {
	if r.Fallback {
		return r.Device + " (fell back to cpu)"
	}
	return r.Device
}

// speedUpCell is r's speed-up against f's CPU row, or "-".
func speedUpCell(f *File, r *Result) string {
	if x, ok := f.SpeedUp(r); ok {
		return FormatSpeedUp(x)
	}
	return "-"
}
