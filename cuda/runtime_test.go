package cuda_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// runtime0 returns cuda:0's runtime, or skips (fails where ZKACCEL_REQUIRE
// names cuda) when there is none.
func runtime0(t *testing.T) *cuda.Runtime {
	t.Helper()
	rts, err := cuda.Runtimes()
	if err == nil && len(rts) > 0 {
		return rts[0].(*cuda.Runtime)
	}
	why := "no CUDA GPU"
	if err != nil {
		why = "CUDA unavailable: " + err.Error()
	}
	devtest.Absent(t, zkaccel.CUDA, why)
	return nil
}

// TestNoDriver runs where there is no driver: the error names libcuda, and
// the backend reports it instead of devices.
func TestNoDriver(t *testing.T) {
	if _, err := cuda.Runtimes(); err == nil {
		t.Skip("a CUDA driver is present")
	} else if !strings.Contains(err.Error(), "zkaccel/cuda: ") {
		t.Errorf("error %q does not name the backend", err)
	}
	for _, b := range zkaccel.Backends() {
		if b.Kind == zkaccel.CUDA && (b.Err == nil || len(b.Devices) != 0) {
			t.Errorf("backend status %+v, want an error and no device", b)
		}
	}
}

func TestDiscovery(t *testing.T) {
	rt := runtime0(t)
	major, minor := rt.ComputeCapability()
	sm, mem, bus := rt.Clocks()
	if rt.Kind() != "cuda" || rt.Ordinal() != 0 || rt.Name() == "" || rt.Memory() == 0 || rt.MaxGroupSize() < 256 || major < 3 || rt.Multiprocessors() < 1 {
		t.Errorf("%s: name %q memory %d max threads %d cc %d.%d SMs %d", rt, rt.Name(), rt.Memory(), rt.MaxGroupSize(), major, minor, rt.Multiprocessors())
	}
	free, total, err := rt.MemoryInfo()
	if err != nil || total == 0 || free > total {
		t.Errorf("MemoryInfo = %d, %d, %v", free, total, err)
	}
	t.Logf("%s: %s, %s, %d MiB (%d MiB free), SM %d MHz, memory %d MHz × %d bits", rt, rt.Name(), rt.DriverInfo(), rt.Memory()>>20, free>>20, sm, mem, bus)
	if tel, err := rt.Telemetry(); err == nil {
		t.Logf("telemetry: %+v", tel)
		if tel.Driver == "" || tel.SMClockMHz <= 0 || tel.PowerW <= 0 {
			t.Errorf("NVML telemetry incomplete: %+v", tel)
		}
	} else {
		t.Logf("no telemetry: %v", err)
	}
	dev, err := zkaccel.Open("cuda:0")
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := dev.(*gpu.Device); !ok || d.Runtime() != gpu.Runtime(rt) || d.OnHost() {
		t.Errorf("zkaccel.Open(cuda:0) = %T %v, not the runtime of cuda.Runtimes()[0]", dev, dev)
	}
}

// TestRoundTrip writes and reads back sizes around the staging buffers'
// size, at offsets, and checks every byte.
func TestRoundTrip(t *testing.T) {
	rt := runtime0(t)
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	st := cuda.StagingSize
	sizes := []int{1, 7, 4096, st - 1, st, st + 13}
	if !testing.Short() {
		sizes = append(sizes, 2*st+5, 5*st/2)
	}
	for _, n := range sizes {
		off := rng.Intn(64)
		b, err := rt.Alloc(n + off + 64)
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, n)
		rng.Read(data)
		if err := rt.Write(b, off, data); err != nil {
			rt.Free(b)
			t.Fatal(err)
		}
		got := bytes.Repeat([]byte{0xA5}, n)
		if err := rt.Read(got, b, off); err != nil {
			rt.Free(b)
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("size %d at offset %d: read back differs", n, off)
		}
		if n > 10 { // a part, from inside
			part := make([]byte, n/3)
			if err := rt.Read(part, b, off+n/2); err != nil || !bytes.Equal(part, data[n/2:n/2+n/3]) {
				t.Errorf("size %d: partial read differs (%v)", n, err)
			}
		}
		rt.Free(b)
	}
}

// addSrc is a test program: a[i] += v over n u32 words, and x[i] = x[i]*k
// over u64 words.
const addSrc = `
KERNEL void add_u32(GLOBAL u32* a, u32 n, u32 v) {
	u32 i = GLOBAL_ID();
	if (i < n) a[i] += v;
}
KERNEL void mul_u64(GLOBAL u64* x, u32 n, u64 k) {
	u32 i = GLOBAL_ID();
	if (i < n) x[i] *= k;
}
`

