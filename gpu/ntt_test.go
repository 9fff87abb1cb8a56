package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// nttField runs a generic NTT test body on one field's bindings.
type nttField struct {
	field zkaccel.Field
	// check compares the device with gnark-crypto on every combination of
	// direction, decimation and coset for sizes 2^0 … 2^maxLog.
	check func(t *testing.T, d *gpu.Device, rng *rand.Rand, minLog, maxLog int)
	// one runs a single transform on random data of size 2^logn and
	// returns the device's and gnark-crypto's results.
	one func(d *gpu.Device, rng *rand.Rand, logn int, inverse bool, dec zkaccel.Decimation, coset bool) (got, want []byte, err error)
	// bench returns a request of size 2^logn for benchmarks.
	bench func(rng *rand.Rand, logn int) *zkaccel.NTTRequest
}

func bindNTT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b bind.NTT[Dom, E, Dec, O, DO]) nttField {
	return nttField{
		field: b.Field,
		check: func(t *testing.T, d *gpu.Device, rng *rand.Rand, minLog, maxLog int) {
			checkNTT[Dom, E, Dec, O, DO, PE](t, d, b, rng, minLog, maxLog)
		},
		one: func(d *gpu.Device, rng *rand.Rand, logn int, inverse bool, dec zkaccel.Decimation, coset bool) ([]byte, []byte, error) {
			dom := b.NewDomain(1<<logn, b.WithCache())
			data := nttData[E, PE](rng, 1<<logn)
			return runNTT(d, b, dom, data, inverse, dec, coset)
		},
		bench: func(rng *rand.Rand, logn int) *zkaccel.NTTRequest {
			dom := b.NewDomain(1<<logn, b.WithoutPrecompute())
			return nttRequest(b, dom, inputs.Elements[E, PE](rng, 1<<logn), false, zkaccel.DIF, false)
		},
	}
}

var nttFields = []nttField{
	bindNTT(bind.BN254), bindNTT(bind.BLS12381), bindNTT(bind.BLS12377),
	bindNTT(bind.Goldilocks), bindNTT(bind.BabyBear), bindNTT(bind.KoalaBear),
}

// nttData returns n random elements with zeros and p−1 among them.
func nttData[E any, PE bind.Element[E]](rng *rand.Rand, n int) []E {
	data := inputs.Elements[E, PE](rng, n)
	if n >= 4 {
		PE(&data[0]).SetZero()
		PE(&data[n/2+1]).SetOne()
		PE(&data[n/2+1]).Neg(&data[n/2+1])
		PE(&data[n-1]).SetOne()
		PE(&data[n-1]).Neg(&data[n-1])
	}
	return data
}

// nttRequest is the request the front end (internal/frontend) builds for
// dom and data, over a copy of data.
func nttRequest[Dom, E any, Dec ~uint8, O, DO any](b bind.NTT[Dom, E, Dec, O, DO], dom *Dom, data []E, inverse bool, dec zkaccel.Decimation, coset bool) *zkaccel.NTTRequest {
	k := b.Consts(dom)
	one := func(e E) []byte { return bytes.Clone(rawbytes.Of([]E{e})) }
	return &zkaccel.NTTRequest{
		Field: b.Field, ElemSize: len(one(k.Generator)), N: len(data),
		Data:    bytes.Clone(rawbytes.Of(data)),
		Inverse: inverse, Decimation: dec, Coset: coset,
		Generator: one(k.Generator), GeneratorInv: one(k.GeneratorInv), CardinalityInv: one(k.CardinalityInv),
		CosetShift: one(k.CosetShift), CosetShiftInv: one(k.CosetShiftInv),
	}
}

// runNTT transforms data on the device and with gnark-crypto.
func runNTT[Dom, E any, Dec ~uint8, O, DO any](d *gpu.Device, b bind.NTT[Dom, E, Dec, O, DO], dom *Dom, data []E, inverse bool, dec zkaccel.Decimation, coset bool) (got, want []byte, err error) {
	req := nttRequest(b, dom, data, inverse, dec, coset)
	err = d.NTT(req)

	exp := append([]E(nil), data...)
	var opts []O
	if coset {
		opts = append(opts, b.OnCoset())
	}
	gdec := b.DIT
	if dec == zkaccel.DIF {
		gdec = b.DIF
	}
	if inverse {
		b.FFTInverse(dom, exp, gdec, opts...)
	} else {
		b.FFT(dom, exp, gdec, opts...)
	}
	return req.Data, rawbytes.Of(exp), err
}

