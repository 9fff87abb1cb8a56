package devtest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// RetryRun is one proof of a [ResetRetries] check, made with the gnark
// provers' WithResetRetries(retries) and WithReport: on dev by a one-shot
// Prove (p is the zero P), or by p. It returns the report's retries and
// its phases' names in order (a failed solve, whose phase has a Reason,
// as "solve failed"), and an error where the proof failed or gnark's
// verifier refused it.
type RetryRun[P any] func(dev zkaccel.Device, p P, retries int) (retried int, phases []string, err error)

// ResetRetries checks a gnark prover's WithResetRetries on a GPU-runtime
// device, over a twin dressed as a GPU (NewFaultyAsGPU) whose armed call
// does what a device reset does (it frees every buffer allocated through
// the device and fails with an error wrapping gpu.ErrDeviceReset):
//
//   - each call of a proof with a kept key in turn (at most most of them)
//     reset: with one retry the proof verifies, the report counts one
//     retry and gives one phase "reset". A reset after the solver's end
//     must not solve again where kept (nil: never) says, from the phases
//     finished before the reset, that the prover keeps its solved witness
//     there, and must solve again elsewhere; where kept is not nil, at
//     least one retry must have kept the solved witness (where none of
//     the positions fell where the prover keeps it, finer ones are reset
//     until one does).
//   - the same for a one-shot Prove, whose first calls load the key;
//   - without retries, a reset is the proof's error;
//   - with every call from the first reset on failing, two retries give
//     the reset's error after two retries;
//   - a device lost during a proof (gpu.ErrDeviceLost: every call fails
//     from then on) is the proof's error, with no retry.
//
// Afterwards the device holds no more buffers than the kept key's. Where
// the device's library can fail with a sticky error (FaultyDriver: the
// emulated GPU's CUDA driver, faultcl.c under OpenCL), the first two
// checks run there too, the runtime resetting its context itself.
func ResetRetries[P KeyKeeper](t *testing.T, dev zkaccel.Device, most int, kept func(before []string) bool, newProver func(zkaccel.Device) (P, error), run RetryRun[P]) {
	t.Helper()
	g, ok := dev.(*gpu.Device)
	if !ok {
		t.Skipf("%v is not a GPU-runtime device", dev)
	}
	t.Run("as-a-GPU", func(t *testing.T) {
		f := NewFaultyAsGPU(g)
		t.Cleanup(f.ReleaseCache)
		resets := func(again bool) {
			f.Inject(func() error {
				f.FreeLive()
				if again {
					f.Arm(1) // the next call too
				}
				return fmt.Errorf("devtest: a kernel fault: %w", gpu.ErrDeviceReset)
			})
		}
		resets(false)
		p := retryEach(t, f, most, kept, newProver, run)

		// Without retries, the reset's error; with every call failing
		// from the reset on, the error after the retries.
		calls := countCalls(t, f, "Prover.Prove", p, run)
		f.Arm(calls / 2)
		retried, _, err := run(f.GPU(), p, 0)
		f.Arm(0)
		if !errors.Is(err, zkaccel.ErrDeviceReset) || retried != 0 {
			t.Fatalf("a reset without retries: %d retries, error %v; want none and an error wrapping ErrDeviceReset", retried, err)
		}
		resets(true)
		f.Arm(calls / 2)
		retried, phases, err := run(f.GPU(), p, 2)
		f.Arm(0)
		if !errors.Is(err, zkaccel.ErrDeviceReset) || retried != 2 || count0(phases, "reset") != 2 {
			t.Fatalf("a device that resets at every call, two retries: %d retries, phases %v, error %v; want 2, two resets and an error wrapping ErrDeviceReset", retried, phases, err)
		}
		// A device lost to the process (its reset failed: every call
		// fails from then on): the loss is the proof's error, and no
		// retry is made, however many are allowed.
		f.Inject(func() error {
			f.FreeLive()
			f.Arm(1)
			return fmt.Errorf("devtest: a kernel fault that the device's reset did not survive: %w", gpu.ErrDeviceLost)
		})
		f.Arm(calls / 2)
		retried, phases, err = run(f.GPU(), p, 2)
		f.Arm(0)
		if !errors.Is(err, zkaccel.ErrDeviceLost) || errors.Is(err, zkaccel.ErrDeviceReset) || retried != 0 || count0(phases, "reset") != 0 {
			t.Fatalf("a device lost during a proof, two retries allowed: %d retries, phases %v, error %v; want none and an error wrapping ErrDeviceLost", retried, phases, err)
		}
		f.ReleaseCache()
		if _, _, err := run(f.GPU(), p, 0); err != nil {
			t.Fatalf("a proof after the resets: %v", err)
		}
	})
	// Below the runtime: the library's call fails with a sticky error
	// (the emulated GPU's CUDA driver, faultcl.c under OpenCL), after
	// which the runtime itself resets its context.
	if drv := FaultyDriver(g); drv != nil && drv.CanStick() {
		t.Run("driver-sticky", func(t *testing.T) {
			f := NewDriverFaults(t, g, true)
			t.Cleanup(f.ReleaseCache)
			retryEach(t, f, most, kept, newProver, run)
		})
	}
}

