package opencl_test

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// runtime0 returns opencl:0's runtime, or skips (fails where
// ZKACCEL_REQUIRE names opencl) when there is none.
func runtime0(t *testing.T) *opencl.Runtime {
	t.Helper()
	rts, err := opencl.Runtimes()
	if err == nil && len(rts) > 0 {
		return rts[0].(*opencl.Runtime)
	}
	why := "no OpenCL device"
	if err != nil {
		why = "OpenCL unavailable: " + err.Error()
	}
	devtest.Absent(t, zkaccel.OpenCL, why)
	return nil
}

func TestDiscovery(t *testing.T) {
	rt := runtime0(t)
	if rt.Kind() != "opencl" || rt.Ordinal() != 0 {
		t.Errorf("Kind, Ordinal = %q, %d", rt.Kind(), rt.Ordinal())
	}
	if rt.Name() == "" || rt.Memory() == 0 || rt.MaxAlloc() == 0 || rt.MaxGroupSize() <= 0 {
		t.Errorf("Name %q Memory %d MaxAlloc %d MaxGroupSize %d", rt.Name(), rt.Memory(), rt.MaxAlloc(), rt.MaxGroupSize())
	}
	t.Logf("%s: %s (%s, %s), platform %s, driver %s, %d MiB, max alloc %d MiB, max group %d, pocl %v",
		rt, rt.Name(), rt.Type(), rt.Version(), rt.Platform(), rt.Driver(), rt.Memory()>>20, rt.MaxAlloc()>>20, rt.MaxGroupSize(), rt.IsPOCL())
	dev, err := zkaccel.Open("opencl:0")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := dev.(*gpu.Device)
	if !ok {
		t.Fatalf("zkaccel.Open(\"opencl:0\") = %T, want *gpu.Device", dev)
	}
	if d.Kind() != zkaccel.OpenCL || d.String() != "opencl:0" || d.Runtime() != gpu.Runtime(rt) {
		t.Errorf("device %v kind %q: not the runtime of opencl.Runtimes()[0]", d, d.Kind())
	}
}

// vecAdd computes c[i] = a[i] + b[i] + k over u64, for i < n.
var vecAdd = gpu.Source(`
KERNEL void vec_add(GLOBAL u64* c, GLOBAL const u64* a, GLOBAL const u64* b, u64 k, u32 n) {
	u32 i = GLOBAL_ID();
	if (i < n) c[i] = a[i] + b[i] + k;
}
`)

func u64s(b []byte) []uint64 {
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

func bytesOf(v []uint64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return b
}

// checkVecAdd runs p's vec_add over n random elements with the given
// local size and checks the result, including that c is untouched past n.
func checkVecAdd(rt gpu.Runtime, p gpu.Program, rng *rand.Rand, n, local int) (err error) {
	k, err := p.Kernel("vec_add")
	if err != nil {
		return err
	}
	a, b := make([]uint64, n), make([]uint64, n)
	for i := range a {
		a[i], b[i] = rng.Uint64(), rng.Uint64()
	}
	kv := rng.Uint64()
	const extra = 3 // poisoned elements past n that must survive
	poison := make([]uint64, n+extra)
	for i := range poison {
		poison[i] = 0xDEADBEEFCAFEF00D
	}
	var bufs []gpu.Buffer
	defer func() {
		for _, b := range bufs {
			rt.Free(b)
		}
	}()
	for _, v := range [][]uint64{a, b, poison} {
		buf, err := rt.Alloc(8 * len(v))
		if err != nil {
			return err
		}
		bufs = append(bufs, buf)
		if err := rt.Write(buf, 0, bytesOf(v)); err != nil {
			return err
		}
	}
	if err := rt.Launch(k, n, local, bufs[2], bufs[0], bufs[1], kv, uint32(n)); err != nil {
		return err
	}
	out := make([]byte, 8*(n+extra))
	if err := rt.Read(out, bufs[2], 0); err != nil {
		return err
	}
	got := u64s(out)
	for i := 0; i < n; i++ {
		if want := a[i] + b[i] + kv; got[i] != want {
			return fmt.Errorf("n=%d local=%d: c[%d] = %#x, want %#x", n, local, i, got[i], want)
		}
	}
	for i := n; i < n+extra; i++ {
		if got[i] != poison[i] {
			return fmt.Errorf("n=%d local=%d: c[%d] = %#x was written past n", n, local, i, got[i])
		}
	}
	return nil
}

func TestVecAdd(t *testing.T) {
	rt := runtime0(t)
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	p, err := rt.Compile(vecAdd)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ n, local int }{{1, 0}, {7, 0}, {1000, 0}, {1000, 64}, {257, 256}, {33, 1}, {4097, 0}, {100, 7}} {
		if err := checkVecAdd(rt, p, rng, c.n, c.local); err != nil {
			t.Error(err)
		}
	}
}

func TestBuildError(t *testing.T) {
	rt := runtime0(t)
	_, err := rt.Compile(gpu.Source(`KERNEL void bad(GLOBAL u64* a) { a[0] = zk_undeclared_identifier; }`))
	if err == nil {
		t.Fatal("Compile of bad source succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"zkaccel/opencl", "CL_BUILD_PROGRAM_FAILURE", "zk_undeclared_identifier"} {
		if !strings.Contains(msg, want) {
			t.Errorf("build error lacks %q:\n%s", want, msg)
		}
	}
	t.Logf("build error: %.400s", msg)
}

// vecAddSetup compiles vec_add on rt and allocates a buffer of 64 bytes
// (freed when the test ends): the program, its kernel and the buffer.
func vecAddSetup(t *testing.T, rt *opencl.Runtime) (gpu.Program, gpu.Kernel, gpu.Buffer) {
	t.Helper()
	p, err := rt.Compile(vecAdd)
	if err != nil {
		t.Fatal(err)
	}
	k, err := p.Kernel("vec_add")
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Free(b) })
	return p, k, b
}
