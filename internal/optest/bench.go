package optest

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/ntt"
)

// The benchmarks of the MSM and NTT front-end packages, written once.
// Benchmarks are named <Op>/<curve or field>/<device>/2^k (DESIGN.md §4),
// one per device present and size: the top-level name is the calling
// Benchmark function's, the rest is the sub-benchmark's. Inputs are drawn
// once per curve group or field and size, on first use (so nothing is
// drawn unless a benchmark runs), outside the timer.

// benchCache holds the inputs drawn so far, by key.
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

// msmInputs are the points and scalars of an MSM.
type msmInputs[A, S any] struct {
	points  []A
	scalars []S
}

// MSMInputs returns n points of curve group g and n scalars, drawn from
// seed n on first use and shared by every later call. Above 2^12 points
// they are a random walk (g.Walk, see internal/inputs), which costs one
// addition per point instead of a scalar multiplication. Callers must not
// modify them.
func MSMInputs[J, A, S any, PS bind.Element[S]](g bind.MSM[J, A, S], n int) (points []A, scalars []S) {
	in := benchCached(fmt.Sprintf("msm/%s/%d", g.Name(), n), func() msmInputs[A, S] {
		rng := inputs.NewRand(int64(n))
		draw := g.Random
		if n > 1<<12 {
			draw = g.Walk
		}
		return msmInputs[A, S]{draw(rng, n), inputs.Elements[S, PS](rng, n)}
	})
	return in.points, in.scalars
}

// nttInputs are the domain and elements of an NTT.
type nttInputs[Dom, E any] struct {
	domain *Dom
	data   []E
}

// NTTInputs returns the domain of n elements of field f and n elements
// drawn from seed n, made on first use and shared by every later call.
// Callers must transform a copy of the elements, not the elements
// themselves.
func NTTInputs[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](f bind.NTT[Dom, E, Dec, O, DO], n int) (*Dom, []E) {
	in := benchCached(fmt.Sprintf("ntt/%s/%d", f.Field, n), func() nttInputs[Dom, E] {
		return nttInputs[Dom, E]{f.NewDomain(uint64(n)), inputs.Elements[E, PE](inputs.NewRand(int64(n)), n)}
	})
	return in.domain, in.data
}

// benchDeviceName names a device in a benchmark: its kind for the first
// device of a kind ("cuda"), its spec for the others ("cuda:1").
func benchDeviceName(d zkaccel.Device) string {
	if d.Ordinal() == 0 {
		return string(d.Kind())
	}
	return d.String()
}

