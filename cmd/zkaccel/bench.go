package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

const benchAbout = `
Times zkaccel's front ends on the chosen devices and, always in the same run,
on the CPU, so that each speed-up is a ratio of two numbers from one run:

  msm        MultiExpG1 or MultiExpG2 of 2^k points (--curves, --group);
             --scalars bits makes each scalar 0 or 1 (variant g1-bits), as a
             witness's boolean wires are: most entries share one bucket
  ntt        forward FFT, DIF, on a domain of 2^k (--fields)
  poseidon   2^k hashes: circomlib's Poseidon of 2 inputs (bn254, circom-2),
             Polygon Hermez's of 12 elements (goldilocks, hermez)
  poseidon2  Permute2 of 2^k states with gnark-crypto's parameters (bn254 t=3,
             goldilocks t=8, babybear t=16, koalabear t=16), and the BN254
             Merkle root of 2^k leaves (bn254 merkle, width-2 compression)
  keccak     Keccak-256 of 2^k 64-byte messages (sum256-64B), Keccak-f[1600]
             of 2^k states (f1600), the Merkle root of 2^k leaves (merkle)
  groth16    a Groth16 proof of a generated circuit of 2^k constraints
             (--constraints, --curves): gnark's own prover on the CPU row,
             zkaccel's (gnark/groth16) on each device, every proof checked
             by gnark's verifier; the device rows list the prover's phases
             (solve, ntt, each msm). Setting up the circuit is not timed,
             nor is loading zkaccel's prover with its key on each device
             (NewProver: its bases, on GPUs their window multiples), whose
             time the progress line and the JSON (load_ns) report. With
             ZKACCEL_SETUP_CACHE=1 the compiled circuit and its keys are
             kept on disk (ZKACCEL_CACHE_DIR/setups, hundreds of MiB at
             2^20) and later runs load them instead of setting up again.
             Naming the CPU (--device cpu:0) adds the row zkaccel@cpu:0:
             zkaccel's prover on the CPU device, against gnark's on the
             same CPU.
  plonk      the same with PLONK (gnark/plonk; a test SRS, not for
             production keys); its phases add the quotient, which a device
             that does not compute it leaves to the CPU (a fallback).
             --circuit chain (the default) proves one chain of cubic steps,
             which gnark's solver runs in order; --circuit wide proves up to
             1024 such chains side by side, which it spreads over the cores.
             --in-flight k makes each timed call k proofs at once, from k
             goroutines with one prover (variant prove-xk), as a proving
             service runs: one proof's solving overlaps another's device
             work; the rows then report proofs per second.

--ops defaults to msm,ntt; the hash and proof ops run when named. --fields selects the
NTT fields (default bn254) and also the poseidon and poseidon2 targets
(default all of them); keccak's one target, keccak256, is always measured.

For each op, target, log2 size and device it makes one warm-up call, whose
answer must equal the CPU's, then --runs timed calls (fewer when they would
take longer than --max-time), and reports the median, min and max, and for
the hash ops the hashes (permutations, Merkle compressions) per second at the
median (proofs per second with --in-flight). A device that lacks an op falls back to the CPU; the table says so.

--cpu check leaves the CPU untimed, for runs that compare a device's settings
(ZKACCEL_* knobs) with each other: the CPU then only computes the answers the
devices' must equal, in one untimed call per op, target and size, and in none
where an earlier run of the same executable with the same --seed left that
answer in the cache (ZKACCEL_CACHE_DIR/bench, a folder per executable, the
others' removed after a week unused; ZKACCEL_CACHE=off disables it). Such a
run has no speed-ups; its JSON says "cpu": "check".

The table goes to stdout and progress to stderr; --json writes every timing
with the machine, devices, Go version and zkaccel commit, for 'zkaccel
report'; it is rewritten after each measurement, so a run killed part-way
keeps what it measured. An interrupt or SIGTERM stops the measurements and
writes the table and JSON of what they measured. Exits 1 if any
measurement failed or was cut short.`

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bench", "[flags]", benchAbout, stderr)
	devs := newList()
	fs.Var(devs, "device", "`devices` to measure besides the CPU, e.g. cuda:0 (repeatable or comma list; default ZKACCEL_DEVICE if set, else every device present but an OpenCL CPU device such as POCL)")
	ops := newList(bench.DefaultOps()...)
	fs.Var(ops, "ops", "`ops` to measure: "+strings.Join(bench.Ops(), ","))
	sizes := fs.String("sizes", "",
		fmt.Sprintf("log2 `sizes`: a range 10:16, a size 12, or a comma list of both; at most %d (default %d:%d for msm and ntt, %d:%d for the hash ops)",
			bench.MaxLogSize, bench.DefaultMinLog, bench.DefaultMaxLog, bench.DefaultHashMinLog, bench.DefaultHashMaxLog))
	constraints := fs.String("constraints", "",
		fmt.Sprintf("log2 constraint `counts` of the proof ops (groth16, plonk): 2^16, 12:16, 2^12,2^16 … (default 2^%d:2^%d)", bench.DefaultProofMinLog, bench.DefaultProofMaxLog))
	circuit := fs.String("circuit", bench.CircuitChain, "`shape` of the proof ops' generated circuit: "+strings.Join(bench.Circuits(), " or "))
	inFlight := fs.Int("in-flight", 1, fmt.Sprintf("`proofs` each timed call of the proof ops makes at once (1 to %d), for proofs per second", bench.MaxInFlight))
	curves := newList(string(zkaccel.BN254))
	fs.Var(curves, "curves", "MSM `curves`: "+joinStrings(bench.Curves()))
	fields := newList()
	fs.Var(fields, "fields", "NTT `fields` (default bn254), which also select the poseidon and poseidon2 targets (default all): "+joinStrings(bench.Fields()))
	group := fs.String("group", "g1", "MSM `group`: g1 or g2")
	scalars := fs.String("scalars", bench.ScalarsUniform, "MSM scalar `distribution`: uniform, or bits (each 0 or 1, as a witness's boolean wires)")
	runs := fs.Int("runs", bench.DefaultRuns, "timed `runs` per measurement, after one warm-up")
	maxTime := fs.Duration("max-time", bench.DefaultMaxTime, "time `budget` of one measurement's timed runs; fewer runs are made (at least one) to keep within it")
	cpuRole := fs.String("cpu", bench.CPUMeasure, "the CPU's `role`: measure (timed, the baseline of the speed-ups) or check (untimed: only the answers the devices' must equal, cached across runs)")
	seed := fs.Int64("seed", 1, "`seed` of the inputs")
	jsonOut := fs.String("json", "", "write the results as JSON to `file`")
	mdOut := fs.String("md", "", "write the results as Markdown to `file`")
	prepareOnly := fs.Bool("prepare-only", false, "prepare each op at each size and measure nothing: for the proof ops, compile the circuits and set them up, into the set-up cache where ZKACCEL_SETUP_CACHE=1, for later runs")
	pos, done, code := parse(fs, args)
	if done {
		return code
	}
	if done, code := noArgs(fs, pos); done {
		return code
	}

	cfg := bench.Config{
		Runs: *runs, MaxTime: *maxTime, Seed: *seed, Progress: stderr,
		Command:     append([]string{"zkaccel", "bench"}, args...),
		PrepareOnly: *prepareOnly,
	}
	var err error
	if isSet(fs, "sizes") {
		if cfg.Sizes, err = bench.ParseSizes(*sizes); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel bench: --sizes: %w", unprefix(err)))
		}
	}
	if isSet(fs, "constraints") {
		if cfg.Constraints, err = bench.ParseConstraints(*constraints); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel bench: --constraints: %w", unprefix(err)))
		}
	}
	if !slices.Contains(bench.Circuits(), *circuit) {
		return fail(stderr, fmt.Errorf("zkaccel bench: --circuit: unknown shape %q (known: %s)", *circuit, strings.Join(bench.Circuits(), ", ")))
	}
	cfg.Circuit = *circuit
	if *inFlight < 1 || *inFlight > bench.MaxInFlight {
		return fail(stderr, fmt.Errorf("zkaccel bench: --in-flight: %d proofs: want 1 to %d", *inFlight, bench.MaxInFlight))
	}
	if *inFlight > 1 && !slices.ContainsFunc(ops.values, func(op string) bool { return slices.Contains(bench.ProofOps(), op) }) {
		return fail(stderr, fmt.Errorf("zkaccel bench: --in-flight: applies to the proof ops (%s), and --ops names none", strings.Join(bench.ProofOps(), ", ")))
	}
	cfg.InFlight = *inFlight
	if !slices.Contains(bench.ScalarKinds(), *scalars) {
		return fail(stderr, fmt.Errorf("zkaccel bench: --scalars: unknown distribution %q (known: %s)", *scalars, strings.Join(bench.ScalarKinds(), ", ")))
	}
	cfg.Scalars = *scalars
	if !slices.Contains(bench.CPURoles(), *cpuRole) {
		return fail(stderr, fmt.Errorf("zkaccel bench: --cpu: unknown role %q (known: %s)", *cpuRole, strings.Join(bench.CPURoles(), ", ")))
	}
	cfg.CPU = *cpuRole
	if err := setMeasure("bench", &cfg, measureArgs{ops: ops.values, knownOps: bench.Ops(), curves: curves.values, fields: fields.values,
		group: *group, runs: *runs, maxTime: *maxTime}); err != nil {
		return fail(stderr, err)
	}
	if cfg.Devices, err = chosenDevices("bench", devs.values); err != nil {
		return fail(stderr, err)
	}

	// An interrupt or a termination (a timeout's, a job runner's) stops
	// the measurements; what they measured is still reported and written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *jsonOut != "" && !cfg.PrepareOnly {
		// The JSON as it grows, so that a run killed part-way (where a
		// signal cannot stop a long call in time) keeps what it measured.
		cfg.Checkpoint = func(f *bench.File) {
			if err := f.WriteFile(*jsonOut); err != nil {
				fmt.Fprintf(stderr, "zkaccel bench: saving the results so far: %v\n", err)
			}
		}
	}
	f, runErr := bench.Run(ctx, cfg)
	if f == nil || cfg.PrepareOnly && runErr != nil {
		return fail(stderr, runErr)
	}
	if cfg.PrepareOnly {
		fmt.Fprintln(stderr, "zkaccel bench: prepared; nothing measured (--prepare-only)")
		return exitOK
	}
	status := exitOK
	if err := bench.WriteTable(stdout, f); err != nil {
		return fail(stderr, err)
	}
	if *jsonOut != "" {
		if err := f.WriteFile(*jsonOut); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stderr, "zkaccel bench: wrote %s\n", *jsonOut)
	}
	if *mdOut != "" {
		var buf bytes.Buffer
		if err := bench.WriteMarkdown(&buf, []*bench.File{f}); err != nil {
			return fail(stderr, err)
		}
		if err := os.WriteFile(*mdOut, buf.Bytes(), 0o644); err != nil {
			return fail(stderr, fmt.Errorf("zkaccel bench: %w", err))
		}
		fmt.Fprintf(stderr, "zkaccel bench: wrote %s\n", *mdOut)
	}
	if runErr != nil {
		status = fail(stderr, runErr)
	}
	if f.Failed() {
		status = fail(stderr, fmt.Errorf("zkaccel bench: some measurements failed (see the table)"))
	}
	return status
}

// unprefix strips the "zkaccel bench: " that bench's errors start with,
// for errors the command wraps again.
func unprefix(err error) error {
	if s, ok := strings.CutPrefix(err.Error(), "zkaccel bench: "); ok {
		return fmt.Errorf("%s", s)
	}
	return err
}

func joinStrings[S ~string](names []S) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ",")
}
