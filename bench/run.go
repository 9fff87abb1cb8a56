package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// Run measures what cfg asks for and returns the results with the machine's
// description. For each workload (an op in a variant on a curve, field or
// hash target) and size it draws the inputs once, then measures each device
// in turn, the CPU first: one untimed warm-up call, whose output must equal
// the CPU's, then cfg.Runs timed calls (fewer when cfg.MaxTime would be
// exceeded), each on the same inputs.
//
// A device that fails, panics or computes a different answer does not stop
// the run: the failure is recorded in that Result's Error (see
// [File.Failed]). Run returns an error, with no File, only for an invalid
// Config; when ctx is cancelled it returns the results measured so far with
// ctx's error.
func Run(ctx context.Context, cfg Config) (*File, error) {
	p, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	f := &File{
		Schema:    SchemaVersion,
		Tool:      "zkaccel bench",
		Date:      time.Now().UTC().Format(time.RFC3339),
		Command:   cfg.Command,
		Commit:    Commit(),
		GoVersion: runtime.Version(),
		Machine:   Host(),
		Seed:      cfg.Seed,
		Runs:      p.runs,
		Env:       Settings(),
	}
	if p.cpuCheck {
		f.CPU = CPUCheck
	}
	for _, d := range p.devices {
		f.Devices = append(f.Devices, Describe(d))
	}
	if p.zkCPU && slices.ContainsFunc(p.workloads, (*workload).proof) {
		f.Devices = append(f.Devices, Describe(zkaccelCPU{p.devices[0]}))
	}
	// add records a result, and saves the file so far where asked.
	add := func(r Result) {
		f.Results = append(f.Results, r)
		if cfg.Checkpoint != nil {
			cfg.Checkpoint(f)
		}
	}
	for _, w := range p.workloads {
		for _, k := range p.sizesFor(w) {
			if err := ctx.Err(); err != nil {
				return f, fmt.Errorf("zkaccel bench: %w", err)
			}
			preparing := w.preparing
			if preparing == "" {
				preparing = "drawing inputs"
			}
			fmt.Fprintf(progress, "%s 2^%d: %s…", w.name(), k, preparing)
			start := time.Now()
			inst := w.prepare(inputs.NewRand(w.seed(cfg.Seed, k)), k)
			took := FormatDuration(time.Since(start))
			if n, ok := inst.(interface{ note() string }); ok && n.note() != "" {
				took += " (" + n.note() + ")"
			}
			fmt.Fprintf(progress, " %s\n", took)
			if cfg.PrepareOnly {
				if e, ok := inst.(interface{ setupErr() error }); ok && e.setupErr() != nil {
					return f, fmt.Errorf("zkaccel bench: %s 2^%d: %w", w.name(), k, e.setupErr())
				}
				continue
			}
			var ref []byte
			for _, dev := range p.devicesFor(w) {
				if p.cpuCheck && isCPU(dev.String()) {
					d, from, failed := reference(w, k, cfg.Seed, inst, dev)
					ref = d
					fmt.Fprintf(progress, "  %s: the reference only (--cpu check): %s\n", dev, from)
					if failed != nil {
						add(*failed)
					}
					continue
				}
				r, digest := measure(ctx, p, w, k, inst, dev)
				if ctx.Err() != nil && len(r.Times) == 0 && r.Error == "" {
					// Stopped before a timed call: nothing measured, and
					// no row (a row would read as a failure).
					fmt.Fprintf(progress, "  %s: stopped before a timed run\n", dev)
					return f, fmt.Errorf("zkaccel bench: %w", ctx.Err())
				}
				switch {
				case isCPU(dev.String()):
					ref = digest
					if r.Error == "" && digest != nil {
						// For later runs with the CPU in check mode.
						storeReference(w, k, cfg.Seed, digest)
					}
				case digest != nil && ref != nil && !bytes.Equal(digest, ref):
					r.Error = fmt.Sprintf("%s on %s: the result differs from the cpu's (seed %d)", w.name(), dev, cfg.Seed)
				}
				fmt.Fprintf(progress, "  %s\n", r.summary())
				add(r)
			}
			if pr, ok := inst.(preparer); ok {
				pr.release() // its keys' device memory, before the next size
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return f, fmt.Errorf("zkaccel bench: %w", err)
	}
	return f, nil
}

// measure makes one warm-up and the timed calls of inst on dev, and returns
// the result, with the device's resets during them where it counts them
// (zkaccel.ResetDevice), and the warm-up output's digest (nil when the
// warm-up failed).
func measure(ctx context.Context, p *plan, w *workload, logN int, inst instance, dev zkaccel.Device) (Result, []byte) {
	rd, counts := dev.(zkaccel.ResetDevice)
	var before uint64
	if counts {
		before = rd.Resets()
	}
	r, digest := measureCalls(ctx, p, w, logN, inst, dev)
	if counts {
		r.DeviceResets = rd.Resets() - before
	}
	return r, digest
}

// measureCalls makes measure's calls: the key's loading, the warm-up and
// the timed calls.
func measureCalls(ctx context.Context, p *plan, w *workload, logN int, inst instance, dev zkaccel.Device) (Result, []byte) {
	r := Result{Op: w.op, Target: w.target, Variant: w.variant, LogN: logN, N: 1 << logN, Device: dev.String()}
	fail := func(what string, err error) { r.Error = failure(w, dev, what, err) }
	if pr, ok := inst.(preparer); ok {
		start := time.Now()
		loaded, on, all, err := pr.prepare(dev)
		if err != nil {
			fail("loading the key", err)
			return r, nil
		}
		if loaded {
			r.Load = time.Since(start)
			r.KeyResident, r.KeyBytes = on, all
		}
	}
	inst.reset()
	var rep zkaccel.Report
	warm, err := call(inst, dev, &rep)
	if err != nil {
		fail("warm-up", err)
		return r, nil
	}
	r.Warmup = warm
	r.note(&rep)
	digest := inst.digest()
	runs := p.runs
	if limit := int(p.maxTime / max(warm, 1)); limit < runs {
		runs = max(limit, 1)
	}
	timed, _ := dev.(zkaccel.TimedDevice)
	if timed != nil {
		timed.ResetTimes()
	}
	meter, _ := dev.(zkaccel.MemoryDevice)
	if meter != nil {
		meter.ResetPeakMemory()
	}
	counter, _ := dev.(cycleCounter)
	if counter != nil {
		counter.ResetCycles()
	}
	sensor, _ := dev.(zkaccel.SensorDevice)
	var before zkaccel.Telemetry
	if sensor != nil {
		var err error
		if before, err = sensor.Telemetry(); err != nil {
			sensor = nil
		}
	}
	loop := time.Now()
	var phaseRuns []map[string]time.Duration
	for i := 0; i < runs && ctx.Err() == nil; i++ {
		inst.reset()
		runtime.GC()
		rep = zkaccel.Report{}
		d, err := call(inst, dev, &rep)
		if err != nil {
			fail(fmt.Sprintf("run %d", i+1), err)
			break
		}
		r.Times = append(r.Times, d)
		r.note(&rep)
		if ph, ok := inst.(phased); ok {
			if m := ph.phases(); m != nil {
				phaseRuns = append(phaseRuns, m)
			}
		}
	}
	loopTime := time.Since(loop)
	r.Median, r.Min, r.Max = summarize(r.Times)
	r.Phases = medianPhases(phaseRuns)
	if n := len(r.Times); n > 0 && counter != nil {
		r.noteCycles(counter, n, w, logN)
	}
	if n := len(r.Times); n > 0 && timed != nil {
		if c, x, err := timed.Times(); err == nil {
			r.Compute, r.Transfer = c/time.Duration(n), x/time.Duration(n)
		}
		if kt, ok := dev.(zkaccel.KernelTimedDevice); ok {
			if ks, err := kt.KernelTimes(); err == nil {
				for _, k := range ks {
					r.Kernels = append(r.Kernels, KernelStat{Name: k.Name, Launches: float64(k.Launches) / float64(n), Time: k.Time / time.Duration(n)})
				}
			}
		}
	}
	if len(r.Times) > 0 && meter != nil {
		if peak, err := meter.PeakMemory(); err == nil {
			r.DeviceMemory = peak
		}
	}
	if len(r.Times) > 0 && sensor != nil {
		if after, err := sensor.Telemetry(); err == nil {
			r.noteTelemetry(before, after, loopTime)
		}
	}
	if w.items != nil && r.Median > 0 {
		r.ItemsPerSecond = float64(w.items(logN)) / r.Median.Seconds()
	}
	return r, digest
}

// failure is the error text of w failing on dev in what ("warm-up", "run
// 2", …).
func failure(w *workload, dev zkaccel.Device, what string, err error) string {
	return fmt.Sprintf("%s on %s, %s: %v", w.name(), dev, what, err)
}

// call makes one timed front-end call, turning a panic into an error.
func call(inst instance, dev zkaccel.Device, rep *zkaccel.Report) (d time.Duration, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	start := time.Now()
	err = inst.run(dev, rep)
	return time.Since(start), err
}

// note records from a call's Report which device ran it and whether it
// fell back to the CPU.
func (r *Result) note(rep *zkaccel.Report) {
	if rep.Op != "" {
		r.Call = rep.Op
	}
	if rep.Ran != nil {
		r.Ran = rep.Ran.String()
	}
	if rep.Fallback {
		r.Fallback = true
		if rep.Reason != nil {
			r.FallbackReason = rep.Reason.Error()
		}
	}
}

// cycleCounter is a device that counts its clock cycles (an FPGA driver),
// possibly simulated ones.
type cycleCounter interface {
	Simulated() bool
	ClockHz() uint64
	Cycles() uint64
	ResetCycles()
}

// noteCycles records the device's cycles per call over n timed calls, and
// what they imply at its stated clock.
func (r *Result) noteCycles(c cycleCounter, n int, w *workload, logN int) {
	cyc := c.Cycles() / uint64(n)
	if cyc == 0 {
		return
	}
	r.DeviceCycles, r.Simulated = cyc, c.Simulated()
	if hz := c.ClockHz(); hz > 0 {
		r.Projected = time.Duration(float64(cyc) / float64(hz) * float64(time.Second))
		if w.items != nil && r.Projected > 0 {
			r.ProjectedItemsPerSecond = float64(w.items(logN)) / r.Projected.Seconds()
		}
	}
}

// noteTelemetry records the power over the timed calls (the energy
// counter's increase over their wall time; the power drawn after them where
// there is no counter), the per-call energy at that power, and the clock
// and temperature after them.
func (r *Result) noteTelemetry(before, after zkaccel.Telemetry, wall time.Duration) {
	switch {
	case after.EnergyJ > before.EnergyJ && wall > 0:
		r.PowerW = (after.EnergyJ - before.EnergyJ) / wall.Seconds()
	case after.PowerW > 0:
		r.PowerW = after.PowerW
	}
	r.EnergyJ = r.PowerW * r.Median.Seconds()
	r.SMClockMHz, r.TemperatureC = after.SMClockMHz, after.TemperatureC
}

// summary is the progress line of a finished measurement.
func (r *Result) summary() string {
	s := fmt.Sprintf("%s: ", r.Device)
	if len(r.Times) > 0 {
		s += fmt.Sprintf("median %s, min %s, max %s (%s)", FormatDuration(r.Median), FormatDuration(r.Min), FormatDuration(r.Max), plural(len(r.Times), "run"))
	}
	if r.ItemsPerSecond > 0 {
		s += fmt.Sprintf(", %s hashes/s", FormatRate(r.ItemsPerSecond))
	}
	if r.Load > 0 {
		s += fmt.Sprintf(", key loaded in %s (untimed)", FormatDuration(r.Load))
		if r.KeyResident < r.KeyBytes {
			s += fmt.Sprintf(", %s of its %s of points in device memory (the rest copied on each proof)", formatBytes(uint64(r.KeyResident)), formatBytes(uint64(r.KeyBytes)))
		}
	}
	if c := deviceTimeCell(r); c != "-" {
		s += ", on the device " + c
	}
	if c := powerCell(r); c != "-" {
		s += ", " + c
	}
	if c := projectedCell(r); c != "-" {
		s += ", " + c
	}
	if c := phasesCell(r); c != "-" {
		s += "; " + c
	}
	if r.Fallback {
		s += " (fell back to cpu)"
	}
	if r.DeviceResets > 0 {
		s += fmt.Sprintf(" (the device was reset %d× during it)", r.DeviceResets)
	}
	if r.Error != "" {
		s += " error: " + r.Error
	}
	return s
}

// plural writes "1 run", "5 runs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
