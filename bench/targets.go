package bench

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Goal is one of zkaccel's speed targets (issues 5 and 6), stated as a
// bound on one measurement of [File]: on a device other than the CPU, at
// one op, target, variant and size. Exactly one bound is set.
type Goal struct {
	Name    string // as BENCHMARKS.md names it, e.g. "MSM G1 BN254 2^20"
	Op      string
	Target  string
	Variant string
	LogN    int

	// MaxTime bounds the median time of a call, inputs and outputs in
	// host memory (transfers included).
	MaxTime time.Duration
	// MaxCompute bounds the device's own kernel time of a call: the
	// device-resident time, transfers reported apart.
	MaxCompute time.Duration
	// MinRate bounds the items per second at the median time (transfers
	// included), MinComputeRate those at the kernel time (device-resident).
	MinRate, MinComputeRate float64
	// MinSpeedUp bounds the CPU's median over the device's, from the same
	// file (the CPU row of a proof op is gnark's own prover).
	MinSpeedUp float64
}

// Goals are the speed targets of issues 5 (an H100; inputs and outputs in
// host memory, transfers included, unless device-resident) and 6 (BN254
// proofs of 2^20 constraints against gnark's CPU prover on the same
// machine; the wide circuit too, whose solver spreads over the cores).
var Goals = []Goal{
	{Name: "MSM G1 BN254 2^20", Op: OpMSM, Target: "bn254", Variant: "g1", LogN: 20, MaxTime: 8 * time.Millisecond},
	{Name: "MSM G1 BN254 2^24", Op: OpMSM, Target: "bn254", Variant: "g1", LogN: 24, MaxTime: 100 * time.Millisecond},
	{Name: "MSM G1 BLS12-381 2^24", Op: OpMSM, Target: "bls12-381", Variant: "g1", LogN: 24, MaxTime: 180 * time.Millisecond},
	{Name: "NTT BN254 2^24, device-resident", Op: OpNTT, Target: "bn254", Variant: "fft-dif", LogN: 24, MaxCompute: 5 * time.Millisecond},
	{Name: "Poseidon2 BN254 t=3, 2^24 permutations", Op: OpPoseidon2, Target: "bn254", Variant: "t=3", LogN: 24, MinRate: 100e6},
	{Name: "Keccak-256 of 64 B, 2^26 messages, device-resident", Op: OpKeccak, Target: keccakTarget, Variant: "sum256-64B", LogN: 26, MinComputeRate: 1.5e9},
	{Name: "Groth16 BN254, 2^20 constraints", Op: OpGroth16, Target: "bn254", Variant: "prove", LogN: 20, MinSpeedUp: 10},
	{Name: "Groth16 BN254, 2^20 constraints, wide circuit", Op: OpGroth16, Target: "bn254", Variant: "prove-wide", LogN: 20, MinSpeedUp: 10},
	{Name: "PLONK BN254, 2^20 constraints", Op: OpPlonk, Target: "bn254", Variant: "prove", LogN: 20, MinSpeedUp: 5},
	{Name: "PLONK BN254, 2^20 constraints, wide circuit", Op: OpPlonk, Target: "bn254", Variant: "prove-wide", LogN: 20, MinSpeedUp: 5},
}

// GoalCheck is one goal against one device's measurement, or against
// none (Found false).
type GoalCheck struct {
	Goal   Goal
	Found  bool
	File   int    // the file's index
	Device string // its spec, e.g. "cuda:0"
	Name   string // the device's name
	// Measured and Bound are the measured value and the goal's, in the
	// goal's unit (seconds, or items per second, or a speed-up); Met
	// reports whether the bound holds; Factor is how far from the bound
	// the measurement is (≥ 1 where met): bound/measured for a time,
	// measured/bound for a rate or a speed-up.
	Measured, Bound, Factor float64
	Met                     bool
	Why                     string // why a measurement does not count, if it does not
	// Split says where the measured call's time went, as the device
	// timed it: its kernels and its copies per call, against the call's
	// median ("kernels 4 ms, copies 1.5 ms of 6 ms"), which tells a
	// missed target's bound (arithmetic, or the transfers); "" where the
	// device did not time them.
	Split string
}

// CheckGoals checks each goal against every matching measurement of
// files on a device other than the CPU; a goal that nothing measured gets
// one check with Found false. A measurement that fell back to the CPU,
// failed, or lacks what its goal needs (kernel time, a CPU row) counts as
// found but not met, with Why saying so. A speed-up goal skips the files
// whose CPU was not timed (File.CPU), unless only those measured it.
func CheckGoals(files []*File, goals []Goal) []GoalCheck {
	var out []GoalCheck
	for _, g := range goals {
		found := false
		var untimed *GoalCheck // a match in a file whose CPU was not timed
		for fi, f := range files {
			for ri := range f.Results {
				r := &f.Results[ri]
				if isCPU(r.Device) || r.Op != g.Op || r.Target != g.Target || r.Variant != g.Variant || r.LogN != g.LogN {
					continue
				}
				c := GoalCheck{Goal: g, Found: true, File: fi, Device: r.Device}
				if info, ok := f.Device(r.Device); ok {
					c.Name = info.Name
				}
				if g.MinSpeedUp > 0 && f.CPU == CPUCheck {
					// No speed-up to check: listed only where no other
					// file measured the goal.
					if untimed == nil {
						c.Why = "the CPU was not timed in its file (bench --cpu check)"
						untimed = &c
					}
					continue
				}
				found = true
				c.evaluate(f, r)
				out = append(out, c)
			}
		}
		switch {
		case found:
		case untimed != nil:
			out = append(out, *untimed)
		default:
			out = append(out, GoalCheck{Goal: g})
		}
	}
	return out
}