// nttName names one combination.
func nttName(inverse bool, dec zkaccel.Decimation, coset bool) string {
	s := "fft"
	if inverse {
		s = "fft-inverse"
	}
	s += "/" + dec.String()
	if coset {
		s += "/coset"
	}
	return s
}

// diffElems describes where got and want (elements of es bytes) differ.
func diffElems(got, want []byte, es int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d bytes, want %d", len(got), len(want))
	}
	var idx []int
	for i := 0; i < len(got); i += es {
		if !bytes.Equal(got[i:i+es], want[i:i+es]) {
			idx = append(idx, i/es)
		}
	}
	if len(idx) > 8 {
		return fmt.Sprintf("%d of %d elements differ, first at %v", len(idx), len(got)/es, idx[:8])
	}
	return fmt.Sprintf("elements %v differ", idx)
}

func checkNTT[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](t *testing.T, d *gpu.Device, b bind.NTT[Dom, E, Dec, O, DO], rng *rand.Rand, minLog, maxLog int) {
	for logn := minLog; logn <= maxLog; logn++ {
		n := 1 << logn
		// One domain with precomputed tables, one without: gnark-crypto
		// takes different code paths for each; both must agree with us.
		domains := []*Dom{b.NewDomain(uint64(n), b.WithCache()), b.NewDomain(uint64(n), b.WithoutPrecompute())}
		data := nttData[E, PE](rng, n)
		for _, inverse := range []bool{false, true} {
			for _, dec := range []zkaccel.Decimation{zkaccel.DIT, zkaccel.DIF} {
				for ci, coset := range []bool{false, true} {
					got, want, err := runNTT(d, b, domains[(logn+ci)%2], data, inverse, dec, coset)
					if err != nil {
						t.Fatalf("2^%d %s: %v", logn, nttName(inverse, dec, coset), err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("2^%d %s: device differs from gnark-crypto: %s", logn, nttName(inverse, dec, coset), diffElems(got, want, len(got)/n))
					}
				}
			}
		}
	}
}

// TestNTT compares the device's NTT with gnark-crypto's Domain.FFT and
// FFTInverse for every field, direction, decimation and coset, sizes 2^0 up
// to 2^12 (2^16 without -short), with the local-memory passes (the
// default: the largest blocks that fit, so that large sizes take several
// strided passes), with small blocks (many passes, uneven ones included),
// and without them (one launch per stage).
func TestNTT(t *testing.T) {
	maxLog, maxLogSimple := 16, 14
	if testing.Short() {
		maxLog, maxLogSimple = 12, 10
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		seed := devtest.Seed(t)
		for _, f := range nttFields {
			t.Run(string(f.field), func(t *testing.T) {
				rng := inputs.NewRand(seed)
				start := time.Now()
				if _, _, err := f.one(d, rng, 1, false, zkaccel.DIF, false); err != nil {
					t.Fatal(err)
				}
				t.Logf("first NTT (compiles the program): %v", time.Since(start).Round(time.Millisecond))
				start = time.Now()
				f.check(t, d, rng, 0, maxLog)
				t.Logf("local-memory path, 2^0…2^%d: %v", maxLog, time.Since(start).Round(time.Millisecond))
				defer gpu.SetNTTLocalLog(d, -1)
				for _, l := range []int{99, 3, 1, 0} {
					start = time.Now()
					gpu.SetNTTLocalLog(d, l)
					lo, hi := 0, maxLogSimple
					if l == 99 {
						lo, hi = maxLogSimple+1, maxLog
					}
					f.check(t, d, rng, lo, hi)
					how := fmt.Sprintf("local-memory passes of at most 2^%d", l)
					switch l {
					case 0:
						how = "one launch per stage"
					case 99:
						how = "the GPU's plan of local-memory passes"
					}
					t.Logf("%s, 2^%d…2^%d: %v", how, lo, hi, time.Since(start).Round(time.Millisecond))
				}
			})
		}
	})
}

