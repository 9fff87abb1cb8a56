package koalabear_test

import (
	"slices"
	"testing"

	field "github.com/consensys/gnark-crypto/field/koalabear"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// FuzzPermute2 compares Permute2 on the CPU and on fakedev.Loopback with
// gnark-crypto's Permutation, on up to 4 states built from the input: its
// first byte picks the instance and the number of states, then per element
// a code picks 0, 1, p−1 or the reduction of the next 8 bytes. Its seeds
// run as a unit test.
func FuzzPermute2(f *testing.F) {
	for _, s := range [][]byte{
		{}, {0}, {1, 1, 2, 3}, {0x13, 3, 1, 2, 3, 4, 5, 6, 7, 8, 2, 2, 1, 0},
		{0x27, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
		{0xff, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		sel := next()
		w := p2Instances[int(sel&0x0f)%len(p2Instances)]
		n := int(sel>>4)%4 + 1
		states := make([]field.Element, n*w.t)
		for i := range states {
			switch next() % 4 {
			case 1:
				states[i].SetOne()
			case 2:
				states[i].SetOne()
				states[i].Neg(&states[i])
			case 3:
				var b [8]byte
				for j := range b {
					b[j] = next()
				}
				states[i].SetBytes(b[:])
			}
		}
		want := p2Want(t, w.perm(), w.t, states)
		for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
			got := slices.Clone(states)
			if err := koalabear.Permute2(w.params(), got, poseidon.WithDevice(dev)); err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			p2Diff(t, dev.String()+" "+w.String(), got, want)
		}
	})
}