// evaluate fills c's numbers from r (of file f).
func (c *GoalCheck) evaluate(f *File, r *Result) {
	g := c.Goal
	var parts []string
	if r.Compute > 0 {
		parts = append(parts, "kernels "+trimDuration(r.Compute.Seconds()))
	}
	if r.Transfer > 0 {
		parts = append(parts, "copies "+trimDuration(r.Transfer.Seconds()))
	}
	if len(parts) > 0 {
		c.Split = strings.Join(parts, ", ") + " of " + trimDuration(r.Median.Seconds())
	}
	switch {
	case !r.OK():
		c.Why = "the measurement failed"
		if r.Error != "" {
			c.Why += ": " + r.Error
		}
		return
	case r.Fallback:
		c.Why = "it fell back to the CPU"
		return
	}
	timeBound := func(measured, bound time.Duration) {
		c.Measured, c.Bound = measured.Seconds(), bound.Seconds()
		c.Factor = c.Bound / c.Measured
	}
	rateBound := func(measured, bound float64) {
		c.Measured, c.Bound = measured, bound
		c.Factor = c.Measured / c.Bound
	}
	switch {
	case g.MaxTime > 0:
		timeBound(r.Median, g.MaxTime)
	case g.MaxCompute > 0:
		if r.Compute <= 0 {
			c.Why = "the device did not time its kernels"
			return
		}
		timeBound(r.Compute, g.MaxCompute)
	case g.MinRate > 0:
		rateBound(float64(r.N)/r.Median.Seconds(), g.MinRate)
	case g.MinComputeRate > 0:
		if r.Compute <= 0 {
			c.Why = "the device did not time its kernels"
			return
		}
		rateBound(float64(r.N)/r.Compute.Seconds(), g.MinComputeRate)
	case g.MinSpeedUp > 0:
		up, ok := f.SpeedUp(r)
		if !ok {
			c.Why = "no CPU measurement in the same file"
			return
		}
		rateBound(up, g.MinSpeedUp)
	}
	c.Met = c.Factor >= 1
}

// WriteGoals renders checks as a Markdown table: goal, device, bound,
// measured, whether it is met, by what factor, and where the time went
// (GoalCheck.Split); labels name the files (e.g. MachineLabels), one per
// file.
func WriteGoals(w io.Writer, checks []GoalCheck, labels []string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "| target | machine, device | bound | measured | met | device time per call |")
	fmt.Fprintln(bw, "|---|---|---:|---:|---|---|")
	for _, c := range checks {
		g := c.Goal
		bound := goalBound(g)
		if !c.Found {
			fmt.Fprintf(bw, "| %s | - | %s | not measured | - | - |\n", g.Name, bound)
			continue
		}
		split := c.Split
		if split == "" {
			split = "-"
		}
		where := c.Device
		if c.Name != "" {
			where += " (" + c.Name + ")"
		}
		if c.File < len(labels) {
			where = labels[c.File] + ", " + where
		}
		if c.Why != "" {
			fmt.Fprintf(bw, "| %s | %s | %s | - | no: %s | %s |\n", g.Name, where, bound, c.Why, split)
			continue
		}
		verdict := fmt.Sprintf("**yes**, %.2f× within", c.Factor)
		if !c.Met {
			verdict = fmt.Sprintf("**no**, missed by %.2f×", 1/c.Factor)
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", g.Name, where, bound, goalValue(g, c.Measured), verdict, split)
	}
	return bw.Flush()
}

// boundOf returns g's bound in the unit GoalCheck uses.
func boundOf(g Goal) float64 {
	switch {
	case g.MaxTime > 0:
		return g.MaxTime.Seconds()
	case g.MaxCompute > 0:
		return g.MaxCompute.Seconds()
	case g.MinRate > 0:
		return g.MinRate
	case g.MinComputeRate > 0:
		return g.MinComputeRate
	}
	return g.MinSpeedUp
}

// goalValue formats v in g's unit: a time (the kernels' time for a
// device-resident bound), a rate, or a speed-up.
func goalValue(g Goal, v float64) string {
	switch {
	case g.MaxTime > 0:
		return trimDuration(v)
	case g.MaxCompute > 0:
		return trimDuration(v) + " (kernels)"
	case g.MinRate > 0, g.MinComputeRate > 0:
		s := fmt.Sprintf("%.3g M/s", v/1e6)
		if v >= 1e9 {
			s = fmt.Sprintf("%.3g G/s", v/1e9)
		}
		if g.MinComputeRate > 0 {
			s += " (kernels)"
		}
		return s
	}
	return fmt.Sprintf("%.3g×", v)
}

// goalBound formats g's bound with its direction.
func goalBound(g Goal) string {
	if g.MaxTime > 0 || g.MaxCompute > 0 {
		return "≤ " + goalValue(g, boundOf(g))
	}
	return "≥ " + goalValue(g, boundOf(g))
}

// trimDuration formats seconds as a duration with three significant
// digits.
func trimDuration(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3g s", s)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3g ms", s*1e3)
	}
	return fmt.Sprintf("%.3g µs", s*1e6)
}