// TestMulEnv checks that a bad ZKACCEL_GPU_MUL or ZKACCEL_GPU_SQR is a
// clear error of the first call that compiles, not a panic or a silent
// default.
func TestMulEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		t.Setenv(gpu.EnvMul, "48")
		d2 := gpu.NewDevice(d.Runtime())
		_, _, err := nttFields[0].one(d2, inputs.NewRand(1), 4, false, zkaccel.DIT, false)
		if err == nil || !strings.Contains(err.Error(), `ZKACCEL_GPU_MUL="48": want 32, 32s, 32c or 64`) {
			t.Fatalf("NTT with %s=48: err = %v, want one naming the variable", gpu.EnvMul, err)
		}
		t.Setenv(gpu.EnvMul, "")
		t.Setenv(gpu.EnvSqr, "2")
		d2 = gpu.NewDevice(d.Runtime())
		_, _, err = nttFields[0].one(d2, inputs.NewRand(1), 4, false, zkaccel.DIT, false)
		if err == nil || !strings.Contains(err.Error(), gpu.EnvSqr) {
			t.Fatalf("NTT with %s=2: err = %v, want one naming the variable", gpu.EnvSqr, err)
		}
	})
}

// TestNTTLayouts runs the NTT's local-memory kernels in both layouts of
// their block (gpu.EnvNTTLayout: word-major, the GPUs' default, and
// element-major, the CPU's) against gnark-crypto, for a field of each
// element shape (BN254, Goldilocks, BabyBear), with
// the GPU's plan of passes and with small blocks (many strided passes, so
// that every kernel and fix runs in each layout); and checks that a bad
// value is a clear error.
func TestNTTLayouts(t *testing.T) {
	maxLog := 12 // past the largest block, which is 2^9 or less on POCL
	if testing.Short() {
		maxLog = 10
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		seed := devtest.Seed(t)
		for _, layout := range []string{"word", "element"} {
			t.Run(layout, func(t *testing.T) {
				t.Setenv(gpu.EnvNTTLayout, layout)
				d2 := gpu.NewDevice(d.Runtime())
				defer gpu.SetNTTLocalLog(d2, -1)
				// One field of each element shape: 4 words of 64 bits, one
				// of 64, one of 32 (TestNTT runs every field in the
				// default layout).
				for _, f := range []nttField{nttFields[0], nttFields[3], nttFields[4]} {
					rng := inputs.NewRand(seed)
					gpu.SetNTTLocalLog(d2, 99)
					f.check(t, d2, rng, 0, maxLog)
					gpu.SetNTTLocalLog(d2, 2)
					f.check(t, d2, rng, 0, 7)
				}
			})
		}
		t.Setenv(gpu.EnvNTTLayout, "rows")
		d2 := gpu.NewDevice(d.Runtime())
		_, _, err := nttFields[0].one(d2, inputs.NewRand(1), 4, false, zkaccel.DIT, false)
		if err == nil || !strings.Contains(err.Error(), `ZKACCEL_GPU_NTT_LAYOUT="rows": want word or element`) {
			t.Fatalf("NTT with %s=rows: err = %v, want one naming the variable", gpu.EnvNTTLayout, err)
		}
	})
}

// TestNTTCache checks that the device's table cache stays within its
// bounds and that results stay right when tables are evicted and rebuilt.
func TestNTTCache(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := nttFields[4] // babybear: small tables, fast
		for round := range 2 {
			for logn := 1; logn <= 12; logn++ {
				for _, inverse := range []bool{false, true} {
					got, want, err := f.one(d, rng, logn, inverse, zkaccel.DIT, true)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("round %d, 2^%d inverse=%v: %s", round, logn, inverse, diffElems(got, want, 4))
					}
					entries, size := gpu.NTTCacheStats(d)
					if entries > gpu.NTTCacheEntries || size > gpu.NTTCacheBudget(d) {
						t.Fatalf("cache holds %d tables, %d bytes; bounds %d, %d", entries, size, gpu.NTTCacheEntries, gpu.NTTCacheBudget(d))
					}
				}
			}
		}
		entries, size := gpu.NTTCacheStats(d)
		t.Logf("cache: %d tables, %d bytes", entries, size)
		if entries == 0 {
			t.Errorf("cache is empty after 48 transforms")
		}
	})
}

