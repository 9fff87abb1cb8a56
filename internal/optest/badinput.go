package optest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/ntt"
)

// errFailing is the error of the failing device in the bad-input tests.
var errFailing = errors.New("simulated kernel failure")

// badEnv are ZKACCEL_DEVICE values that name no present device.
var badEnv = []string{"cuda:7", "nonsense", "cpu:1"}

// badNbTasks are WithNbTasks arguments out of range.
var badNbTasks = []int{0, -1, 1025}

// devices are the devices the bad-input tests run on: the CPU, and the
// loopback for the device path.
func devices() []zkaccel.Device { return []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} }

// noPanic calls f and turns a panic into a test failure.
func noPanic(t *testing.T, what string, f func() error) error {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("%s panicked: %v", what, p)
		}
	}()
	return f()
}

// wantErr checks that err is not nil and mentions every one of words.
func wantErr(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("%s: error %q does not mention %q", what, err, w)
		}
	}
}

// unchanged fails t when got differs, byte for byte, from want (a copy
// taken before a call that failed).
func unchanged[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) || !bytes.Equal(rawbytes.Of(got), rawbytes.Of(want)) {
		t.Fatalf("%s: modified by a call that returned an error", what)
	}
}

// withBadEnv runs f in a subtest per bad ZKACCEL_DEVICE value, with the
// variable set to it; a value that names a present device is skipped.
func withBadEnv(t *testing.T, f func(t *testing.T, v string)) {
	for _, v := range badEnv {
		t.Run(v, func(t *testing.T) {
			if _, err := zkaccel.Open(v); err == nil {
				t.Skipf("%s=%s names a present device", zkaccel.EnvDevice, v)
			}
			t.Setenv(zkaccel.EnvDevice, v)
			f(t, v)
		})
	}
}

// checkFailing checks that err is the failing device's error, returned
// rather than hidden by a fallback.
func checkFailing(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, errFailing) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Fatalf("failing device: got error %v, want one wrapping %q", err, errFailing)
	}
}

// MSMBadInput checks that front (the MultiExpG1 or MultiExpG2 of curve group
// b) rejects bad arguments with an error that names the problem — on the CPU
// and on a device — without panicking and without touching the caller's
// points, scalars or p; that a nil p is allocated; that zero points give the
// identity; that an invalid ZKACCEL_DEVICE is reported; and that a failing
// device's error is returned, not replaced by a CPU fallback.
func MSMBadInput[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](t *testing.T, b bind.MSM[J, A, S], front func(p *J, points []A, scalars []S, opts ...msm.Option) (*J, error)) {
	rng := inputs.NewRand(devtest.Seed(t))
	const n = 5
	points, scalars := b.Random(rng, n), inputs.Elements[S, PS](rng, n)
	var ref J
	if _, err := PJ(&ref).MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	var want A
	PA(&want).FromJacobian(&ref)
	op := fmt.Sprintf("msm %s %s", b.Curve, b.Group)

	// bad calls front on copies of pts and sc and a preset p, and checks that
	// it fails with an error naming op and words, modifying nothing.
	bad := func(t *testing.T, what string, pts []A, sc []S, opts []msm.Option, words ...string) error {
		t.Helper()
		argP, argS := slices.Clone(pts), slices.Clone(sc)
		p := make([]J, 1)
		PJ(&p[0]).FromAffine(&points[0])
		p0 := slices.Clone(p)
		err := noPanic(t, what, func() error { _, err := front(&p[0], argP, argS, opts...); return err })
		wantErr(t, what, err, append([]string{op}, words...)...)
		unchanged(t, what+": points", argP, pts)
		unchanged(t, what+": scalars", argS, sc)
		unchanged(t, what+": p", p, p0)
		return err
	}
	// good calls front(p, pts, sc) and checks that it returns a non-nil
	// point (p itself when not nil) equal to wantRes.
	good := func(t *testing.T, what string, p *J, pts []A, sc []S, wantRes *A, opts ...msm.Option) {
		t.Helper()
		var got *J
		err := noPanic(t, what, func() (err error) { got, err = front(p, pts, sc, opts...); return err })
		switch {
		case err != nil:
			t.Fatalf("%s: %v", what, err)
		case got == nil || (p != nil && got != p):
			t.Fatalf("%s: returned %p for p = %p", what, got, p)
		}
		var have A
		if PA(&have).FromJacobian(got); !PA(&have).Equal(wantRes) {
			t.Fatalf("%s: got %s, want %s", what, PA(&have), PA(wantRes))
		}
	}

	t.Run("mismatched-lengths", func(t *testing.T) {
		for _, dev := range devices() {
			o := []msm.Option{msm.WithDevice(dev)}
			bad(t, "3 points, 5 scalars", points[:3], scalars, o, "3 points", "5 scalars")
			bad(t, "5 points, 0 scalars", points, nil, o, "5 points", "0 scalars")
			bad(t, "0 points, 5 scalars", nil, scalars, o, "0 points", "5 scalars")
		}
	})
	t.Run("nbtasks", func(t *testing.T) {
		for _, dev := range devices() {
			for _, k := range badNbTasks {
				bad(t, fmt.Sprintf("WithNbTasks(%d)", k), points, scalars, []msm.Option{msm.WithDevice(dev), msm.WithNbTasks(k)}, fmt.Sprintf("WithNbTasks(%d)", k))
			}
			for _, k := range []int{1, 1024} {
				good(t, fmt.Sprintf("WithNbTasks(%d)", k), nil, points, scalars, &want, msm.WithDevice(dev), msm.WithNbTasks(k))
			}
		}
	})
	t.Run("nil-device", func(t *testing.T) {
		bad(t, "WithDevice(nil)", points, scalars, []msm.Option{msm.WithDevice(nil)}, "WithDevice(nil)")
		bad(t, "WithDevice(cpu), WithDevice(nil)", points, scalars, []msm.Option{msm.WithDevice(zkaccel.HostCPU()), msm.WithDevice(nil)}, "WithDevice(nil)")
	})
	t.Run("env-device", func(t *testing.T) {
		withBadEnv(t, func(t *testing.T, v string) {
			bad(t, zkaccel.EnvDevice+"="+v, points, scalars, nil, zkaccel.EnvDevice, v)
			// An explicit device is obeyed whatever the variable says.
			good(t, "WithDevice(cpu) under a bad "+zkaccel.EnvDevice, nil, points, scalars, &want, msm.WithDevice(zkaccel.HostCPU()))
		})
	})
	t.Run("failing-device", func(t *testing.T) {
		checkFailing(t, bad(t, "failing device", points, scalars, []msm.Option{msm.WithDevice(fakedev.Failing(errFailing))}))
	})
	t.Run("nil-p", func(t *testing.T) {
		for _, dev := range devices() {
			good(t, "nil p on "+dev.String(), nil, points, scalars, &want, msm.WithDevice(dev))
		}
	})
	t.Run("empty", func(t *testing.T) {
		var identity A
		for _, dev := range append(devices(), fakedev.Failing(errFailing)) {
			good(t, "nil slices on "+dev.String(), nil, nil, nil, &identity, msm.WithDevice(dev))
			p := new(J)
			PJ(p).FromAffine(&points[0])
			good(t, "empty slices on "+dev.String(), p, []A{}, []S{}, &identity, msm.WithDevice(dev))
		}
	})
}

