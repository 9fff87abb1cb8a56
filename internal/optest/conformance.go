// Package optest holds the tests that every MSM and NTT front-end package
// runs, written once: the conformance cases of one curve or field on every
// device ([Conformance]), bad inputs ([MSMBadInput], [NTTBadInput]), fuzz
// targets ([FuzzMSM], [FuzzNTT]) and benchmarks ([BenchMultiExp],
// [BenchFFT], [BenchFFTInverse], and [BenchOverhead] for bn254's overhead
// benchmarks). The per-package test files only name their curve or field.
package optest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench/conformance"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
)

// Expect says where the calls of a conformance case must have run.
type Expect int

const (
	// Anywhere accepts a call that ran on the device or fell back to the
	// CPU (the suite itself checks that the report is consistent).
	Anywhere Expect = iota
	// OnDevice requires every call to run on the device, without fallback.
	OnDevice
	// FallsBack requires every call to fall back to the CPU, except MSMs
	// of zero points, which no device is asked for.
	FallsBack
)

// Check returns an error when report r of a call on dev does not meet e.
func (e Expect) Check(r zkaccel.Report, dev zkaccel.Device) error {
	switch e {
	case OnDevice:
		if r.Fallback || r.Ran != dev {
			return fmt.Errorf("%s n=%d ran on %v (fallback %v: %v), want %v without fallback", r.Op, r.N, r.Ran, r.Fallback, r.Reason, dev)
		}
	case FallsBack:
		if r.N == 0 && strings.HasPrefix(r.Op, "msm") {
			return nil
		}
		if !r.Fallback || r.Ran != zkaccel.HostCPU() || !errors.Is(r.Reason, zkaccel.ErrUnsupported) {
			return fmt.Errorf("%s n=%d ran on %v (fallback %v: %v), want a fallback to the CPU for ErrUnsupported", r.Op, r.N, r.Ran, r.Fallback, r.Reason)
		}
	}
	return nil
}

// RunCases runs every case on dev as a subtest named by the case's full
// name, with inputs drawn from seed, and checks each call's report against
// want. Anywhere becomes OnDevice for a device that ZKACCEL_REQUIRE names
// (devtest.Required): a required device must run every call itself, but
// for the ops a zkaccel.PartialDevice says it does not run.
func RunCases(t *testing.T, dev zkaccel.Device, cases []conformance.Case, seed int64, want Expect) {
	t.Helper()
	for _, c := range cases {
		want := want
		family, _, _ := strings.Cut(c.Name, "/")
		if want == Anywhere && devtest.MustRun(dev, c.Op+"/"+family) {
			want = OnDevice
		}
		t.Run(c.FullName(), func(t *testing.T) {
			reports, err := c.RunReports(dev, seed)
			if err != nil {
				t.Fatalf("on %v (seed %d): %v", dev, seed, err)
			}
			if len(reports) == 0 {
				t.Fatalf("on %v: the case made no front-end call", dev)
			}
			for i, r := range reports {
				if err := want.Check(r, dev); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
		})
	}
}

// Select returns the cases of op (respecting short) whose names start with
// prefix, and fails t when there is none.
func Select(t testing.TB, short bool, op, prefix string) []conformance.Case {
	t.Helper()
	var out []conformance.Case
	for _, c := range conformance.Cases(short, op) {
		if strings.HasPrefix(c.Name, prefix) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no conformance case %s/%s*", op, prefix)
	}
	return out
}

// Conformance runs the conformance cases of op whose names start with
// prefix ("bn254/" for a curve or field) on every device present (see
// devtest.ForEachDevice) and on fakedev.Loopback, where every call must run
// on the device.
func Conformance(t *testing.T, op, prefix string) {
	cases := Select(t, testing.Short(), op, prefix)
	seed := devtest.Seed(t)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		RunCases(t, dev, cases, seed, Anywhere)
	})
	t.Run("loopback", func(t *testing.T) { RunCases(t, fakedev.Loopback, cases, seed, OnDevice) })
}
