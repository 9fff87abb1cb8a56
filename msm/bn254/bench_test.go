package bn254_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc"
	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/msm/bn254"
)

// Benchmarks are named MultiExpG1/<curve>/<device>/2^k (DESIGN.md §4), one
// per device present and size. Inputs are drawn once per group and size, on
// first use, outside the timer; above 2^12 points they are a random walk
// (internal/inputs), which costs one addition per point instead of a scalar
// multiplication.

const benchCurve = zkaccel.BN254

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
		draw := inputs.BN254G1
		if n > 1<<12 {
			draw = inputs.WalkBN254G1
		}
		return benchInputs[curve.G1Affine]{draw(rng, n), inputs.Elements[fr.Element](rng, n)}
	})
}

func benchG2(n int) benchInputs[curve.G2Affine] {
	return benchCached(fmt.Sprintf("g2/%d", n), func() benchInputs[curve.G2Affine] {
		rng := inputs.NewRand(int64(n))
		draw := inputs.BN254G2
		if n > 1<<12 {
			draw = inputs.WalkBN254G2
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
	benchMultiExp(b, benchLogSizesG1, benchG1, bn254.MultiExpG1)
}

func BenchmarkMultiExpG2(b *testing.B) {
	benchMultiExp(b, benchLogSizesG2, benchG2, bn254.MultiExpG2)
}

// BenchmarkOverheadMultiExpG1 measures the front end's cost over calling
// gnark-crypto directly, on the same inputs: "gnark" is
// (*G1Jac).MultiExp, "zkaccel" the front end with WithDevice(HostCPU()),
// "zkaccel-default" the front end with no option (the default device,
// skipped unless that is the CPU). Compare the arms with benchstat over
// several interleaved runs (a shell loop of -count 1: -count runs each arm
// count times in a row). "paired" alternates gnark and zkaccel call by call
// and reports their medians and ratio, the better measure on a busy machine.
func BenchmarkOverheadMultiExpG1(b *testing.B) {
	arms := []struct {
		name string
		run  func(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element) error
	}{
		{"gnark", func(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element) error {
			_, err := p.MultiExp(points, scalars, ecc.MultiExpConfig{})
			return err
		}},
		{"zkaccel", func(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element) error {
			_, err := bn254.MultiExpG1(p, points, scalars, msm.WithDevice(zkaccel.HostCPU()))
			return err
		}},
		{"zkaccel-default", func(p *curve.G1Jac, points []curve.G1Affine, scalars []fr.Element) error {
			_, err := bn254.MultiExpG1(p, points, scalars)
			return err
		}},
	}
	// 2^4 shows the front end's fixed cost per call; 2^16 is the
	// acceptance size.
	for _, lg := range []int{4, 16} {
		for _, arm := range arms {
			b.Run(fmt.Sprintf("2^%d/%s", lg, arm.name), func(b *testing.B) {
				if arm.name == "zkaccel-default" {
					if d, err := zkaccel.LookupDefault(); err != nil || d != zkaccel.HostCPU() {
						b.Skipf("the default device is %v (%v), not the CPU", d, err)
					}
				}
				in := benchG1(1 << lg)
				var p curve.G1Jac
				b.ReportAllocs()
				for b.Loop() {
					if err := arm.run(&p, in.points, in.scalars); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("2^%d/paired", lg), func(b *testing.B) {
			in := benchG1(1 << lg)
			var p curve.G1Jac
			overheadPaired(b,
				func() error { return arms[0].run(&p, in.points, in.scalars) },
				func() error { return arms[1].run(&p, in.points, in.scalars) })
		})
	}
}

// overheadPaired times gnark and zkaccel alternately, call by call (in the
// order gnark, zkaccel, then zkaccel, gnark), and reports the median time
// of each arm and the median of the per-pair ratios zkaccel/gnark. Both
// calls of a pair meet the same machine load, which separately run
// benchmarks on a shared machine do not, so the ratio is far less noisy.
func overheadPaired(b *testing.B, gnark, zkaccel func() error) {
	var tg, tz, ratios []float64
	timed := func(f func() error) float64 {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		return float64(time.Since(t0).Nanoseconds())
	}
	for i := 0; b.Loop(); i++ {
		var g, z float64
		if i%2 == 0 {
			g = timed(gnark)
			z = timed(zkaccel)
		} else {
			z = timed(zkaccel)
			g = timed(gnark)
		}
		tg, tz, ratios = append(tg, g), append(tz, z), append(ratios, z/g)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(overheadMedian(tg), "gnark-ns/op")
	b.ReportMetric(overheadMedian(tz), "zkaccel-ns/op")
	b.ReportMetric(overheadMedian(ratios), "zkaccel/gnark")
}

func overheadMedian(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// overheadBytesPerRun returns the heap bytes f allocates per run, averaged over
// runs, with GOMAXPROCS at 1 as testing.AllocsPerRun has it.
func overheadBytesPerRun(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f() // warm up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

// TestOverheadAllocsG1 checks that the front end on the CPU adds only a
// small constant number of allocations, and far fewer bytes than its
// inputs take, to gnark-crypto's own: it neither copies nor converts the
// points and scalars.
func TestOverheadAllocsG1(t *testing.T) {
	const n = 1024
	rng := inputs.NewRand(1)
	points := inputs.BN254G1(rng, n)
	scalars := inputs.Elements[fr.Element](rng, n)
	var p, q curve.G1Jac
	direct := func() {
		if _, err := p.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	cpu := zkaccel.HostCPU()
	front := func() {
		if _, err := bn254.MultiExpG1(&q, points, scalars, msm.WithDevice(cpu)); err != nil {
			t.Fatal(err)
		}
	}
	const runs = 20
	da, fa := testing.AllocsPerRun(runs, direct), testing.AllocsPerRun(runs, front)
	db, fb := overheadBytesPerRun(runs, direct), overheadBytesPerRun(runs, front)
	t.Logf("n=%d: gnark %.0f allocs %.0f B, front end %.0f allocs %.0f B per call", n, da, db, fa, fb)
	if !p.Equal(&q) {
		t.Fatal("front end and gnark-crypto disagree")
	}
	const maxExtraAllocs = 8 // options, closures, the op name: independent of n
	if fa > da+maxExtraAllocs {
		t.Errorf("front end allocates %.0f times per call, gnark-crypto %.0f; want at most %d more", fa, da, maxExtraAllocs)
	}
	inputBytes := float64(n) * float64(unsafe.Sizeof(points[0])+unsafe.Sizeof(scalars[0]))
	if extra := fb - db; extra > inputBytes/16 {
		t.Errorf("front end allocates %.0f B more per call than gnark-crypto (inputs take %.0f B); does it copy them?", extra, inputBytes)
	}
}

// overheadViewDevice is an accelerator whose MSM records the request's buffers and
// reports ErrUnsupported.
type overheadViewDevice struct{ req zkaccel.MSMRequest }

func (*overheadViewDevice) Kind() zkaccel.Kind { return "zzview" }
func (*overheadViewDevice) Ordinal() int       { return 0 }
func (*overheadViewDevice) Name() string       { return "view recorder" }
func (*overheadViewDevice) String() string     { return "zzview:0" }
func (*overheadViewDevice) Memory() uint64     { return 0 }
func (d *overheadViewDevice) MSM(req *zkaccel.MSMRequest) error {
	d.req = *req
	return fmt.Errorf("zzview: %w", zkaccel.ErrUnsupported)
}

// TestOverheadNoCopyG1 checks that a device receives views of the caller's
// points and scalars, not copies.
func TestOverheadNoCopyG1(t *testing.T) {
	const n = 5
	rng := inputs.NewRand(2)
	points := inputs.BN254G1(rng, n)
	scalars := inputs.Elements[fr.Element](rng, n)
	dev := &overheadViewDevice{}
	if _, err := bn254.MultiExpG1(nil, points, scalars, msm.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	req := dev.req
	if req.N != n || req.Curve != zkaccel.BN254 || req.Group != zkaccel.G1 {
		t.Fatalf("request = %s %v n=%d; want bn254 g1 n=%d", req.Curve, req.Group, req.N, n)
	}
	if unsafe.SliceData(req.Points) != (*byte)(unsafe.Pointer(&points[0])) || len(req.Points) != n*int(unsafe.Sizeof(points[0])) {
		t.Error("request's points are not a view of the caller's")
	}
	if unsafe.SliceData(req.Scalars) != (*byte)(unsafe.Pointer(&scalars[0])) || len(req.Scalars) != n*int(unsafe.Sizeof(scalars[0])) {
		t.Error("request's scalars are not a view of the caller's")
	}
}
