package opencl_test

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// wantErr fails unless err is non-nil and contains every part.
func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q lacks %q", what, err, p)
		}
	}
}

// otherBuffer is a gpu.Buffer that is not the runtime's.
type otherBuffer struct{}

func (otherBuffer) Size() int { return 8 }

func TestMisuse(t *testing.T) {
	rt := runtime0(t)
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	p, k, buf := vecAddSetup(t, rt)

	// Kernel arguments.
	wantErr(t, "string argument", rt.Launch(k, 8, 0, buf, buf, buf, "x", uint32(8)), "argument 3", "string")
	wantErr(t, "int argument", rt.Launch(k, 8, 0, buf, buf, buf, uint64(1), 8), "argument 4", "int")
	wantErr(t, "nil argument", rt.Launch(k, 8, 0, buf, nil, buf, uint64(1), uint32(8)), "argument 1")
	wantErr(t, "foreign buffer", rt.Launch(k, 8, 0, buf, otherBuffer{}, buf, uint64(1), uint32(8)), "not an OpenCL buffer")
	wantErr(t, "negative global", rt.Launch(k, -1, 0, buf, buf, buf, uint64(1), uint32(8)), "negative")
	wantErr(t, "2^32 work items", rt.Launch(k, 1<<32, 0, buf, buf, buf, uint64(1), uint32(8)), "2^32-1")
	wantErr(t, "nil kernel", rt.Launch(nil, 8, 0), "not an OpenCL kernel")
	wantErr(t, "local above the device's limit", rt.Launch(k, 8*rt.MaxGroupSize(), 2*rt.MaxGroupSize(), buf, buf, buf, uint64(1), uint32(8)),
		"launch vec_add", "exceed the kernel's limit", "CL_KERNEL_WORK_GROUP_SIZE")
	if err := rt.Launch(k, 0, 0, buf, buf, buf, uint64(1), uint32(0)); err != nil {
		t.Errorf("launch of 0 items: %v", err)
	}

	// A kernel whose arguments were never set.
	p2, err := rt.Compile(gpu.Source(`KERNEL void unset(GLOBAL u64* a, u32 n) { if (GLOBAL_ID() < n) a[GLOBAL_ID()] = 1; }`))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := p2.Kernel("unset")
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Launch(k2, 8, 0)
	wantErr(t, "arguments not set", err, "clEnqueueNDRangeKernel(unset)", "CL_INVALID_KERNEL_ARGS")
	var clErr *opencl.Error
	if !errors.As(err, &clErr) || clErr.Name() != "CL_INVALID_KERNEL_ARGS" || clErr.Code != -52 {
		t.Errorf("arguments not set: %#v is not *opencl.Error CL_INVALID_KERNEL_ARGS", err)
	}
	_, err = p.Kernel("no_such_kernel")
	wantErr(t, "missing kernel", err, "clCreateKernel(no_such_kernel)", "CL_INVALID_KERNEL_NAME (-46)")

	// Copies out of bounds.
	wantErr(t, "read past the end", rt.Read(make([]byte, 16), buf, 56), "overrun")
	wantErr(t, "read too long", rt.Read(make([]byte, 65), buf, 0), "overrun")
	wantErr(t, "write past the end", rt.Write(buf, 60, make([]byte, 8)), "overrun")
	wantErr(t, "negative offset", rt.Write(buf, -1, make([]byte, 1)), "overrun")
	wantErr(t, "offset past the end", rt.Read(nil, buf, 65), "overrun")
	if err := rt.Read(nil, buf, 64); err != nil {
		t.Errorf("empty read at the end: %v", err)
	}
	if err := rt.Write(buf, 0, nil); err != nil {
		t.Errorf("empty write: %v", err)
	}
	wantErr(t, "write to a foreign buffer", rt.Write(otherBuffer{}, 0, []byte{1}), "not an OpenCL buffer")
	wantErr(t, "read of nil", rt.Read([]byte{1}, nil, 0), "not an OpenCL buffer")

	// Allocation limits.
	_, err = rt.Alloc(0)
	wantErr(t, "Alloc(0)", err, "size 0")
	_, err = rt.Alloc(int(rt.MaxAlloc()) + 1)
	wantErr(t, "Alloc above MaxAlloc", err, "largest allocation")

	// Use after free; double free; nil free.
	freed, err := rt.Alloc(8)
	if err != nil {
		t.Fatal(err)
	}
	rt.Free(freed)
	rt.Free(freed)
	rt.Free(nil)
	rt.Free(otherBuffer{})
	wantErr(t, "write after free", rt.Write(freed, 0, []byte{1}), "freed")
	wantErr(t, "launch on a freed buffer", rt.Launch(k, 8, 0, freed, buf, buf, uint64(1), uint32(8)), "freed")

	// After all that, the runtime still works.
	if err := rt.Finish(); err != nil {
		t.Errorf("Finish after errors: %v", err)
	}
	if err := checkVecAdd(rt, p, rng, 100, 0); err != nil {
		t.Error(err)
	}
}

func TestFreeReleases(t *testing.T) {
	rt := runtime0(t)
	live := opencl.GetStats(rt).Live
	var bufs []gpu.Buffer
	for i := 1; i <= 5; i++ {
		b, err := rt.Alloc(i * 100)
		if err != nil {
			t.Fatal(err)
		}
		if b.Size() != i*100 {
			t.Errorf("Size() = %d, want %d", b.Size(), i*100)
		}
		bufs = append(bufs, b)
	}
	if got := opencl.GetStats(rt).Live; got != live+5 {
		t.Errorf("after 5 allocations: %d live buffers, want %d", got, live+5)
	}
	for _, b := range bufs {
		rt.Free(b)
		rt.Free(b)
	}
	if got := opencl.GetStats(rt).Live; got != live {
		t.Errorf("after freeing: %d live buffers, want %d", got, live)
	}
}

func TestKernelTime(t *testing.T) {
	rt := runtime0(t)
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	p, err := rt.Compile(vecAdd)
	if err != nil {
		t.Fatal(err)
	}
	rt.ResetKernelTime()
	if d := rt.KernelTime(); d != 0 {
		t.Errorf("KernelTime after reset = %v", d)
	}
	if err := checkVecAdd(rt, p, rng, 1<<14, 0); err != nil {
		t.Fatal(err)
	}
	d := rt.KernelTime()
	if d <= 0 {
		t.Errorf("KernelTime after a launch = %v, want > 0", d)
	}
	t.Logf("vec_add over 2^14 u64: %v", d)
	// The one kernel, its one launch, the whole kernel time.
	if ks, err := rt.KernelTimes(); err != nil || len(ks) != 1 || ks[0].Name != "vec_add" || ks[0].Launches != 1 || ks[0].Time != d {
		t.Errorf("KernelTimes = %+v, %v; want vec_add, one launch of %v", ks, err, d)
	}

	rt.SetProfiling(false)
	defer rt.SetProfiling(true)
	if err := checkVecAdd(rt, p, rng, 1<<14, 0); err != nil {
		t.Fatal(err)
	}
	if d2 := rt.KernelTime(); d2 != d {
		t.Errorf("KernelTime changed from %v to %v with profiling off", d, d2)
	}
	rt.ResetKernelTime()
	if ks, err := rt.KernelTimes(); err != nil || len(ks) != 0 {
		t.Errorf("KernelTimes after reset = %+v, %v; want none", ks, err)
	}
}