func TestLaunch(t *testing.T) {
	rt := runtime0(t)
	rt.ResetTimes()
	prog, err := rt.Compile(gpu.Source(addSrc))
	if err != nil {
		t.Fatal(err)
	}
	add, err := prog.Kernel("add_u32")
	if err != nil {
		t.Fatal(err)
	}
	mul, err := prog.Kernel("mul_u64")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("program from %s; add_u32 uses %d registers", prog.(*cuda.Program).Origin(), add.(*cuda.Kernel).Registers())
	const n = 100_003
	buf, err := rt.Alloc(8 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(buf)
	words := make([]byte, 8*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(words[8*i:], uint64(i)+1<<40)
	}
	if err := rt.Write(buf, 0, words); err != nil {
		t.Fatal(err)
	}
	for _, local := range []int{0, 64, 1024} {
		if err := rt.Launch(mul, n, local, buf, uint32(n), uint64(3)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rt.Launch(add, 2*n, 0, buf, uint32(2*n), uint32(5)); err != nil { // the low halves of the words
		t.Fatal(err)
	}
	if err := rt.Launch(add, 0, 0, buf, uint32(0), uint32(5)); err != nil {
		t.Fatalf("empty launch: %v", err)
	}
	got := make([]byte, 8*n)
	if err := rt.Read(got, buf, 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		x := (uint64(i) + 1<<40) * 27
		want := uint64(uint32(x)+5) | (x>>32+5)<<32
		if v := binary.LittleEndian.Uint64(got[8*i:]); v != want {
			t.Fatalf("word %d = %#x, want %#x", i, v, want)
		}
	}
	kern, copies, err := rt.Times()
	if err != nil || kern <= 0 || copies <= 0 {
		t.Errorf("Times = %v, %v, %v: want both positive", kern, copies, err)
	}
	t.Logf("kernels %v, copies %v", kern, copies)
}

func TestMisuse(t *testing.T) {
	rt := runtime0(t)
	prog, err := rt.Compile(gpu.Source(addSrc))
	if err != nil {
		t.Fatal(err)
	}
	add, _ := prog.Kernel("add_u32")
	if _, err := prog.Kernel("no_such_kernel"); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_NOT_FOUND") {
		t.Errorf("unknown kernel: %v", err)
	}
	b, err := rt.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"int argument":  func() error { return rt.Launch(add, 16, 0, b, 16, uint32(1)) },
		"block too big": func() error { return rt.Launch(add, 16, 1<<20, b, uint32(16), uint32(1)) },
		"overrun write": func() error { return rt.Write(b, 60, make([]byte, 8)) },
		"overrun read":  func() error { return rt.Read(make([]byte, 65), b, 0) },
		"negative":      func() error { return rt.Launch(add, -1, 0) },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "cuda:0") {
			t.Errorf("%s: %v, want an error naming cuda:0", name, err)
		}
	}
	rt.Free(b)
	rt.Free(b) // twice: ignored
	rt.Free(nil)
	if err := rt.Write(b, 0, []byte{1}); err == nil || !strings.Contains(err.Error(), "freed") {
		t.Errorf("write to a freed buffer: %v", err)
	}
	if _, err := rt.Alloc(0); err == nil {
		t.Error("Alloc(0) succeeded")
	}
	_, err = rt.Alloc(int(rt.Memory() + 1<<30))
	if !errors.Is(err, gpu.ErrOutOfMemory) || !strings.Contains(err.Error(), "out of device memory (need") || !strings.Contains(err.Error(), "free") {
		t.Errorf("oversized Alloc: %v", err)
	}
	var ce *cuda.Error
	if !errors.As(err, &ce) || ce.Name != "CUDA_ERROR_OUT_OF_MEMORY" {
		t.Errorf("oversized Alloc: not a CUDA_ERROR_OUT_OF_MEMORY *cuda.Error: %v", err)
	}
	// The runtime still works.
	b, err = rt.Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	rt.Free(b)
	if _, err := rt.Compile(gpu.Source("KERNEL void broken( {")); err == nil {
		t.Error("broken source compiled")
	}
}

