package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

const tuneAbout = `
Measures on this machine from which size each operation runs faster on a
device than on the CPU, and records these crossovers for the automatic device
choice. With ZKACCEL_DEVICE unset, zkaccel's default device is the first
device (CUDA first) that has crossovers, and a call runs on it only from its
operation's crossover on; below it, or for an operation without one, the call
runs on the CPU.

tune runs the measurements of 'zkaccel bench' on each chosen device and on
the CPU, over a range of sizes (default 2^8 to 2^20). An operation's
crossover is the smallest measured size from which the device was faster at
every larger measured size. An operation on which the device did not beat
the CPU at the largest size gets none, so it stays on the CPU. The NTT's
crossover, measured forward, also stands for the inverse NTT.

The crossovers go to <cache>/crossover/<kind>-<name>.json (ZKACCEL_CACHE_DIR,
else the user's cache directory). They are merged into the device's file:
the operations measured replace theirs, the others are kept. Run tune again
with --group g2 for G2 MSMs. --dry-run only prints them. --from derives them
from 'zkaccel bench --json' files measured on this machine instead of
measuring again.

The host CPU behind a GPU runtime (POCL) and simulated devices can be tuned
when named, but the automatic choice never picks them.`

func runTune(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("tune", "[flags]", tuneAbout, stderr)
	devs := newList()
	fs.Var(devs, "device", "`devices` to tune (repeatable or comma list; default every device present that the automatic choice may pick)")
	ops := newList(bench.OpMSM, bench.OpNTT, bench.OpPoseidon, bench.OpPoseidon2, bench.OpKeccak)
	fs.Var(ops, "ops", "`ops` to measure: "+strings.Join(append(bench.DefaultOps(), bench.HashOps()...), ","))
	sizes := fs.String("sizes", "8:20", "log2 `sizes`: a range 8:20, or a comma list of sizes and ranges")
	curves := newList(strings.Split(joinStrings(bench.Curves()), ",")...)
	fs.Var(curves, "curves", "MSM `curves`: "+joinStrings(bench.Curves()))
	fields := newList(strings.Split(joinStrings(bench.Fields()), ",")...)
	fs.Var(fields, "fields", "NTT `fields`, which also select the poseidon and poseidon2 targets: "+joinStrings(bench.Fields()))
	group := fs.String("group", "g1", "MSM `group`: g1 or g2")
	runs := fs.Int("runs", 3, "timed `runs` per measurement, after one warm-up")
	maxTime := fs.Duration("max-time", 5*time.Second, "time `budget` of one measurement's timed runs")
	seed := fs.Int64("seed", 1, "`seed` of the inputs")
	jsonOut := fs.String("json", "", "also write the measurements as JSON to `file` (as 'zkaccel bench --json')")
	dryRun := fs.Bool("dry-run", false, "print the crossovers without writing them")
	from := fs.String("from", "", "derive the crossovers from `files` of 'zkaccel bench --json' measured on this machine, a comma list, instead of measuring")
	pos, done, code := parse(fs, args)
	if done {
		return code
	}
	if done, code := noArgs(fs, pos); done {
		return code
	}

	if *from != "" {
		var files []string
		for _, f := range strings.Split(*from, ",") {
			if f = strings.TrimSpace(f); f != "" {
				files = append(files, f)
			}
		}
		return tuneFrom(files, *dryRun, stdout, stderr)
	}

	cfg := bench.Config{
		Runs: *runs, MaxTime: *maxTime, Seed: *seed, Progress: stderr,
		Command: append([]string{"zkaccel", "tune"}, args...),
	}
	var err error
	if cfg.Sizes, err = bench.ParseSizes(*sizes); err != nil {
		return fail(stderr, fmt.Errorf("zkaccel tune: --sizes: %w", unprefix(err)))
	}
	if err := setMeasure("tune", &cfg, measureArgs{ops: ops.values, knownOps: append(bench.DefaultOps(), bench.HashOps()...), curves: curves.values, fields: fields.values,
		group: *group, runs: *runs, maxTime: *maxTime}); err != nil {
		return fail(stderr, err)
	}
	if len(devs.values) > 0 {
		if cfg.Devices, err = openDevices("tune", devs.values); err != nil {
			return fail(stderr, err)
		}
	} else {
		for _, d := range zkaccel.Devices() {
			if zkaccel.AutoCandidate(d) {
				cfg.Devices = append(cfg.Devices, d)
			}
		}
	}
	var tuned []zkaccel.Device
	for _, d := range cfg.Devices {
		if d.Kind() != zkaccel.CPU {
			tuned = append(tuned, d)
		}
	}
	if len(tuned) == 0 {
		return fail(stderr, fmt.Errorf("zkaccel tune: no device to tune: the automatic choice has none to pick here (name one with --device; present: %s)", presentDevices()))
	}
	cfg.Devices = tuned

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f, runErr := bench.Run(ctx, cfg)
	if f == nil {
		return fail(stderr, runErr)
	}
	if runErr != nil {
		return fail(stderr, fmt.Errorf("zkaccel tune: %w (nothing written)", unprefix(runErr)))
	}
	if *jsonOut != "" {
		if err := f.WriteFile(*jsonOut); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stderr, "zkaccel tune: wrote %s\n", *jsonOut)
	}
	if f.Failed() {
		// A failed measurement counts as a loss for the device; say so.
		fmt.Fprintln(stderr, "zkaccel tune: some measurements failed; those operations keep no crossover at those sizes (see --json)")
	}

	return writeCrossovers(tuned, f.Crossovers(), *dryRun, stdout, stderr)
}