// retryEach is ResetRetries' check of each call of a proof reset in turn
// on f, whose armed call resets the device, with a prover made on it
// (returned) and with one-shot proofs.
func retryEach[P KeyKeeper](t *testing.T, f Faults, most int, kept func(before []string) bool, newProver func(zkaccel.Device) (P, error), run RetryRun[P]) P {
	t.Helper()
	var zero P
	p, err := newProver(f.GPU())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if on, _ := p.Residency(); on <= 0 {
		t.Fatalf("the prover keeps none of its key on %v", f.GPU())
	}
	for _, c := range []struct {
		name string
		q    P
	}{{"Prover.Prove", p}, {"Prove", zero}} {
		calls := countCalls(t, f, c.name, c.q, run)
		held := f.Live()
		after, keptN, missed := 0, 0, 0
		ks := FaultPositions(calls, most)
		// one resets call k and checks the proof's retry.
		one := func(k int) {
			t.Helper()
			f.Arm(k)
			retried, phases, err := run(f.GPU(), c.q, 1)
			made := f.Calls()
			f.Arm(0)
			what := fmt.Sprintf("%s, call %d of %d reset, one retry", c.name, k, calls)
			if made < k {
				// A driver's count of calls varies by a few between runs
				// (its polls and syncs): past the proof's last call,
				// nothing was reset.
				if err != nil || retried != 0 {
					t.Fatalf("%s: the proof made %d calls, and yet: %d retries, error %v", what, made, retried, err)
				}
				missed++
				f.ReleaseCache()
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			solved, keptSolve, err := checkRetried(phases, retried, kept)
			if err != nil {
				t.Fatalf("%s: %v (phases %v)", what, err, phases)
			}
			if solved {
				after++
			}
			if keptSolve {
				keptN++
			}
			f.ReleaseCache()
			if n := f.Live(); n > held {
				t.Fatalf("%s: %d device buffers live, want at most %d", what, n, held)
			}
		}
		for _, k := range ks {
			one(k)
		}
		// Where none of those fell where the prover keeps its solve (a
		// window of the calls, PLONK's before its quotient), finer
		// positions until one does.
		for _, k := range FaultPositions(calls, 8*most) {
			if kept == nil || keptN > 0 {
				break
			}
			if !slices.Contains(ks, k) {
				ks = append(ks, k)
				one(k)
			}
		}
		if kept != nil && keptN == 0 {
			t.Errorf("%s: no retry kept the solved witness", c.name)
		}
		if missed > len(ks)/4 {
			t.Errorf("%s: %d of the %d resets past the proof's last call", c.name, missed, len(ks))
		}
		t.Logf("%s: %d device calls, %d of them reset in turn (%d after the solver's end, %d of those retried with the solved witness kept; %d past the proof's end), each proof retried once and verified",
			c.name, calls, len(ks), after, keptN, missed)
	}
	return p
}

// countCalls returns the device calls of a proof by q (see RetryRun)
// without a fault, made as the faulted ones are: after the circuit's
// first proof (which makes what the prover keeps for the circuit), from a
// device whose caches were released (as after a reset).
func countCalls[P any](t *testing.T, f Faults, name string, q P, run RetryRun[P]) int {
	t.Helper()
	for range 2 {
		f.ReleaseCache()
		f.Arm(0)
		if _, _, err := run(f.GPU(), q, 0); err != nil {
			t.Fatalf("%s without a fault: %v", name, err)
		}
	}
	f.ReleaseCache()
	return f.Calls()
}

// checkRetried returns why a proof's phases, with retried retries, are
// not those of one retry after a reset (see ResetRetries), and whether the
// reset came after the solver's end. A solve that failed (a reset in a
// commitment's MSM) is the phase "solve failed" (RetryRun's names).
func checkRetried(phases []string, retried int, kept func(before []string) bool) (solved, keptSolve bool, err error) {
	resets := count0(phases, "reset")
	failed := count0(phases, "solve failed")
	solves := count0(phases, "solve") + failed
	switch {
	case retried != 1:
		return false, false, fmt.Errorf("%d retries in the report, want 1", retried)
	case resets != 1:
		return false, false, fmt.Errorf("%d reset phases, want 1", resets)
	case failed > 1:
		return false, false, fmt.Errorf("%d failed solves, want at most 1", failed)
	}
	before := phases[:slices.Index(phases, "reset")]
	solved = slices.Contains(before, "solve")
	want := 2 // the solver again
	switch {
	case !solved:
		want = 1 + failed // the reset came in the solver, or before it (the key's loading)
	case kept != nil && kept(before):
		want, keptSolve = 1, true // the solved witness kept
	}
	if solves != want {
		return solved, keptSolve, fmt.Errorf("%d solves, want %d (the reset after the solver's end: %v)", solves, want, solved)
	}
	return solved, keptSolve, nil
}

// count0 is the number of times name is in names.
func count0(names []string, name string) int {
	n := 0
	for _, s := range names {
		if s == name {
			n++
		}
	}
	return n
}
