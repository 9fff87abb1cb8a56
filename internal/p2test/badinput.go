package p2test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
)

// BadCall is an invalid call of Permute2: its parameters, the length of its
// states, its options, and a word its error must contain.
type BadCall[P any] struct {
	Name   string
	Params *P
	Len    int // the states', in elements
	Opts   []poseidon.Option
	Word   string
}

// badCalls are the invalid calls of every field: a nil or zero parameter
// set, f.BadWidths, negative round counts, round keys of the wrong shape
// (edits of f.Main's parameters), lengths that are not a multiple of the
// width, and invalid options.
func badCalls[P, Perm, E any, PE element[E]](f *Field[P, Perm, E]) []BadCall[P] {
	w := f.Main
	t0, half := w.T, w.RF/2
	var one E
	PE(&one).SetOne()
	edit := func(e func(p *P, v View[E])) *P { return f.Edit(w, func(p *P) { e(p, f.View(p)) }) }
	calls := []BadCall[P]{
		{"nil params", nil, t0, nil, "nil parameters"},
		{"width 0", new(P), t0, nil, "width 0"},
		{"width -1", f.Make(-1, 0, 0, nil), t0, nil, "width -1"},
	}
	for _, b := range f.BadWidths {
		calls = append(calls, BadCall[P]{fmt.Sprintf("width %d", b), f.NewParametersWithSeed(b, w.RF, w.RP, "bad"), 2 * b, nil, fmt.Sprintf("width %d", b)})
	}
	return append(calls, []BadCall[P]{
		{"negative full rounds", f.Make(t0, -2, 2, nil), t0, nil, "negative"},
		{"negative partial rounds", f.Make(t0, 2, -1, make([][]E, 1)), t0, nil, "negative"},
		{"too few rounds of keys", edit(func(p *P, v View[E]) { *v.RoundKeys = (*v.RoundKeys)[1:] }), t0, nil, "RoundKeys has"},
		{"too many rounds of keys", edit(func(p *P, v View[E]) { *v.NbPartialRounds-- }), t0, nil, "RoundKeys has"},
		{"short full round", edit(func(p *P, v View[E]) { (*v.RoundKeys)[0] = (*v.RoundKeys)[0][:t0-1] }), t0, nil, fmt.Sprintf("RoundKeys[0] has %d keys", t0-1)},
		{"long last round", edit(func(p *P, v View[E]) {
			k := *v.RoundKeys
			k[len(k)-1] = append(k[len(k)-1], one)
		}), t0, nil, fmt.Sprintf("has %d keys", t0+1)},
		{"partial round of 2 keys", edit(func(p *P, v View[E]) { (*v.RoundKeys)[half] = append((*v.RoundKeys)[half][:1], one) }), t0, nil, fmt.Sprintf("RoundKeys[%d] has 2 keys", half)},
		{"partial round of no key", edit(func(p *P, v View[E]) { (*v.RoundKeys)[half] = nil }), t0, nil, fmt.Sprintf("RoundKeys[%d] has 0 keys", half)},
		{"partial round with a second key", edit(func(p *P, v View[E]) {
			k := append((*v.RoundKeys)[half][:1], make([]E, t0-1)...)
			k[2] = one
			(*v.RoundKeys)[half] = k
		}), t0, nil, fmt.Sprintf("RoundKeys[%d][2] is not zero", half)},
		{"one element too many", f.Params(w), t0 + 1, nil, fmt.Sprintf("len(states) = %d is not a multiple of the width %d", t0+1, t0)},
		{"one element too few", f.Params(w), 2*t0 - 1, nil, fmt.Sprintf("len(states) = %d is not a multiple", 2*t0-1)},
		{"WithNbTasks(0)", f.Params(w), t0, []poseidon.Option{poseidon.WithNbTasks(0)}, "WithNbTasks(0)"},
		{"WithNbTasks(-1)", f.Params(w), t0, []poseidon.Option{poseidon.WithNbTasks(-1)}, "WithNbTasks(-1)"},
		{"WithNbTasks(1025)", f.Params(w), t0, []poseidon.Option{poseidon.WithNbTasks(1025)}, "WithNbTasks(1025)"},
		{"WithDevice(nil)", f.Params(w), t0, []poseidon.Option{poseidon.WithDevice(nil)}, "WithDevice(nil)"},
	}...)
}

// BadInput checks that permute2 rejects inconsistent parameters, a length
// that is not a multiple of the width and bad options — the calls of every
// field and extra, the field's own — with an error naming the problem, on
// the CPU and on devices, without panicking and without touching the
// states; that an invalid ZKACCEL_DEVICE is reported and an explicit device
// still obeyed; and that a failing device's error is returned rather than
// hidden by a fallback.
func BadInput[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E], extra ...BadCall[P]) {
	rng := inputs.NewRand(1)
	for _, c := range append(badCalls[P, Perm, E, PE](f), extra...) {
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), Loopback, fakedev.Loopback} {
			s := inputs.Elements[E, PE](rng, c.Len)
			orig := slices.Clone(s)
			opts := append([]poseidon.Option{poseidon.WithDevice(dev)}, c.Opts...)
			_, err := NoPanic(t, func() (struct{}, error) { return struct{}{}, permute2(c.Params, s, opts...) })
			if err == nil || !strings.Contains(err.Error(), "zkaccel: "+f.Op()+": ") || !strings.Contains(err.Error(), c.Word) {
				t.Errorf("%s on %v: error %v, want one mentioning %q", c.Name, dev, err, c.Word)
			}
			Diff[E, PE](t, c.Name+": states after the failed call", s, orig)
		}
	}

	w := f.Main
	t.Run("env-device", func(t *testing.T) {
		t.Setenv(zkaccel.EnvDevice, "cuda:7")
		if _, err := zkaccel.Open("cuda:7"); err == nil {
			t.Skip("cuda:7 is present")
		}
		s := inputs.Elements[E, PE](rng, w.T)
		orig := slices.Clone(s)
		err := permute2(f.Params(w), s)
		if err == nil || !strings.Contains(err.Error(), zkaccel.EnvDevice) || !strings.Contains(err.Error(), f.Op()) {
			t.Fatalf("error %v", err)
		}
		Diff[E, PE](t, "states", s, orig)
		// An explicit device is obeyed whatever the variable says.
		if err := permute2(f.Params(w), s, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("failing-device", func(t *testing.T) {
		failing := &Device{fakedev.Bare, func(*zkaccel.Poseidon2Request) error { return ErrFailing }, nil}
		err := permute2(f.Params(w), inputs.Elements[E, PE](rng, w.T), poseidon.WithDevice(failing))
		if !errors.Is(err, ErrFailing) {
			t.Fatalf("error %v, want the device's", err)
		}
	})
}
