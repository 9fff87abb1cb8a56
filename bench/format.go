package bench

import (
	"fmt"
	"strconv"
	"strings"
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

// FormatRate writes a rate per second with three significant digits and a
// decimal prefix, without the unit: "850", "12.3 k", "4.56 M", "1.20 G".
func FormatRate(x float64) string {
	for _, u := range []struct {
		prefix string
		size   float64
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if x >= 0.9995*u.size { // 999.96 k is written 1.00 M, not 1000 k
			return sig3(max(x/u.size, 1)) + " " + u.prefix
		}
	}
	if x >= 1 {
		return sig3(x)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
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

// deviceCell names r's device, noting a fallback to the CPU and the
// device's resets during the measurement.
func deviceCell(r *Result) string {
	s := r.Device
	if r.Fallback {
		s += " (fell back to cpu)"
	}
	if r.DeviceResets > 0 {
		s += fmt.Sprintf(" (reset %d×)", r.DeviceResets)
	}
	return s
}

// rateCell is r's throughput in items (hashes, permutations, Merkle
// compressions, proofs) per second, or "-".
func rateCell(r *Result) string {
	if r.ItemsPerSecond > 0 && r.Error == "" {
		return FormatRate(r.ItemsPerSecond)
	}
	return "-"
}

// hasRates reports whether any result of files has a throughput, so that
// tables show that column only where it means something.
func hasRates(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if f.Results[i].ItemsPerSecond > 0 {
				return true
			}
		}
	}
	return false
}

// deviceTimeCell is the device's own timing of one call: "k 1.20 ms + x
// 3.40 ms" (kernels and copies; "k 1.20 ms" where only kernels are timed),
// or "-".
func deviceTimeCell(r *Result) string {
	if r.Compute <= 0 && r.Transfer <= 0 {
		return "-"
	}
	if r.Transfer <= 0 { // a runtime that times only its kernels (OpenCL)
		return "k " + FormatDuration(r.Compute)
	}
	return fmt.Sprintf("k %s + x %s", FormatDuration(r.Compute), FormatDuration(r.Transfer))
}

// memoryCell is the device memory of a result ("1.2 GiB", "34.5 MiB"), or
// "-".
func memoryCell(r *Result) string {
	if r.DeviceMemory == 0 {
		return "-"
	}
	return formatBytes(r.DeviceMemory)
}

// formatBytes writes a size in GiB, MiB or KiB ("1.2 GiB", "34.5 MiB").
func formatBytes(b uint64) string {
	switch {
	case b >= 1<<30:
		return FormatGiB(b)
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
}

// hasMemory reports whether any result of files has its device memory.
func hasMemory(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if f.Results[i].DeviceMemory > 0 {
				return true
			}
		}
	}
	return false
}

// powerCell is "312 W, 1.56 J" (mean power, energy per call), or "-".
func powerCell(r *Result) string {
	if r.PowerW <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f W, %.3g J", r.PowerW, r.EnergyJ)
}

// hasDeviceTimes reports whether any result of files has device timing.
func hasDeviceTimes(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if deviceTimeCell(&f.Results[i]) != "-" {
				return true
			}
		}
	}
	return false
}

// projectedCell is "2.6 µs at the stated clock (26 cycles; 385 k/s),
// simulated" for a device that counts cycles, or "-".
func projectedCell(r *Result) string {
	if r.DeviceCycles == 0 {
		return "-"
	}
	s := fmt.Sprintf("%d cycles", r.DeviceCycles)
	if r.Projected > 0 {
		s = fmt.Sprintf("%s at the stated clock (%s", FormatDuration(r.Projected), s)
		if r.ProjectedItemsPerSecond > 0 {
			s += "; " + FormatRate(r.ProjectedItemsPerSecond) + "/s"
		}
		s += ")"
	}
	if r.Simulated {
		s += ", projected from a simulation"
	}
	return s
}

// hasProjections reports whether any result of files has device cycles.
func hasProjections(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if f.Results[i].DeviceCycles > 0 {
				return true
			}
		}
	}
	return false
}

// hasPhases reports whether any result of files has phases.
func hasPhases(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if len(f.Results[i].Phases) > 0 {
				return true
			}
		}
	}
	return false
}

// hasPower reports whether any result of files has power readings.
func hasPower(files ...*File) bool {
	for _, f := range files {
		for i := range f.Results {
			if f.Results[i].PowerW > 0 {
				return true
			}
		}
	}
	return false
}

// speedUpCell is r's speed-up against f's CPU row, or "-".
func speedUpCell(f *File, r *Result) string {
	if x, ok := f.SpeedUp(r); ok {
		return FormatSpeedUp(x)
	}
	return "-"
}

// kernelsCell lists r's kernels with their device time per call and share
// of the kernels' total, e.g. "msm_task_accumulate 2.10 ms 47%,
// msm_scatter 880 µs 20%, … (+3 more)", at most top of them; "-" where r
// has none.
func kernelsCell(r *Result, top int) string {
	if len(r.Kernels) == 0 {
		return "-"
	}
	var total time.Duration
	for _, k := range r.Kernels {
		total += k.Time
	}
	var parts []string
	for i, k := range r.Kernels {
		if i == top {
			parts = append(parts, fmt.Sprintf("… (+%d more)", len(r.Kernels)-top))
			break
		}
		share := 0.0
		if total > 0 {
			share = 100 * float64(k.Time) / float64(total)
		}
		parts = append(parts, fmt.Sprintf("%s %s %.0f%%", k.Name, FormatDuration(k.Time), share))
	}
	return strings.Join(parts, ", ")
}
