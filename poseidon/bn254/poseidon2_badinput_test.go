package bn254_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// errP2Failing is the error of the failing test devices.
var errP2Failing = errors.New("simulated kernel failure")

// p2NoPanic calls f and turns a panic into a test failure.
func p2NoPanic[T any](t *testing.T, f func() (T, error)) (v T, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	return f()
}

// p2Edit returns a deep copy of gnark-crypto's parameters for (t, rf, rp)
// after edit.
func p2Edit(t, rf, rp int, edit func(p *poseidon2.Parameters)) *poseidon2.Parameters {
	p := *poseidon2.NewParameters(t, rf, rp)
	p.RoundKeys = slices.Clone(p.RoundKeys)
	for i := range p.RoundKeys {
		p.RoundKeys[i] = slices.Clone(p.RoundKeys[i])
	}
	p.DiagM1 = slices.Clone(p.DiagM1)
	edit(&p)
	return &p
}

// TestPermute2BadInput checks that Permute2 rejects inconsistent
// parameters, a length that is not a multiple of the width and bad options
// with an error naming the problem, on the CPU and on a device, without
// panicking and without touching the states; and that a failing device's
// error is returned rather than hidden by a fallback.
func TestPermute2BadInput(t *testing.T) {
	rng := inputs.NewRand(1)
	type call struct {
		name   string
		params *poseidon2.Parameters
		len    int // states, in elements
		opts   []poseidon.Option
		word   string
	}
	seeded := func(t, rf, rp int) *poseidon2.Parameters { return poseidon2.NewParametersWithSeed(t, rf, rp, "bad") }
	var one fr.Element
	one.SetOne()
	calls := []call{
		{"nil params", nil, 6, nil, "nil parameters"},
		{"width 0", seeded(0, 8, 56), 6, nil, "width 0"},
		{"width 1", seeded(1, 8, 56), 6, nil, "width 1"},
		{"width 5", seeded(5, 8, 56), 10, nil, "width 5"},
		{"width 6", seeded(6, 8, 56), 12, nil, "width 6"},
		{"width -4", &poseidon2.Parameters{Width: -4}, 4, nil, "width -4"},
		{"width 4 without DiagM1", p2Edit(4, 8, 56, func(p *poseidon2.Parameters) { p.DiagM1 = nil }), 8, nil, "DiagM1"},
		{"width 8 with a short DiagM1", p2Edit(8, 8, 57, func(p *poseidon2.Parameters) { p.DiagM1 = p.DiagM1[:4] }), 8, nil, "DiagM1 of 8"},
		{"seeded width 4", seeded(4, 8, 56), 8, nil, "DiagM1"},
		{"negative full rounds", &poseidon2.Parameters{Width: 3, NbFullRounds: -2, NbPartialRounds: 2}, 3, nil, "negative"},
		{"negative partial rounds", &poseidon2.Parameters{Width: 2, NbFullRounds: 2, NbPartialRounds: -1, RoundKeys: make([][]fr.Element, 1)}, 2, nil, "negative"},
		{"too few rounds of keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys = p.RoundKeys[:63] }), 3, nil, "RoundKeys has 63 rounds"},
		{"too many rounds of keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.NbPartialRounds = 55 }), 3, nil, "RoundKeys has 64 rounds"},
		{"short full round", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[0] = p.RoundKeys[0][:2] }), 3, nil, "RoundKeys[0] has 2 keys"},
		{"long last round", p2Edit(2, 6, 50, func(p *poseidon2.Parameters) { p.RoundKeys[55] = append(p.RoundKeys[55], one) }), 2, nil, "RoundKeys[55] has 3 keys"},
		{"partial round of 2 keys", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[4] = append(p.RoundKeys[4], one) }), 3, nil, "RoundKeys[4] has 2 keys"},
		{"partial round of no key", p2Edit(3, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[59] = nil }), 3, nil, "RoundKeys[59] has 0 keys"},
		{"partial round with a second key", p2Edit(4, 8, 56, func(p *poseidon2.Parameters) { p.RoundKeys[10][3] = one }), 4, nil, "RoundKeys[10][3] is not zero"},
		{"5 elements for width 2", poseidon2.NewParameters(2, 6, 50), 5, nil, "len(states) = 5 is not a multiple of the width 2"},
		{"4 elements for width 3", poseidon2.NewParameters(3, 8, 56), 4, nil, "len(states) = 4 is not a multiple of the width 3"},
		{"WithNbTasks(0)", poseidon2.NewParameters(3, 8, 56), 3, []poseidon.Option{poseidon.WithNbTasks(0)}, "WithNbTasks(0)"},
		{"WithNbTasks(-1)", poseidon2.NewParameters(3, 8, 56), 3, []poseidon.Option{poseidon.WithNbTasks(-1)}, "WithNbTasks(-1)"},
		{"WithNbTasks(1025)", poseidon2.NewParameters(3, 8, 56), 3, []poseidon.Option{poseidon.WithNbTasks(1025)}, "WithNbTasks(1025)"},
		{"WithDevice(nil)", poseidon2.NewParameters(3, 8, 56), 3, []poseidon.Option{poseidon.WithDevice(nil)}, "WithDevice(nil)"},
	}
	for _, c := range calls {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), p2Loopback, fakedev.Loopback} {
			states := inputs.Elements[fr.Element](rng, c.len)
			orig := slices.Clone(states)
			opts := append([]poseidon.Option{poseidon.WithDevice(dev)}, c.opts...)
			_, err := p2NoPanic(t, func() (struct{}, error) { return struct{}{}, bn254.Permute2(c.params, states, opts...) })
			if err == nil || !strings.Contains(err.Error(), "zkaccel: poseidon2 bn254: ") || !strings.Contains(err.Error(), c.word) {
				t.Errorf("%s on %v: error %v, want one mentioning %q", c.name, dev, err, c.word)
			}
			p2Diff(t, c.name+": states after the failed call", states, orig)
		}
	}

	t.Run("env-device", func(t *testing.T) {
		t.Setenv(zkaccel.EnvDevice, "cuda:7")
		if _, err := zkaccel.Open("cuda:7"); err == nil {
			t.Skip("cuda:7 is present")
		}
		states := inputs.Elements[fr.Element](rng, 6)
		orig := slices.Clone(states)
		err := bn254.Permute2(poseidon2.NewParameters(2, 6, 50), states)
		if err == nil || !strings.Contains(err.Error(), zkaccel.EnvDevice) || !strings.Contains(err.Error(), "poseidon2 bn254") {
			t.Fatalf("error %v", err)
		}
		p2Diff(t, "states", states, orig)
		// An explicit device is obeyed whatever the variable says.
		if err := bn254.Permute2(poseidon2.NewParameters(2, 6, 50), states, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("failing-device", func(t *testing.T) {
		failing := &p2Device{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return errP2Failing }, nil}
		states := inputs.Elements[fr.Element](rng, 6)
		err := bn254.Permute2(poseidon2.NewParameters(3, 8, 56), states, poseidon.WithDevice(failing))
		if !errors.Is(err, errP2Failing) {
			t.Fatalf("error %v, want the device's", err)
		}
	})
}

// TestPermute2DeviceFaults checks that the comparison of TestPermute2 sees
// a device that computes nothing or a wrong element: it must not pass.
func TestPermute2DeviceFaults(t *testing.T) {
	w := p2Instances[1]
	states := inputs.Elements[fr.Element](inputs.NewRand(2), 4*w.t)
	want := p2Want(t, w.perm(), w.t, states)
	for _, dev := range []*p2Device{
		{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return nil }, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			err := fakedev.LoopbackPoseidon2(r)
			r.States[len(r.States)-1] ^= 1
			return err
		}, nil},
		{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
			r.RoundKeys = r.RoundKeys[:len(r.RoundKeys)-32]
			return fakedev.LoopbackPoseidon2(r)
		}, nil},
	} {
		got := slices.Clone(states)
		if err := bn254.Permute2(w.params(), got, poseidon.WithDevice(dev)); err == nil && slices.Equal(got, want) {
			t.Fatalf("a faulty device passed")
		}
	}
	// A device that writes its inputs must not change later calls.
	w = p2Instances[4] // t = 12: DiagM1 comes from gnark-crypto's shared tables
	states = inputs.Elements[fr.Element](inputs.NewRand(3), 2*w.t)
	want = p2Want(t, w.perm(), w.t, states)
	writer := &p2Device{fakedev.Bare, func(r *zkaccel.Poseidon2Request) error {
		for i := range r.DiagM1 {
			r.DiagM1[i] ^= 0x55
		}
		for i := range r.RoundKeys {
			r.RoundKeys[i] ^= 0x55
		}
		return nil
	}, nil}
	if err := bn254.Permute2(w.params(), slices.Clone(states), poseidon.WithDevice(writer)); err != nil {
		t.Fatal(err)
	}
	if err := bn254.Permute2(w.params(), states, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
		t.Fatal(err)
	}
	p2Diff(t, "a CPU call after a device that writes its inputs", states, want)
}