// benchDevices runs one sub-benchmark <name>/<device>/2^k per device
// present and k in logSizes. first makes the first call, outside the
// timer, on device d with inputs of 2^k; if its report says it fell back
// to the CPU the sub-benchmark is skipped, so that a device's line never
// shows the CPU's time. Otherwise first returns the call to time.
func benchDevices(b *testing.B, name string, logSizes []int, first func(d zkaccel.Device, n int, rep *zkaccel.Report) (func() error, error)) {
	for _, d := range zkaccel.Devices() {
		for _, lg := range logSizes {
			b.Run(fmt.Sprintf("%s/%s/2^%d", name, benchDeviceName(d), lg), func(b *testing.B) {
				var rep zkaccel.Report
				call, err := first(d, 1<<lg, &rep)
				if err != nil {
					b.Fatal(err)
				}
				if rep.Fallback {
					b.Skipf("%v falls back to the CPU: %v", d, rep.Reason)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// The sizes the front-end benchmarks run at, as log2 of the number of
// points or elements: the same for every curve and field, so that their
// lines compare.
var (
	// MSMLogSizes are BenchMultiExp's, by group.
	MSMLogSizes = map[zkaccel.Group][]int{zkaccel.G1: {10, 14, 16}, zkaccel.G2: {10, 14}}
	// NTTLogSizes are BenchFFT's and BenchFFTInverse's.
	NTTLogSizes = []int{10, 16, 20}
)

// BenchMultiExp benchmarks multiExp, the MultiExpG1 or MultiExpG2 front end
// of curve group g, on every device present, on 2^k points for each k in
// MSMLogSizes[g.Group] (see [MSMInputs]): sub-benchmarks
// <curve>/<device>/2^k.
func BenchMultiExp[J, A, S any, PS bind.Element[S]](b *testing.B, g bind.MSM[J, A, S], multiExp func(p *J, points []A, scalars []S, opts ...msm.Option) (*J, error)) {
	benchDevices(b, string(g.Curve), MSMLogSizes[g.Group], func(d zkaccel.Device, n int, rep *zkaccel.Report) (func() error, error) {
		points, scalars := MSMInputs[J, A, S, PS](g, n)
		var p J
		_, err := multiExp(&p, points, scalars, msm.WithDevice(d), msm.WithReport(rep))
		return func() error {
			_, err := multiExp(&p, points, scalars, msm.WithDevice(d))
			return err
		}, err
	})
}

// BenchFFT benchmarks fft, the FFT front end of field f, with decimation
// DIF, on every device present, on 2^k elements for each k in NTTLogSizes
// (see [NTTInputs]): sub-benchmarks <field>/<device>/2^k.
func BenchFFT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b *testing.B, f bind.NTT[Dom, E, Dec, O, DO], fft func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error) {
	benchNTT[Dom, E, Dec, O, DO, PE](b, f, fft, f.DIF, NTTLogSizes)
}

// BenchFFTInverse benchmarks fftInverse, the FFTInverse front end of field
// f, with decimation DIT, like [BenchFFT].
func BenchFFTInverse[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b *testing.B, f bind.NTT[Dom, E, Dec, O, DO], fftInverse func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error) {
	benchNTT[Dom, E, Dec, O, DO, PE](b, f, fftInverse, f.DIT, NTTLogSizes)
}

// benchNTT benchmarks transform, the FFT or FFTInverse front end of field
// f, with decimation dec, on every device present, on 2^k elements for
// each k in logSizes: sub-benchmarks <field>/<device>/2^k. The transform
// runs in place on a copy of the input, over and over.
func benchNTT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b *testing.B, f bind.NTT[Dom, E, Dec, O, DO], transform func(d *Dom, a []E, dec Dec, opts ...ntt.Option) error, dec Dec, logSizes []int) {
	benchDevices(b, string(f.Field), logSizes, func(d zkaccel.Device, n int, rep *zkaccel.Report) (func() error, error) {
		domain, data := NTTInputs[Dom, E, Dec, O, DO, PE](f, n)
		a := slices.Clone(data)
		err := transform(domain, a, dec, ntt.WithDevice(d), ntt.WithReport(rep))
		return func() error { return transform(domain, a, dec, ntt.WithDevice(d)) }, err
	})
}

// BenchOverhead measures a front end's cost over calling gnark-crypto
// directly, for each size 2^k with k in logSizes. prepare(n) makes, outside
// the timer, inputs of size n and returns the three calls to time on them:
// gnark, gnark-crypto itself; front, the front end with
// WithDevice(HostCPU()); frontDefault, the front end with no option, on the
// default device. The sub-benchmarks 2^k/gnark, 2^k/zkaccel and
// 2^k/zkaccel-default time them (the last skipped unless the default device
// is the CPU), each on inputs of its own; 2^k/paired alternates gnark and
// front call by call, each on inputs of its own, and reports their medians
// and ratio (see [BenchPaired]), the better measure on a busy machine.
// Compare the other arms with benchstat over several interleaved runs (a
// shell loop of -count 1: -count runs each arm count times in a row).
func BenchOverhead(b *testing.B, logSizes []int, prepare func(n int) (gnark, front, frontDefault func() error)) {
	arms := []struct {
		name string
		arm  func(n int) func() error
	}{
		{"gnark", func(n int) func() error { g, _, _ := prepare(n); return g }},
		{"zkaccel", func(n int) func() error { _, f, _ := prepare(n); return f }},
		{"zkaccel-default", func(n int) func() error { _, _, d := prepare(n); return d }},
	}
	for _, lg := range logSizes {
		for _, arm := range arms {
			b.Run(fmt.Sprintf("2^%d/%s", lg, arm.name), func(b *testing.B) {
				if arm.name == "zkaccel-default" {
					if d, err := zkaccel.LookupDefault(); err != nil || d != zkaccel.HostCPU() {
						b.Skipf("the default device is %v (%v), not the CPU", d, err)
					}
				}
				call := arm.arm(1 << lg)
				b.ReportAllocs()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("2^%d/paired", lg), func(b *testing.B) {
			BenchPaired(b, arms[0].arm(1<<lg), arms[1].arm(1<<lg))
		})
	}
}

// BenchPaired times gnark and zkaccel alternately, call by call: it is
// [BenchPairedNamed] with the arms named "gnark" and "zkaccel".
func BenchPaired(b *testing.B, gnark, zkaccel func() error) {
	BenchPairedNamed(b, "gnark", gnark, "zkaccel", zkaccel)
}

// BenchPairedNamed times fa and fb alternately, call by call (in the order
// a, b, then b, a), and reports the median time of each arm, as
// "<nameA>-ns/op" and "<nameB>-ns/op", and the median of the per-pair ratios
// b/a, as "<nameB>/<nameA>". Both calls of a pair meet the same machine
// load, which separately run benchmarks on a shared machine do not, so the
// ratio is far less noisy.
func BenchPairedNamed(b *testing.B, nameA string, fa func() error, nameB string, fb func() error) {
	var ta, tb, ratios []float64
	timed := func(f func() error) float64 {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		return float64(time.Since(t0).Nanoseconds())
	}
	for i := 0; b.Loop(); i++ {
		var x, y float64
		if i%2 == 0 {
			x = timed(fa)
			y = timed(fb)
		} else {
			y = timed(fb)
			x = timed(fa)
		}
		ta, tb, ratios = append(ta, x), append(tb, y), append(ratios, y/x)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(Median(ta), nameA+"-ns/op")
	b.ReportMetric(Median(tb), nameB+"-ns/op")
	b.ReportMetric(Median(ratios), nameB+"/"+nameA)
}

// Median returns the median of x, or 0 when x is empty.
func Median(x []float64) float64 {
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

// bytesPerRun returns the heap bytes f allocates per run, averaged over
// runs, with GOMAXPROCS at 1 as testing.AllocsPerRun has it.
func bytesPerRun(runs int, f func()) float64 {
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

// AllocOverhead checks that front, the front end on the CPU, adds only a
// small constant number of allocations, and far fewer bytes than its
// inputs take (inputBytes, for n elements), to direct, gnark-crypto called
// directly on the same inputs: that it neither copies nor converts them.
// After both have run, agree must report whether their results match.
func AllocOverhead(t *testing.T, n int, inputBytes float64, direct, front func(), agree func() bool) {
	t.Helper()
	const runs = 20
	da, fa := testing.AllocsPerRun(runs, direct), testing.AllocsPerRun(runs, front)
	db, fb := bytesPerRun(runs, direct), bytesPerRun(runs, front)
	t.Logf("n=%d: gnark %.0f allocs %.0f B, front end %.0f allocs %.0f B per call", n, da, db, fa, fb)
	if !agree() {
		t.Fatal("front end and gnark-crypto disagree")
	}
	const maxExtraAllocs = 8 // options, closures, the op name: independent of n
	if fa > da+maxExtraAllocs {
		t.Errorf("front end allocates %.0f times per call, gnark-crypto %.0f; want at most %d more", fa, da, maxExtraAllocs)
	}
	if extra := fb - db; extra > inputBytes/16 {
		t.Errorf("front end allocates %.0f B more per call than gnark-crypto (its inputs take %.0f B); does it copy them?", extra, inputBytes)
	}
}
