package p2test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// CompileKernels returns a field package's CPU kernels for params, as its
// internal test file exposes them: one, the one-state permutation; lanes,
// the batched kernel with buffers of its own for up to block states (nil
// where the field has none); batch, the batch driver on nbTasks goroutines.
type CompileKernels[P, E any] func(params *P) (one, lanes func(states []E), block int, batch func(states []E, nbTasks int), err error)

// Kernels checks, for every instance of f.Kernel, the one-state
// permutation and the batched kernel against gnark-crypto's Permutation,
// for numbers of states from 1 to a block, on states with 0, 1 and p−1
// mixed in; and the batch driver, with 1 and 3 goroutines, under every
// combination of switches (the package's variables that turn a kernel on
// and off, restored afterwards).
func Kernels[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], compile CompileKernels[P, E], switches map[string]*bool) {
	rng := inputs.NewRand(devtest.Seed(t))
	names := make([]string, 0, len(switches))
	for name, v := range switches {
		names = append(names, name)
		defer func(v *bool, was bool) { *v = was }(v, *v)
	}
	sort.Strings(names)
	for _, w := range f.Kernel {
		t.Run(w.String(), func(t *testing.T) {
			params, ref := f.Params(w), f.Perm(w)
			one, lanes, block, batch, err := compile(params)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []int{1, 2, 7, 8, 9, 15, 16, 17, 20, 33, block - 1, block} {
				if m < 1 || (lanes != nil && m > block) {
					continue
				}
				s := inputs.Elements[E, PE](rng, m*w.T)
				mixEdges[E, PE](s, w.T)
				want := want(t, f, ref, w.T, s)
				got := slices.Clone(s)
				for i := 0; i < m; i++ {
					one(got[i*w.T : (i+1)*w.T])
				}
				Diff[E, PE](t, fmt.Sprintf("m=%d: one-state permutation", m), got, want)
				if lanes != nil {
					got = slices.Clone(s)
					lanes(got)
					Diff[E, PE](t, fmt.Sprintf("m=%d: batched kernel", m), got, want)
				}
			}

			n := 200
			if lanes != nil {
				n = 3*block + 5
			}
			s := inputs.Elements[E, PE](rng, n*w.T)
			mixEdges[E, PE](s, w.T)
			want := want(t, f, ref, w.T, s)
			for combo := range 1 << len(names) {
				var on []string
				for i, name := range names {
					*switches[name] = combo>>i&1 == 1
					on = append(on, fmt.Sprintf("%s %v", name, *switches[name]))
				}
				for _, tasks := range []int{1, 3} {
					got := slices.Clone(s)
					batch(got, tasks)
					Diff[E, PE](t, fmt.Sprintf("batch driver (%v, %d tasks)", on, tasks), got, want)
				}
			}
		})
	}
}

// Gnark24 checks when batches run on gnark-crypto's Permutation16x24, as
// uses (the package's internals) reports it: for f.Gnark24, gnark-crypto's
// default width-24 instance, exactly where it has AVX-512, and never for
// other round keys or round counts, or another width.
func Gnark24[P, Perm, E any](t *testing.T, f *Field[P, Perm, E], uses func(params *P) (bool, error)) {
	w := f.Gnark24
	got, err := uses(f.Params(w))
	if err != nil {
		t.Fatal(err)
	}
	if got != cpu.SupportAVX512 {
		t.Fatalf("%v: runs on Permutation16x24: %v, want %v (AVX-512)", w, got, cpu.SupportAVX512)
	}
	for _, o := range []Instance{{w.T, w.RF, w.RP, "other keys"}, {w.T, w.RF, w.RP + 1, ""}, {16, w.RF, w.RP, ""}} {
		got, err := uses(f.Params(o))
		if err != nil {
			t.Fatal(err)
		}
		if got {
			t.Fatalf("%v would run on gnark-crypto's default instance", o)
		}
	}
}