// TestModuleSources loads one program through each path: NVRTC (where
// present), the disk cache, a corrupt cache entry (rejected, rebuilt) and
// the embedded PTX.
func TestModuleSources(t *testing.T) {
	rt := runtime0(t)
	t.Setenv("ZKACCEL_CACHE_DIR", t.TempDir())
	t.Setenv("ZKACCEL_CACHE", "")
	src, err := gpu.ProgramSource("keccak")
	if err != nil {
		t.Fatal(err)
	}
	origin := func() string {
		t.Helper()
		cuda.ForgetModules(rt)
		p, err := rt.Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Kernel("keccak256_batch"); err != nil {
			t.Fatal(err)
		}
		return p.(*cuda.Program).Origin()
	}
	if _, err := cuda.LoadNVRTC(); err == nil {
		if o := origin(); !strings.HasPrefix(o, "NVRTC ") {
			t.Errorf("first load from %q, want NVRTC", o)
		}
		if o := origin(); o != "disk cache" {
			t.Errorf("second load from %q, want the disk cache", o)
		}
		entries, _ := filepath.Glob(filepath.Join(os.Getenv("ZKACCEL_CACHE_DIR"), "cuda", "*.bin"))
		if len(entries) != 1 {
			t.Fatalf("%d cache entries", len(entries))
		}
		raw, _ := os.ReadFile(entries[0])
		raw[len(raw)-1] ^= 0xFF
		os.WriteFile(entries[0], raw, 0o644)
		_, _, _, rejected := rt.CompileStats()
		if o := origin(); !strings.HasPrefix(o, "NVRTC ") {
			t.Errorf("after corrupting the entry, load from %q, want NVRTC", o)
		}
		if _, _, _, r := rt.CompileStats(); r != rejected+1 {
			t.Errorf("corrupt entry not rejected")
		}
	} else {
		t.Logf("no NVRTC: %v", err)
	}
	t.Setenv(cuda.EnvPTX, "embedded")
	if o := origin(); o != "embedded PTX" {
		t.Errorf("with %s=embedded, load from %q", cuda.EnvPTX, o)
	}
}

// TestConcurrentRuntime uses the runtime from many goroutines at once (run
// with -race).
func TestConcurrentRuntime(t *testing.T) {
	concurrentRoundTrips(t, runtime0(t), 16, 1<<16)
}

