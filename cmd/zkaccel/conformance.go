package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
	"github.com/zkaccel/zkaccel/bench/conformance"
)

const conformanceAbout = `
Runs zkaccel's conformance suite on each chosen device. Each check runs a
front end on the device on seeded inputs and compares its answer with a
reference computed on the CPU:

  msm, ntt   gnark-crypto (MultiExp, FFT)
  poseidon2  gnark-crypto's Poseidon2 permutation, state by state; the BN254
             Merkle trees, one gnark-crypto Compress at a time
  poseidon   zkaccel's own one-input-at-a-time CPU hash (bn254.Poseidon,
             goldilocks.PermuteHermez), plus circomlib's, go-iden3-crypto's
             and Polygon Hermez's published known answers
  keccak     golang.org/x/crypto/sha3's legacy Keccak-256, plus published
             Keccak-256 and Keccak-f[1600] known answers (Keccak team, XKCP)
  groth16,   gnark's verifier: zkaccel's prover (gnark/groth16, gnark/plonk)
  plonk      proves small circuits, with and without BSB22 commitments, on
             the device for each curve; gnark must accept each proof and
             reject it for another public input. Their MSMs and quotients
             are the calls checked for a fallback.

Checks also require the caller's inputs to be left unmodified. A check whose
calls the device did not all run itself (it lacks the op, curve or size, and
the CPU answered instead) passes as "ok (cpu fallback)" and is counted apart.
Prints a table of case, device, result, time and error on stdout and progress on stderr, and
exits 1 if any case fails (or none ran). The seed is printed so that a run can
be repeated with --seed.`

func runConformance(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("conformance", "[flags]", conformanceAbout, stderr)
	devs := newList()
	fs.Var(devs, "device", "`devices` to check, e.g. cpu or cuda:0 (repeatable or comma list; default ZKACCEL_DEVICE if set, else every device present)")
	ops := newList()
	fs.Var(ops, "ops", "`ops` to check: "+strings.Join(conformanceOps(), ",")+" (default all)")
	long := fs.Bool("long", false, "run the long set of cases (default: the short set)")
	seed := fs.Int64("seed", 0, "`seed` of the inputs (default: from the clock, printed)")
	filter := fs.String("run", "", "run only the cases whose full name (op/name) matches `regexp`")
	pos, done, code := parse(fs, args)
	if done {
		return code
	}
	if done, code := noArgs(fs, pos); done {
		return code
	}

	selOps, err := checkNames("conformance", "ops", ops.values, conformanceOps())
	if err != nil {
		return fail(stderr, err)
	}
	devices, err := chosenDevices("conformance", devs.values)
	if err != nil {
		return fail(stderr, err)
	}
	if devices == nil {
		devices = zkaccel.Devices()
	}
	if !isSet(fs, "seed") {
		*seed = time.Now().UnixNano()
	}
	match, err := regexp.Compile(*filter)
	if err != nil {
		return fail(stderr, fmt.Errorf("zkaccel conformance: --run: %w", err))
	}
	var cases []conformance.Case
	for _, c := range conformance.Cases(!*long, selOps...) {
		if match.MatchString(c.FullName()) {
			cases = append(cases, c)
		}
	}
	set := "short"
	if *long {
		set = "long"
	}
	fmt.Fprintf(stderr, "zkaccel conformance: %d %s cases on %s, seed %d (repeat with --seed %d)\n",
		len(cases), set, deviceList(devices), *seed, *seed)
	for _, op := range selOps {
		if len(conformance.Cases(!*long, op)) == 0 {
			fmt.Fprintf(stderr, "zkaccel conformance: warning: no %s cases for op %s\n", set, op)
		}
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tDEVICE\tRESULT\tTIME\tERROR")
	total, failed, fellBack := len(cases)*len(devices), 0, 0
	step := 0
	for _, c := range cases {
		for _, d := range devices {
			step++
			fmt.Fprintf(stderr, "[%d/%d] %s on %s … ", step, total, c.FullName(), d)
			elapsed, fallback, err := runCase(c, d, *seed)
			result, msg := "ok", ""
			switch {
			case err != nil:
				failed++
				result, msg = "FAIL", oneLine(err.Error())
			case fallback:
				fellBack++
				result = "ok (cpu fallback)"
			}
			fmt.Fprintf(stderr, "%s (%s)\n", result, bench.FormatDuration(elapsed))
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.FullName(), d, result, bench.FormatDuration(elapsed), msg)
		}
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, fmt.Errorf("zkaccel conformance: %w", err))
	}
	summary := fmt.Sprintf("%d passed", total-failed)
	if fellBack > 0 {
		summary += fmt.Sprintf(" (%d of them by a CPU fallback: the device lacks the op)", fellBack)
	}
	fmt.Fprintf(stdout, "\n%s, %d failed (seed %d)\n", summary, failed, *seed)
	switch {
	case total == 0:
		what := fmt.Sprintf("ops %s, %s set", strings.Join(opsOrAll(selOps), ","), set)
		if *filter != "" {
			what += fmt.Sprintf(", matching %q", *filter)
		}
		return fail(stderr, fmt.Errorf("zkaccel conformance: no conformance cases to run (%s)", what))
	case failed > 0:
		return fail(stderr, fmt.Errorf("zkaccel conformance: %d of %d checks failed; repeat with --seed %d", failed, total, *seed))
	}
	return exitOK
}

// runCase runs one case on one device, turning a panic into a failure, and
// reports whether any call of the check fell back to the CPU.
func runCase(c conformance.Case, d zkaccel.Device, seed int64) (elapsed time.Duration, fallback bool, err error) {
	start := time.Now()
	defer func() {
		elapsed = time.Since(start)
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	if c.Run == nil {
		return 0, false, fmt.Errorf("case has no Run function")
	}
	reps, err := c.RunReports(d, seed)
	for _, r := range reps {
		fallback = fallback || (r.Fallback && d != zkaccel.HostCPU())
	}
	return 0, fallback, err
}

// conformanceOps lists the ops the suite covers, msm and ntt first (listed
// even if a build has no cases for them).
func conformanceOps() []string {
	ops := []string{"msm", "ntt"}
	for _, op := range conformance.Ops() {
		if !slices.Contains(ops, op) {
			ops = append(ops, op)
		}
	}
	return ops
}

func opsOrAll(ops []string) []string {
	if len(ops) == 0 {
		return conformanceOps()
	}
	return ops
}

func deviceList(devs []zkaccel.Device) string {
	s := make([]string, len(devs))
	for i, d := range devs {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
