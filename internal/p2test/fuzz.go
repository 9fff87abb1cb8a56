package p2test

import (
	"slices"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/poseidon"
)

// Fuzz compares permute2 on the CPU and on fakedev.Loopback with
// gnark-crypto's Permutation, on up to 4 states built from the input: its
// first byte picks the instance (of f.Instances) and the number of states,
// then per element a code picks 0, 1, p−1 or the reduction of the next 8
// bytes. Its seeds run as a unit test.
func Fuzz[P, Perm, E any, PE element[E]](ft *testing.F, f *Field[P, Perm, E], permute2 Front[P, E]) {
	for _, s := range [][]byte{
		{}, {0}, {1, 1, 2, 3}, {0x13, 3, 1, 2, 3, 4, 5, 6, 7, 8, 2, 2, 1, 0},
		{0x27, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
		{0xff, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1},
	} {
		ft.Add(s)
	}
	ft.Fuzz(func(t *testing.T, data []byte) {
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		sel := next()
		w := f.Instances[int(sel&0x0f)%len(f.Instances)]
		n := int(sel>>4)%4 + 1
		states := make([]E, n*w.T)
		for i := range states {
			switch next() % 4 {
			case 1:
				PE(&states[i]).SetOne()
			case 2:
				PE(&states[i]).SetOne()
				PE(&states[i]).Neg(&states[i])
			case 3:
				var b [8]byte
				for j := range b {
					b[j] = next()
				}
				PE(&states[i]).SetBytes(b[:])
			}
		}
		want := want(t, f, f.Perm(w), w.T, states)
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
			got := slices.Clone(states)
			if err := permute2(f.Params(w), got, poseidon.WithDevice(dev)); err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			Diff[E, PE](t, dev.String()+" "+w.String(), got, want)
		}
	})
}
