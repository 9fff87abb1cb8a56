package prover

import (
	"bytes"
	"fmt"
	"strings"

	gnarkio "github.com/consensys/gnark/io"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/envflag"
)

// What the provers' tests check of a proof's report and of a device; kept
// here so that both provers' tests share it.

// CheckPlace returns an error (for tests) unless rep has exactly one phase
// name and it ran where it should on dev: on the CPU device, there; on a
// device that computes it (runs), on that device when required (the test
// demands it, ZKACCEL_REQUIRE), anywhere the report allows otherwise; on
// any other device, on the CPU as a visible fallback.
func CheckPlace(rep *Report, name string, dev zkaccel.Device, runs, required bool) error {
	var found []Phase
	for _, p := range rep.Phases {
		if p.Name == name {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		return fmt.Errorf("%d %q phases: %s", len(found), name, rep.String())
	}
	p := found[0]
	switch {
	case dev.Kind() == zkaccel.CPU || (runs && required):
		if p.Fallback || p.Ran != dev {
			return fmt.Errorf("%s ran on %v (fallback %v), want %v: %s", name, p.Ran, p.Fallback, dev, rep.String())
		}
	case !runs:
		if !p.Fallback || p.Ran == nil || p.Ran.Kind() != zkaccel.CPU {
			return fmt.Errorf("%s on %v, which does not compute it: ran on %v (fallback %v), want a cpu fallback", name, dev, p.Ran, p.Fallback)
		}
	}
	return nil
}

// MSMsOn returns an error (for tests) naming each MSM phase of rep that
// did not run on dev itself.
func MSMsOn(rep *Report, dev zkaccel.Device) error {
	var off []string
	for _, p := range rep.Phases {
		if strings.HasPrefix(p.Name, "msm ") && (p.Fallback || p.Ran != dev) {
			off = append(off, fmt.Sprintf("%s ran on %v (fallback %v)", p.Name, p.Ran, p.Fallback))
		}
	}
	if len(off) > 0 {
		return fmt.Errorf("not on %v: %s", dev, strings.Join(off, "; "))
	}
	return nil
}

// SwitchedOn reports whether every on/off variable of names (default on,
// such as gpu.EnvPlonkFuse) is on, so that the tests expect the paths they
// choose: a run with a fallback setting takes the other path, and its
// proofs must still verify. A malformed value counts as on (the device
// then refuses the call, which the test reports).
func SwitchedOn(names ...string) bool { return envflag.FirstOff(names...) == "" }

// DeviceHeld returns the device memory dev holds once it has dropped its
// caches (for tests that nothing leaks); ok is false where dev does not
// count its memory (zkaccel.MemoryDevice).
func DeviceHeld(dev zkaccel.Device) (held uint64, ok bool) {
	m, ok := dev.(zkaccel.MemoryDevice)
	if !ok {
		return 0, false
	}
	if c, ok := dev.(interface{ ReleaseCache() }); ok {
		c.ReleaseCache()
	}
	m.ResetPeakMemory()
	held, err := m.PeakMemory()
	return held, err == nil
}

// SameBytes returns an error (for tests) unless got's raw encoding is
// want's, byte for byte, naming the first byte that differs.
func SameBytes(want, got gnarkio.WriterRawTo) error {
	var a, b bytes.Buffer
	if _, err := want.WriteRawTo(&a); err != nil {
		return fmt.Errorf("encode gnark's proof: %w", err)
	}
	if _, err := got.WriteRawTo(&b); err != nil {
		return fmt.Errorf("encode zkaccel's proof: %w", err)
	}
	x, y := a.Bytes(), b.Bytes()
	if bytes.Equal(x, y) {
		return nil
	}
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	return fmt.Errorf("zkaccel's proof (%d bytes) differs from gnark's (%d bytes) made from the same random bytes, from byte %d on", len(y), len(x), i)
}

// Outcome compares, for tests, zkaccel's prover's error err with gnark's
// gerr on the same witness: compare is true where both proved (their
// proofs are then to be compared), and problem is non-nil where they
// disagree: zkaccel proved where gnark could not, or failed where gnark
// proved.
func Outcome(gerr, err error) (compare bool, problem error) {
	switch {
	case gerr != nil && err == nil:
		return false, fmt.Errorf("zkaccel proved what gnark could not (%v)", gerr)
	case gerr != nil:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("gnark proved, zkaccel did not: %w", err)
	}
	return true, nil
}