// writeCrossovers prints, and unless dryRun merges into each device's file,
// the crossovers of the tuned devices.
func writeCrossovers(tuned []zkaccel.Device, all []bench.Crossover, dryRun bool, stdout, stderr io.Writer) int {
	status := exitOK
	for _, d := range tuned {
		var mine []bench.Crossover
		for _, c := range all {
			if c.Device == d.String() {
				mine = append(mine, c)
			}
		}
		if err := printCrossovers(stdout, d, mine); err != nil {
			return fail(stderr, err)
		}
		if dryRun {
			continue
		}
		path, err := saveCrossovers(d, mine)
		if err != nil {
			status = fail(stderr, err)
			continue
		}
		note := ""
		if !zkaccel.AutoCandidate(d) {
			note = " (this device is never chosen automatically: the host CPU behind a GPU runtime, or a simulation)"
		}
		fmt.Fprintf(stdout, "wrote %s%s\n\n", path, note)
	}
	return status
}

// tuneFrom derives the crossovers from bench files. Their devices must be
// the ones present under the same specs (the same names): crossovers hold
// for the machine that measured them.
func tuneFrom(files []string, dryRun bool, stdout, stderr io.Writer) int {
	var all []bench.Crossover
	var tuned []zkaccel.Device
	seen := map[string]bool{}
	for _, name := range files {
		f, err := bench.ReadFile(name)
		if err != nil {
			return fail(stderr, fmt.Errorf("zkaccel tune: --from: %w", unprefix(err)))
		}
		if now := bench.Settings(); !maps.Equal(f.Env, now) {
			// A knob (a window, a multiplication form) changes what was
			// timed: say so, since the crossovers will serve today's.
			fmt.Fprintf(stderr, "zkaccel tune: note: %s was measured under ZKACCEL_* settings %v, and this run has %v\n", name, f.Env, now)
		}
		for _, c := range f.Crossovers() {
			info, _ := f.Device(c.Device)
			d, err := zkaccel.Open(c.Device)
			if err != nil {
				return fail(stderr, fmt.Errorf("zkaccel tune: --from %s: %w", name, err))
			}
			if info.Name != d.Name() {
				return fail(stderr, fmt.Errorf("zkaccel tune: --from %s: %s was %q there and is %q here: crossovers hold only for the machine that measured them", name, c.Device, info.Name, d.Name()))
			}
			if !seen[c.Device] {
				seen[c.Device] = true
				tuned = append(tuned, d)
			}
			all = append(all, c)
		}
	}
	if len(tuned) == 0 {
		return fail(stderr, fmt.Errorf("zkaccel tune: --from: no device measurements besides the CPU's in %s", strings.Join(files, ", ")))
	}
	return writeCrossovers(tuned, all, dryRun, stdout, stderr)
}

// printCrossovers prints one device's crossovers with the speed-ups they
// come from.
func printCrossovers(w io.Writer, d zkaccel.Device, cs []bench.Crossover) error {
	fmt.Fprintf(w, "%v (%s): crossovers\n", d, d.Name())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OP\tCROSSOVER\tSPEED-UP VS CPU BY SIZE")
	for _, c := range cs {
		cross := "none: stays on the cpu"
		if c.Found {
			cross = fmt.Sprintf("2^%d", c.LogN)
		}
		var ups []string
		for i, k := range c.Sizes {
			s := "-"
			if c.SpeedUps[i] > 0 {
				s = fmt.Sprintf("%.2f×", c.SpeedUps[i])
			}
			ups = append(ups, fmt.Sprintf("2^%d %s", k, s))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Call, cross, strings.Join(ups, ", "))
	}
	return tw.Flush()
}

// saveCrossovers merges cs into d's crossover file: the measured
// operations replace theirs (one without a crossover is removed), the
// others stay.
func saveCrossovers(d zkaccel.Device, cs []bench.Crossover) (string, error) {
	old, err := zkaccel.LoadCrossovers(d)
	if err != nil {
		return "", fmt.Errorf("zkaccel tune: %w (remove the file to start afresh)", err)
	}
	c := &zkaccel.Crossovers{Ops: map[string]int{}}
	if old != nil {
		for op, n := range old.Ops {
			c.Ops[op] = n
		}
	}
	for _, x := range cs {
		if x.Found {
			c.Ops[x.Call] = 1 << x.LogN
		} else {
			delete(c.Ops, x.Call)
		}
	}
	if dr, ok := d.(interface{ Driver() string }); ok {
		c.Driver = dr.Driver()
	}
	c.Date = time.Now().UTC().Format(time.RFC3339)
	c.Commit = bench.Commit()
	h := bench.Host()
	c.Machine = fmt.Sprintf("%s, %d threads, %s/%s", h.CPU, h.NumCPU, h.OS, h.Arch)
	if err := zkaccel.SaveCrossovers(d, c); err != nil {
		return "", fmt.Errorf("zkaccel tune: %w", err)
	}
	return zkaccel.CrossoverPath(d), nil
}

// presentDevices lists the devices present, for error messages.
func presentDevices() string {
	var s []string
	for _, d := range zkaccel.Devices() {
		s = append(s, d.String())
	}
	return strings.Join(s, ", ")
}
