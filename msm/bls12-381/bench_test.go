package bls12381_test

import (
	"fmt"
	"sync"
	"testing"

	curve "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/msm/bls12-381"
)

// Benchmarks are named MultiExpG1/<curve>/<device>/2^k (DESIGN.md §4), one
// per device present and size. Inputs are drawn once per group and size, on
// first use, outside the timer; above 2^12 points they are a random walk
// (internal/inputs), which costs one addition per point instead of a scalar
// multiplication.

const benchCurve = zkaccel.BLS12381

var (
	benchLogSizesG1 = []int{10, 14, 16}
	benchLogSizesG2 = []int{10, 14}
)

var benchCache struct {
	sync.Mutex
	m map[string]any
}

// benchCached returns draw()'s value for key, drawing it on first use.
func benchCached[T any](key string, draw func() T) T {
	benchCache.Lock()
	defer benchCache.Unlock()
	if v, ok := benchCache.m[key]; ok {
		return v.(T)
	}
	if benchCache.m == nil {
		benchCache.m = map[string]any{}
	}
	v := draw()
	benchCache.m[key] = v
	return v
}

type benchInputs[P any] struct {
	points  []P
	scalars []fr.Element
}

func benchG1(n int) benchInputs[curve.G1Affine] {
	return benchCached(fmt.Sprintf("g1/%d", n), func() benchInputs[curve.G1Affine] {
		rng := inputs.NewRand(int64(n))
		draw := inputs.BLS12381G1
		if n > 1<<12 {
			draw = inputs.WalkBLS12381G1
		}
		return benchInputs[curve.G1Affine]{draw(rng, n), inputs.Elements[fr.Element](rng, n)}
	})
}

func benchG2(n int) benchInputs[curve.G2Affine] {
	return benchCached(fmt.Sprintf("g2/%d", n), func() benchInputs[curve.G2Affine] {
		rng := inputs.NewRand(int64(n))
		draw := inputs.BLS12381G2
		if n > 1<<12 {
			draw = inputs.WalkBLS12381G2
		}
		return benchInputs[curve.G2Affine]{draw(rng, n), inputs.Elements[fr.Element](rng, n)}
	})
}

// benchDeviceName names a device in a benchmark: its kind for the first
// device of a kind ("cuda"), its spec for the others ("cuda:1").
func benchDeviceName(d zkaccel.Device) string {
	if d.Ordinal() == 0 {
		return string(d.Kind())
	}
	return d.String()
}

// benchMultiExp runs one sub-benchmark per device and size. A device that
// falls back to the CPU is skipped, so that a device's line never shows
// the CPU's time.
func benchMultiExp[J, P any](b *testing.B, logSizes []int, draw func(n int) benchInputs[P],
	multiExp func(*J, []P, []fr.Element, ...msm.Option) (*J, error)) {
	for _, d := range zkaccel.Devices() {
		for _, lg := range logSizes {
			b.Run(fmt.Sprintf("%s/%s/2^%d", benchCurve, benchDeviceName(d), lg), func(b *testing.B) {
				in := draw(1 << lg)
				var p J
				var rep zkaccel.Report
				if _, err := multiExp(&p, in.points, in.scalars, msm.WithDevice(d), msm.WithReport(&rep)); err != nil {
					b.Fatal(err)
				}
				if rep.Fallback {
					b.Skipf("%v falls back to the CPU: %v", d, rep.Reason)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := multiExp(&p, in.points, in.scalars, msm.WithDevice(d)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkMultiExpG1(b *testing.B) {
	benchMultiExp(b, benchLogSizesG1, benchG1, bls12381.MultiExpG1)
}

func BenchmarkMultiExpG2(b *testing.B) {
	benchMultiExp(b, benchLogSizesG2, benchG2, bls12381.MultiExpG2)
}
