package bn254_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	field "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/ntt"
	"github.com/zkaccel/zkaccel/ntt/bn254"
)

// Benchmarks are named FFT/<field>/<device>/2^k (DESIGN.md §4), one per
// device present and size. Each domain and its input are drawn once per
// size, on first use, outside the timer; the transform then runs in place
// on a copy, over and over.

const benchField = zkaccel.FieldBN254

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

func BenchmarkFFT(b *testing.B) { benchNTT(b, bn254.FFT, fft.DIF) }

func BenchmarkFFTInverse(b *testing.B) { benchNTT(b, bn254.FFTInverse, fft.DIT) }

// BenchmarkOverheadFFT measures the front end's cost over calling
// gnark-crypto directly: "gnark" is (*fft.Domain).FFT, "zkaccel" the front
// end with WithDevice(HostCPU()), "zkaccel-default" the front end with no
// option (the default device, skipped unless that is the CPU). Every arm
// does the same work: each starts from its own copy of the same input and
// transforms it in place with a forward DIF FFT, again and again, so that
// its i-th iteration transforms FFT^i(input) in every arm. (Refreshing the
// input would need the timer stopped each iteration, which costs more than
// a small FFT.) Compare the arms with benchstat over several interleaved
// runs (a shell loop of -count 1: -count runs each arm count times in a
// row). "paired" alternates gnark and zkaccel call by call and reports
// their medians and ratio, the better measure on a busy machine.
func BenchmarkOverheadFFT(b *testing.B) {
	arms := []struct {
		name string
		run  func(d *fft.Domain, a []field.Element) error
	}{
		{"gnark", func(d *fft.Domain, a []field.Element) error {
			d.FFT(a, fft.DIF)
			return nil
		}},
		{"zkaccel", func(d *fft.Domain, a []field.Element) error {
			return bn254.FFT(d, a, fft.DIF, ntt.WithDevice(zkaccel.HostCPU()))
		}},
		{"zkaccel-default", func(d *fft.Domain, a []field.Element) error {
			return bn254.FFT(d, a, fft.DIF)
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
				in := benchInputs(1 << lg)
				a := slices.Clone(in.data)
				b.ReportAllocs()
				for b.Loop() {
					if err := arm.run(in.domain, a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("2^%d/paired", lg), func(b *testing.B) {
			in := benchInputs(1 << lg)
			ag, az := slices.Clone(in.data), slices.Clone(in.data)
			overheadPaired(b,
				func() error { return arms[0].run(in.domain, ag) },
				func() error { return arms[1].run(in.domain, az) })
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

// TestOverheadAllocsFFT checks that the front end on the CPU adds only a
// small constant number of allocations, and far fewer bytes than its input
// takes, to gnark-crypto's own: it transforms the caller's slice in place,
// without copying or converting it.
func TestOverheadAllocsFFT(t *testing.T) {
	const n = 1024
	in := benchInputs(n)
	a, c := slices.Clone(in.data), slices.Clone(in.data)
	direct := func() { in.domain.FFT(a, fft.DIF) }
	cpu := zkaccel.HostCPU()
	front := func() {
		if err := bn254.FFT(in.domain, c, fft.DIF, ntt.WithDevice(cpu)); err != nil {
			t.Fatal(err)
		}
	}
	const runs = 20
	da, fa := testing.AllocsPerRun(runs, direct), testing.AllocsPerRun(runs, front)
	db, fb := overheadBytesPerRun(runs, direct), overheadBytesPerRun(runs, front)
	t.Logf("n=%d: gnark %.0f allocs %.0f B, front end %.0f allocs %.0f B per call", n, da, db, fa, fb)
	if !slices.Equal(a, c) {
		t.Fatal("front end and gnark-crypto disagree")
	}
	const maxExtraAllocs = 8 // options, closures, the op name: independent of n
	if fa > da+maxExtraAllocs {
		t.Errorf("front end allocates %.0f times per call, gnark-crypto %.0f; want at most %d more", fa, da, maxExtraAllocs)
	}
	inputBytes := float64(n) * float64(unsafe.Sizeof(a[0]))
	if extra := fb - db; extra > inputBytes/16 {
		t.Errorf("front end allocates %.0f B more per call than gnark-crypto (the input takes %.0f B); does it copy it?", extra, inputBytes)
	}
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

// overheadViewDevice is an accelerator whose NTT records the request and reports
// ErrUnsupported.
type overheadViewDevice struct{ req zkaccel.NTTRequest }

func (*overheadViewDevice) Kind() zkaccel.Kind { return "zzview" }
func (*overheadViewDevice) Ordinal() int       { return 0 }
func (*overheadViewDevice) Name() string       { return "view recorder" }
func (*overheadViewDevice) String() string     { return "zzview:0" }
func (*overheadViewDevice) Memory() uint64     { return 0 }
func (d *overheadViewDevice) NTT(req *zkaccel.NTTRequest) error {
	d.req = *req
	return fmt.Errorf("zzview: %w", zkaccel.ErrUnsupported)
}

// TestOverheadNoCopyFFT checks that a device transforms the caller's slice
// itself, not a copy.
func TestOverheadNoCopyFFT(t *testing.T) {
	const n = 8
	in := benchInputs(n)
	a := slices.Clone(in.data)
	dev := &overheadViewDevice{}
	if err := bn254.FFTInverse(in.domain, a, fft.DIT, ntt.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	req := dev.req
	if req.N != n || req.Field != zkaccel.FieldBN254 || !req.Inverse || req.Decimation != zkaccel.DIT || req.ElemSize != int(unsafe.Sizeof(a[0])) {
		t.Fatalf("request = %s n=%d inverse=%v %v elem %d B; want bn254 n=%d inverse dit 32 B", req.Field, req.N, req.Inverse, req.Decimation, req.ElemSize, n)
	}
	if unsafe.SliceData(req.Data) != (*byte)(unsafe.Pointer(&a[0])) || len(req.Data) != n*req.ElemSize {
		t.Error("request's data is not a view of the caller's slice")
	}
}