// NTTBadInput checks that fft and fftInverse (the FFT and FFTInverse of
// field b) reject a nil domain, an input whose length is not the domain's
// cardinality, an unknown decimation, an out-of-range WithNbTasks,
// WithDevice(nil) and an invalid ZKACCEL_DEVICE with an error that names the
// problem — on the CPU and on a device — without panicking and without
// touching the input; and that a failing device's error is returned.
func NTTBadInput[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](t *testing.T, b bind.NTT[Dom, E, Dec, O, DO], fft, fftInverse func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error) {
	rng := inputs.NewRand(devtest.Seed(t))
	const n = 16
	dom := b.NewDomain(n)
	a := inputs.Elements[E, PE](rng, n)
	for _, f := range []struct {
		name string
		run  func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error
	}{{"fft", fft}, {"fft-inverse", fftInverse}} {
		op := fmt.Sprintf("ntt %s %s", b.Field, f.name)
		bad := func(t *testing.T, what string, d *Dom, in []E, dec Dec, opts []ntt.Option, words ...string) error {
			t.Helper()
			arg := slices.Clone(in)
			err := noPanic(t, what, func() error { return f.run(d, arg, dec, opts...) })
			wantErr(t, what, err, append([]string{op}, words...)...)
			unchanged(t, what+": input", arg, in)
			return err
		}
		t.Run(f.name, func(t *testing.T) {
			for _, dev := range devices() {
				o := []ntt.Option{ntt.WithDevice(dev)}
				bad(t, "nil domain", nil, a, b.DIT, o, "nil domain")
				for _, in := range [][]E{a[:n-1], append(slices.Clone(a), a...), nil} {
					bad(t, fmt.Sprintf("len(a) = %d", len(in)), dom, in, b.DIF, o, "cardinality", fmt.Sprint(len(in)))
				}
				for _, dec := range []Dec{2, 255} {
					bad(t, fmt.Sprintf("decimation %d", dec), dom, a, dec, o, "decimation")
				}
				for _, k := range badNbTasks {
					bad(t, fmt.Sprintf("WithNbTasks(%d)", k), dom, a, b.DIT, append(o, ntt.WithNbTasks(k)), fmt.Sprintf("WithNbTasks(%d)", k))
				}
			}
			bad(t, "WithDevice(nil)", dom, a, b.DIT, []ntt.Option{ntt.WithDevice(nil)}, "WithDevice(nil)")
			withBadEnv(t, func(t *testing.T, v string) {
				bad(t, zkaccel.EnvDevice+"="+v, dom, a, b.DIF, nil, zkaccel.EnvDevice, v)
				// An explicit device is obeyed whatever the variable says.
				if err := f.run(dom, slices.Clone(a), b.DIF, ntt.WithDevice(zkaccel.HostCPU())); err != nil {
					t.Fatalf("WithDevice(cpu) under a bad %s: %v", zkaccel.EnvDevice, err)
				}
			})
			checkFailing(t, bad(t, "failing device", dom, a, b.DIT, []ntt.Option{ntt.WithDevice(fakedev.Failing(errFailing))}))
		})
	}
}