// TestNTTBadRequests checks that malformed requests are errors naming the
// op, that an unknown field is ErrUnsupported, and that neither panics nor
// touches the data.
func TestNTTBadRequests(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		good := nttFields[0].bench(rng, 3)
		cases := []struct {
			name        string
			edit        func(r *zkaccel.NTTRequest)
			unsupported bool
		}{
			{"unknown field", func(r *zkaccel.NTTRequest) { r.Field = "secp256k1" }, true},
			{"elem size", func(r *zkaccel.NTTRequest) { r.ElemSize = 48 }, false},
			{"N zero", func(r *zkaccel.NTTRequest) { r.N = 0 }, false},
			{"N negative", func(r *zkaccel.NTTRequest) { r.N = -8 }, false},
			{"N not a power of two", func(r *zkaccel.NTTRequest) { r.N = 6; r.Data = r.Data[:6*32] }, false},
			{"short data", func(r *zkaccel.NTTRequest) { r.Data = r.Data[:len(r.Data)-1] }, false},
			{"long data", func(r *zkaccel.NTTRequest) { r.Data = append(r.Data, make([]byte, 32)...) }, false},
			{"no generator", func(r *zkaccel.NTTRequest) { r.Generator = nil }, false},
			{"no inverse generator", func(r *zkaccel.NTTRequest) { r.GeneratorInv = r.GeneratorInv[:8] }, false},
			{"no cardinality inverse", func(r *zkaccel.NTTRequest) { r.CardinalityInv = nil }, false},
			{"no coset shift", func(r *zkaccel.NTTRequest) { r.CosetShift = nil }, false},
			{"no coset shift inverse", func(r *zkaccel.NTTRequest) { r.CosetShiftInv = nil }, false},
			{"decimation", func(r *zkaccel.NTTRequest) { r.Decimation = 7 }, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := *good
				r.Data = bytes.Clone(good.Data)
				c.edit(&r)
				before := bytes.Clone(r.Data)
				err := d.NTT(&r)
				if err == nil {
					t.Fatal("no error")
				}
				if got := errors.Is(err, zkaccel.ErrUnsupported); got != c.unsupported {
					t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, got, c.unsupported)
				}
				if want := "ntt " + string(r.Field); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name the op %q", err, want)
				}
				if !bytes.Equal(r.Data, before) {
					t.Error("data changed")
				}
			})
		}
	})
}

// FuzzNTT compares the device with gnark-crypto on small random transforms
// of every field, direction, decimation and coset.
func FuzzNTT(f *testing.F) {
	var d *gpu.Device
	for _, dev := range zkaccel.Devices() {
		if g, ok := dev.(*gpu.Device); ok {
			d = g
			break
		}
	}
	f.Add(int64(1), uint8(0), uint8(0))
	f.Add(int64(2), uint8(5), uint8(0xff))
	f.Add(int64(3), uint8(8), uint8(0x2b))
	f.Fuzz(func(t *testing.T, seed int64, logn, flags uint8) {
		if d == nil {
			t.Skip("no GPU runtime device")
		}
		fld := nttFields[int(flags)%len(nttFields)]
		bits := flags / uint8(len(nttFields))
		inverse, coset := bits&1 != 0, bits&2 != 0
		dec := zkaccel.DIT
		if bits&4 != 0 {
			dec = zkaccel.DIF
		}
		switch {
		case bits&8 != 0:
			gpu.SetNTTLocalLog(d, 0)
			defer gpu.SetNTTLocalLog(d, -1)
		case bits&16 != 0:
			gpu.SetNTTLocalLog(d, 1+int(seed&3))
			defer gpu.SetNTTLocalLog(d, -1)
		}
		logn %= 11
		got, want, err := fld.one(d, inputs.NewRand(seed), int(logn), inverse, dec, coset)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s 2^%d %s: %s", fld.field, logn, nttName(inverse, dec, coset), diffElems(got, want, len(got)>>logn))
		}
	})
}

