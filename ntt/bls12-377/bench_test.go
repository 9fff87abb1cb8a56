package bls12377_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	field "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	"github.com/consensys/gnark-crypto/ecc/bls12-377/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/ntt"
	"github.com/zkaccel/zkaccel/ntt/bls12-377"
)

// Benchmarks are named FFT/<field>/<device>/2^k (DESIGN.md §4), one per
// device present and size. Each domain and its input are drawn once per
// size, on first use, outside the timer; the transform then runs in place
// on a copy, over and over.

const benchField = zkaccel.FieldBLS12377

var benchLogSizes = []int{10, 16, 20}

type benchInput struct {
	domain *fft.Domain
	data   []field.Element
}

var benchCache struct {
	sync.Mutex
	m map[int]benchInput
}

// benchInputs returns the domain of n elements and n random elements,
// drawn on first use.
func benchInputs(n int) benchInput {
	benchCache.Lock()
	defer benchCache.Unlock()
	if in, ok := benchCache.m[n]; ok {
		return in
	}
	if benchCache.m == nil {
		benchCache.m = map[int]benchInput{}
	}
	in := benchInput{fft.NewDomain(uint64(n)), inputs.Elements[field.Element](inputs.NewRand(int64(n)), n)}
	benchCache.m[n] = in
	return in
}

// benchDeviceName names a device in a benchmark: its kind for the first
// device of a kind ("cuda"), its spec for the others ("cuda:1").
func benchDeviceName(d zkaccel.Device) string {
	if d.Ordinal() == 0 {
		return string(d.Kind())
	}
	return d.String()
}

type benchTransform func(*fft.Domain, []field.Element, fft.Decimation, ...ntt.Option) error

// benchNTT runs one sub-benchmark per device and size. A device that falls
// back to the CPU is skipped, so that a device's line never shows the
// CPU's time.
func benchNTT(b *testing.B, transform benchTransform, dec fft.Decimation) {
	for _, d := range zkaccel.Devices() {
		for _, lg := range benchLogSizes {
			b.Run(fmt.Sprintf("%s/%s/2^%d", benchField, benchDeviceName(d), lg), func(b *testing.B) {
				in := benchInputs(1 << lg)
				a := slices.Clone(in.data)
				var rep zkaccel.Report
				if err := transform(in.domain, a, dec, ntt.WithDevice(d), ntt.WithReport(&rep)); err != nil {
					b.Fatal(err)
				}
				if rep.Fallback {
					b.Skipf("%v falls back to the CPU: %v", d, rep.Reason)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := transform(in.domain, a, dec, ntt.WithDevice(d)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkFFT(b *testing.B) { benchNTT(b, bls12377.FFT, fft.DIF) }
