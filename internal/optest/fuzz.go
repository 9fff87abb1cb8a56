package optest

import (
	"encoding/binary"
	"math/big"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/ntt"
)

// stream hands out a fuzz input's bytes, then zeros once they run out.
type stream []byte

func (s *stream) byte() byte {
	if len(*s) == 0 {
		return 0
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return b
}

func (s *stream) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = s.byte()
	}
	return out
}

// element draws a field element: by the next byte's low two bits, 0, 1,
// p−1, or the reduction of the next size bytes.
func element[E any, PE bind.Element[E]](s *stream, size int) E {
	var x E
	switch s.byte() % 4 {
	case 1:
		PE(&x).SetOne()
	case 2:
		PE(&x).SetOne()
		PE(&x).Neg(&x)
	case 3:
		PE(&x).SetBytes(s.bytes(size))
	}
	return x
}

// fuzzDevices are the devices a fuzz input runs on: the CPU and the
// loopback, the latter through the whole device path.
func fuzzDevices() []zkaccel.Device { return []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} }

// msmSeeds are fuzz seeds that exercise the edge cases: a point count, then
// per point a selector (0 infinity, 1 the previous point, 2 its negation, 3
// [k]G with k from 4 bytes) and a scalar code (0, 1, r−1, or 32 bytes).
var msmSeeds = [][]byte{
	{},
	{1, 3, 0, 0, 0, 7, 3, 9, 9, 9, 9},
	{2, 3, 1, 2, 3, 4, 2, 2, 2},
	{4, 3, 5, 6, 7, 8, 1, 1, 3, 1, 2, 0, 1, 0, 0, 1},
	{8, 3, 1, 1, 1, 1, 3, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 2, 1, 1},
	{3, 0, 1, 0, 2, 0, 0},
	{5, 3, 0xde, 0xad, 0xbe, 0xef, 2, 1, 3, 2, 1, 0, 3, 1, 2, 3, 3, 0x12, 0x34, 0x56, 0x78, 3, 0xff},
}

// FuzzMSM fuzzes front (the MultiExpG1 or MultiExpG2 of curve group b) on
// the CPU and on fakedev.Loopback against gnark-crypto's MultiExp called
// directly, on up to 8 points built from the input: points at infinity,
// repeated and negated points, multiples of the generator; scalars 0, 1,
// r−1 or arbitrary. Its seeds run as a unit test.
func FuzzMSM[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](f *testing.F, b bind.MSM[J, A, S], front func(p *J, points []A, scalars []S, opts ...msm.Option) (*J, error)) {
	for _, s := range msmSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := stream(data)
		n := int(s.byte() % 9)
		points, scalars := make([]A, n), make([]S, n)
		for i := range points {
			switch sel := s.byte() % 4; {
			case sel == 1 && i > 0:
				points[i] = points[i-1]
			case sel == 2 && i > 0:
				PA(&points[i]).Neg(&points[i-1])
			case sel == 3:
				k := new(big.Int).SetUint64(uint64(binary.LittleEndian.Uint32(s.bytes(4))))
				PA(&points[i]).ScalarMultiplicationBase(k)
			}
			scalars[i] = element[S, PS](&s, 32)
		}
		var ref J
		if _, err := PJ(&ref).MultiExp(slices.Clone(points), slices.Clone(scalars), ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		var want A
		PA(&want).FromJacobian(&ref)
		for _, dev := range fuzzDevices() {
			got, err := front(nil, points, scalars, msm.WithDevice(dev))
			if err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			var have A
			if PA(&have).FromJacobian(got); !PA(&have).Equal(&want) {
				t.Fatalf("%v: n=%d: got %s, want %s", dev, n, PA(&have), PA(&want))
			}
		}
	})
}

// nttSeeds are fuzz seeds: log2 of the size, a flags byte (1 inverse, 2
// DIF, 4 coset, 8 shifted domain, 16 without precompute), 8 bytes of shift,
// then per element a code (0, 1, p−1, or 8 bytes).
var nttSeeds = [][]byte{
	{},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
	{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2},
	{2, 6, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0},
	{3, 13, 5, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 1, 1, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{4, 31, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1},
	{5, 22, 7, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4},
}

// FuzzNTT fuzzes fft and fftInverse (the front ends of field b) on the CPU
// and on fakedev.Loopback against gnark-crypto's Domain.FFT and FFTInverse
// called directly, on domains of up to 32 elements, default or shifted,
// with or without precomputation, both decimations, with and without
// OnCoset, on elements 0, 1, p−1 or arbitrary. Its seeds run as a unit test.
func FuzzNTT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](f *testing.F, b bind.NTT[Dom, E, Dec, O, DO], fft, fftInverse func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error) {
	for _, s := range nttSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := stream(data)
		n := uint64(1) << (s.byte() % 6)
		flags := s.byte()
		var shift E
		PE(&shift).SetBytes(s.bytes(8))
		var domOpts []DO
		if flags&8 != 0 && !PE(&shift).IsZero() {
			domOpts = append(domOpts, b.WithShift(shift))
		}
		if flags&16 != 0 {
			domOpts = append(domOpts, b.WithoutPrecompute())
		}
		dom := b.NewDomain(n, domOpts...)
		dec, ref, front := b.DIT, b.FFT, fft
		if flags&2 != 0 {
			dec = b.DIF
		}
		if flags&1 != 0 {
			ref, front = b.FFTInverse, fftInverse
		}
		var gnarkOpts []O
		var opts []ntt.Option
		if flags&4 != 0 {
			gnarkOpts, opts = append(gnarkOpts, b.OnCoset()), append(opts, ntt.OnCoset())
		}
		a := make([]E, n)
		for i := range a {
			a[i] = element[E, PE](&s, 8)
		}
		want := slices.Clone(a)
		ref(dom, want, dec, gnarkOpts...)
		for _, dev := range fuzzDevices() {
			got := slices.Clone(a)
			if err := front(dom, got, dec, append(opts, ntt.WithDevice(dev))...); err != nil {
				t.Fatalf("%v: %v", dev, err)
			}
			for i := range got {
				if !PE(&got[i]).Equal(&want[i]) {
					t.Fatalf("%v: n=%d flags=%#x: element %d: got %s, want %s", dev, n, flags, i, PE(&got[i]), PE(&want[i]))
				}
			}
		}
	})
}
