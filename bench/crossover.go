package bench

import (
	"slices"
	"sort"
	"strings"
)

// Crossover is what a [File] says of one operation on one device: the
// smallest measured size from which the device beat the CPU at every
// measured size, or none.
type Crossover struct {
	Call   string // the front end's operation (Result.Call)
	Device string // the device's spec
	// LogN is the crossover's log2 size, valid when Found: the device beat
	// the CPU (a shorter median, with no fallback and no error) at this
	// size and at every larger one measured.
	LogN  int
	Found bool
	// Sizes are the measured log2 sizes, and SpeedUps the CPU's median
	// over the device's at each (0 where either failed or fell back).
	Sizes    []int
	SpeedUps []float64
}

// Crossovers derives, for every device but the CPU and every operation
// measured on it, the [Crossover]: the sizes are taken in order, and the
// crossover is the first size of the longest run of wins that reaches the
// largest size. An operation whose device lost or failed at the largest
// size has none: the automatic choice keeps it on the CPU.
//
// The NTT is measured forward (fft-dif); its crossover also stands for the
// inverse NTT of the same field ("ntt F fft-inverse"), whose work is the
// same plus a scaling. The results are sorted by device, then operation.
func (f *File) Crossovers() []Crossover {
	// One group per measured workload; workloads of the same call (none
	// today) merge into the more cautious crossover.
	type key struct{ call, dev, workload string }
	groups := map[key][]*Result{}
	for i := range f.Results {
		r := &f.Results[i]
		if isCPU(r.Device) || r.Call == "" {
			continue
		}
		k := key{r.Call, r.Device, r.Op + "/" + r.Target + "/" + r.Variant}
		groups[k] = append(groups[k], r)
	}
	type merged struct{ call, dev string }
	byCall := map[merged]Crossover{}
	for k, rs := range groups {
		sort.Slice(rs, func(i, j int) bool { return rs[i].LogN < rs[j].LogN })
		c := Crossover{Call: k.call, Device: k.dev}
		for _, r := range rs {
			s := 0.0
			if up, ok := f.SpeedUp(r); ok && !r.Fallback {
				s = up
			}
			c.Sizes = append(c.Sizes, r.LogN)
			c.SpeedUps = append(c.SpeedUps, s)
		}
		for i := len(c.Sizes) - 1; i >= 0 && c.SpeedUps[i] > 1; i-- {
			c.LogN, c.Found = c.Sizes[i], true
		}
		m := merged{k.call, k.dev}
		if prev, ok := byCall[m]; ok && (!prev.Found || c.Found && prev.LogN >= c.LogN) {
			continue
		}
		byCall[m] = c
	}
	var out []Crossover
	for _, c := range byCall {
		out = append(out, c)
		if inv, ok := strings.CutSuffix(c.Call, " fft"); ok && strings.HasPrefix(c.Call, "ntt ") {
			ci := c
			ci.Call = inv + " fft-inverse"
			ci.Sizes, ci.SpeedUps = slices.Clone(c.Sizes), slices.Clone(c.SpeedUps)
			out = append(out, ci)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Device != out[j].Device {
			return out[i].Device < out[j].Device
		}
		return out[i].Call < out[j].Call
	})
	return out
}