// BenchmarkNTT times a forward DIF transform (tables cached after the first
// run) on every GPU runtime device: BenchmarkNTT/<field>/<device>/2^k.
func BenchmarkNTT(b *testing.B) {
	devs := zkaccel.Devices()
	logs := []int{12, 16, 20}
	if testing.Short() {
		logs = []int{12, 16}
	}
	for _, f := range nttFields {
		for _, dev := range devs {
			d, ok := dev.(*gpu.Device)
			if !ok {
				continue
			}
			for _, logn := range logs {
				b.Run(fmt.Sprintf("%s/%s/2^%d", f.field, d, logn), func(b *testing.B) {
					req := f.bench(inputs.NewRand(1), logn)
					if err := d.NTT(req); err != nil { // compile, tables
						b.Fatal(err)
					}
					b.SetBytes(int64(len(req.Data)))
					b.ResetTimer()
					for b.Loop() {
						if err := d.NTT(req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// TestNTTPlan checks the local-memory passes' plan for every size and block
// bound: the passes cover the stages in order, each block fits, each work-
// group's columns are adjacent elements of one stride, and no fewer passes
// could do.
func TestNTTPlan(t *testing.T) {
	if got, want := fmt.Sprint(gpu.NTTPlan(24, 10, 1)), "[[8 0 0] [8 8 1] [8 16 1]]"; got != want {
		t.Errorf("NTTPlan(24, 10, 1) = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(gpu.NTTPlan(20, 11, 3)), "[[7 0 0] [7 7 3] [6 14 3]]"; got != want {
		t.Errorf("NTTPlan(20, 11, 3) = %s, want %s", got, want)
	}
	for logn := 1; logn <= 31; logn++ {
		for L := 1; L <= 12; L++ {
			for cw := 0; cw <= 4; cw++ {
				plan := gpu.NTTPlan(logn, L, cw)
				s, minPasses := 0, 1
				if logn > L {
					c := min(cw, L-1)
					minPasses = 1 + (logn-L+L-c-1)/(L-c)
				}
				for _, p := range plan {
					lb, ps, c := p[0], p[1], p[2]
					if ps != s || lb < 1 || lb+c > L || c > ps || c < 0 || (ps == 0) != (s == 0) {
						t.Fatalf("NTTPlan(%d, %d, %d) = %v: bad pass %v", logn, L, cw, plan, p)
					}
					s += lb
				}
				if s != logn || len(plan) != minPasses {
					t.Fatalf("NTTPlan(%d, %d, %d) = %v: covers %d stages in %d passes, want %d in %d", logn, L, cw, plan, s, len(plan), logn, minPasses)
				}
			}
		}
	}
}

// TestPeakMemory checks the device's count of its memory: an NTT's peak
// holds at least its data and the tables it keeps, and no more than a few
// times that; after the call the peak counts from what the device keeps.
func TestPeakMemory(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		d.ReleaseCache()
		d.ResetPeakMemory()
		base, err := d.PeakMemory()
		if err != nil {
			t.Fatal(err)
		}
		const n = 1 << 12
		f := nttFields[0]
		if _, _, err := f.one(d, inputs.NewRand(1), 12, false, zkaccel.DIF, true); err != nil {
			t.Fatal(err)
		}
		peak, err := d.PeakMemory()
		if err != nil {
			t.Fatal(err)
		}
		data := uint64(n * 32)
		if peak < base+data || peak > base+8*data {
			t.Errorf("%s NTT of 2^12: peak %d bytes above %d held before, want between %d and %d", f.field, peak-base, base, data, 8*data)
		}
		d.ResetPeakMemory()
		kept, _ := d.PeakMemory()
		if kept < base || kept >= peak {
			t.Errorf("after the call: %d bytes held (the cached tables), want from %d to below the peak %d", kept, base, peak)
		}
		d.ReleaseCache()
		d.ResetPeakMemory()
		if now, _ := d.PeakMemory(); now != base {
			t.Errorf("after ReleaseCache: %d bytes held, want %d as before", now, base)
		}
		t.Logf("%s NTT of 2^12 on %v: peak %d bytes, %d kept between calls", f.field, d, peak-base, kept-base)
	})
}