// concurrentRoundTrips has n goroutines each allocate, write, read back and
// free a buffer of about size bytes on rt at once, and checks the data.
func concurrentRoundTrips(t *testing.T, rt gpu.Runtime, n, size int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := bytes.Repeat([]byte{byte(g + 1)}, size+g)
			b, err := rt.Alloc(len(data))
			if err != nil {
				errs <- err
				return
			}
			defer rt.Free(b)
			got := make([]byte, len(data))
			if err := rt.Write(b, 0, data); err != nil {
				errs <- err
			} else if err := rt.Read(got, b, 0); err != nil {
				errs <- err
			} else if !bytes.Equal(got, data) {
				errs <- fmt.Errorf("goroutine %d: data differs", g)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// ceilingSrc holds the kernels of TestCeilings: a grid-stride copy, eight
// independent chains of 32-bit multiply-adds per thread, and two chains of
// BN254 base-field multiplications per thread (the field instance "f").
const ceilingSrc = `
KERNEL void ceil_copy(GLOBAL u64* dst, const GLOBAL u64* src, u64 n) {
	u64 stride = GLOBAL_SIZE();
	for (u64 i = GLOBAL_ID(); i < n; i += stride) dst[i] = src[i];
}
KERNEL void ceil_mad(GLOBAL u32* out, u32 a, u32 b, u32 iters) {
	u32 x0 = GLOBAL_ID(), x1 = x0 ^ 1u, x2 = x0 ^ 2u, x3 = x0 ^ 3u, x4 = x0 ^ 4u, x5 = x0 ^ 5u, x6 = x0 ^ 6u, x7 = x0 ^ 7u;
	for (u32 i = 0; i < iters; i++) {
		x0 = x0 * a + b; x1 = x1 * a + b; x2 = x2 * a + b; x3 = x3 * a + b;
		x4 = x4 * a + b; x5 = x5 * a + b; x6 = x6 * a + b; x7 = x7 * a + b;
	}
	out[GLOBAL_ID()] = x0 ^ x1 ^ x2 ^ x3 ^ x4 ^ x5 ^ x6 ^ x7;
}
KERNEL void ceil_fmul(GLOBAL u64* out, const GLOBAL u64* in, u32 iters) {
	f_t x = f_load(in, 0), y = f_load(in, 1), z = f_load(in, 2);
	x.v[0] ^= GLOBAL_ID();
	for (u32 i = 0; i < iters; i++) {
		x = f_mul(x, y);
		z = f_mul(z, y);
	}
	f_store(out, GLOBAL_ID(), f_add(x, z));
}

KERNEL void ceil_fsqr(GLOBAL u64* out, const GLOBAL u64* in, u32 iters) {
	f_t x = f_load(in, 0), z = f_load(in, 2);
	x.v[0] ^= GLOBAL_ID();
	for (u32 i = 0; i < iters; i++) {
		x = f_sqr(x);
		z = f_sqr(z);
	}
	f_store(out, GLOBAL_ID(), f_add(x, z));
}
`

// TestCeilings measures the two ceilings that bound the kernels (METHOD.md
// of the device notes): device-memory bandwidth (a copy, bytes read plus
// written) and the 32-bit multiply-add rate, and, between them, the rate of
// BN254 base-field multiplications in each of the field template's forms
// (gpu.EnvMul), and of squarings in the default form with and without its
// own PTX (gpu.EnvSqr). It logs "CEILING" lines, which scripts/gpu-check.sh
// collects; it checks only that each kernel ran.
func TestCeilings(t *testing.T) {
	rt := runtime0(t)
	sms := rt.Multiprocessors()
	median := func(run func() error) float64 {
		var ts []float64
		for range 5 {
			rt.ResetTimes()
			if err := run(); err != nil {
				t.Fatal(err)
			}
			if err := rt.Finish(); err != nil {
				t.Fatal(err)
			}
			k, _, err := rt.Times()
			if err != nil || k <= 0 {
				t.Fatalf("Times: %v, %v", k, err)
			}
			ts = append(ts, k.Seconds())
		}
		slices.Sort(ts)
		return ts[len(ts)/2]
	}
	prog, err := rt.Compile(gpu.Source(ceilingSrc[:strings.Index(ceilingSrc, "KERNEL void ceil_fmul")]))
	if err != nil {
		t.Fatal(err)
	}
	copyK, _ := prog.Kernel("ceil_copy")
	madK, _ := prog.Kernel("ceil_mad")

	const words = 1 << 28 // 2 GiB each way
	src, err := rt.Alloc(8 * words)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(src)
	dst, err := rt.Alloc(8 * words)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(dst)
	threads := sms * 2048
	sec := median(func() error { return rt.Launch(copyK, threads, 256, dst, src, uint64(words)) })
	t.Logf("CEILING copy: %.2f TB/s (2 × %d MiB in %.3f ms)", 2*8*words/sec/1e12, 8*words>>20, sec*1e3)

	const iters = 4096
	out, err := rt.Alloc(4 * threads)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(out)
	sec = median(func() error { return rt.Launch(madK, threads, 256, out, uint32(0x9E3779B9), uint32(7), uint32(iters)) })
	t.Logf("CEILING int32 multiply-add: %.2f T/s (%.3f ms)", float64(threads)*iters*8/sec/1e12, sec*1e3)

	fp, _ := gpu.BaseField(zkaccel.BN254)
	in := make([]byte, 3*fp.ElemSize())
	for i := range in {
		in[i] = byte(i*37 + 11)
	}
	in[fp.ElemSize()-1], in[2*fp.ElemSize()-1], in[3*fp.ElemSize()-1] = 0x0f, 0x0f, 0x0f // below p
	inBuf, err := rt.Alloc(len(in))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(inBuf)
	if err := rt.Write(inBuf, 0, in); err != nil {
		t.Fatal(err)
	}
	fthreads := sms * 1024
	fout, err := rt.Alloc(fthreads * fp.ElemSize())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Free(fout)
	const fiters = 256
	// The squarings (gpu.EnvSqr) in the wide form, with and without its
	// own PTX; the other forms square by multiplying.
	mul, sqr := "ceil_fmul", "ceil_fsqr"
	for _, v := range []struct {
		name, prelude string
		kernels       []string
	}{
		{"32 (PTX, wide)", "#define ZK_MUL32 1\n", []string{mul, sqr}},
		{"32 (PTX, wide), squaring by multiplying", "#define ZK_MUL32 1\n#define ZK_SQR_MUL 1\n", []string{sqr}},
		{"32s (PTX rows)", "#define ZK_MUL32 1\n#define ZK_MUL_ROWS 1\n", []string{mul}},
		{"32c", "#define ZK_MUL32 1\n#define ZK_NO_ASM 1\n", []string{mul}},
		{"64", "#define ZK_MUL64 1\n", []string{mul}},
	} {
		p, err := rt.Compile(v.prelude + gpu.Source(fp.Source("f"), ceilingSrc[strings.Index(ceilingSrc, "KERNEL void ceil_fmul"):]))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range v.kernels {
			k, _ := p.Kernel(name)
			op := map[string]string{mul: "multiplications", sqr: "squarings"}[name]
			sec := median(func() error { return rt.Launch(k, fthreads, 256, fout, inBuf, uint32(fiters)) })
			t.Logf("CEILING BN254 Fp %s, form %s: %.1f G/s (%d registers)", op, v.name, float64(fthreads)*fiters*2/sec/1e9, k.(*cuda.Kernel).Registers())
		}
	}
}
