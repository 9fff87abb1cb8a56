package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// Runtime is the [gpu.Runtime] of one CUDA GPU: the device's primary
// context (retained on first use), a non-blocking stream on which every
// launch and every read runs in order, a second one for the copies to the
// device (see [EnvCopyStream]), two pinned host staging buffers through
// which copies overlap, the modules compiled for the device, and timers.
//
// A copy to the device runs on the copy stream, so that it overlaps the
// kernels already queued: the launches and reads that use its buffer wait
// for it (an event per written buffer), and a copy into a buffer that
// kernels or reads have used waits for them. The device sees each buffer's
// accesses in the order the calls were made, as gpu.Runtime requires; only
// work on different buffers overlaps.
//
// Every method makes the context current on the calling OS thread for its
// duration (goroutines move between threads) and holds the runtime's lock,
// so a Runtime may be used from many goroutines. Runtimes come from
// [Runtimes] (or zkaccel.Devices) and live as long as the process.
type Runtime struct {
	api     *driverAPI
	dev     uintptr // CUdevice
	ordinal int

	name                    string
	memory                  uint64
	ccMajor, ccMinor        int
	sms, maxThreads         int
	clockKHz, memClockKHz   int
	busWidth                int
	pciDomain, pciBus, pciD int
	pciID                   string // cuDeviceGetPCIBusId's, with the PCI function ("" where the driver has none)

	mu      sync.Mutex
	ctx     uintptr // primary context, 0 until first use or after a reset
	stream  uintptr // launches and reads
	copies  uintptr // copies to the device: a stream of its own, or stream (EnvCopyStream=0)
	gen     uint64  // bumped at each context reset: older buffers and programs are stale
	gone    error   // the device cannot be used again in this process (deviceLost)
	busy    bool    // work was issued on the stream since it was last waited for
	cbusy   bool    // copies were issued on the copy stream since it was last waited for
	stage   [2]staging
	epoch   int // ResetTimes' count (timing.go)
	modules map[[32]byte]*Program
	timing  bool
	pending []timedEvent
	ktime   time.Duration   // kernel time since ResetTimes
	xtime   time.Duration   // copy time since ResetTimes
	kstats  gpu.KernelStats // per kernel since ResetTimes

	live  atomic.Int64
	mem   gpu.MemoryMeter
	stats compileStats
}

var _ gpu.Runtime = (*Runtime)(nil)

// Kind is "cuda".
func (rt *Runtime) Kind() string { return "cuda" }

// Ordinal is the device's CUDA ordinal.
func (rt *Runtime) Ordinal() int { return rt.ordinal }

// Name is the device's name (cuDeviceGetName), e.g. "NVIDIA H100 80GB HBM3".
func (rt *Runtime) Name() string { return rt.name }

// Memory is the device's total memory in bytes.
func (rt *Runtime) Memory() uint64 { return rt.memory }

// MaxAlloc is the largest single allocation: CUDA allows the whole memory.
func (rt *Runtime) MaxAlloc() uint64 { return rt.memory }

// MaxGroupSize is the device's maximum threads per block.
func (rt *Runtime) MaxGroupSize() int { return rt.maxThreads }

// ComputeCapability is the device's compute capability, e.g. (9, 0).
func (rt *Runtime) ComputeCapability() (major, minor int) { return rt.ccMajor, rt.ccMinor }

// Multiprocessors is the number of streaming multiprocessors.
func (rt *Runtime) Multiprocessors() int { return rt.sms }

// Clocks are the device's peak SM and memory clocks in MHz, and its memory
// bus width in bits.
func (rt *Runtime) Clocks() (smMHz, memMHz, busBits int) {
	return rt.clockKHz / 1000, rt.memClockKHz / 1000, rt.busWidth
}

// PCIBusID is the device's PCI address, e.g. "0000:65:00.0": the
// driver's (cuDeviceGetPCIBusId), in lower case, else made from the
// device's PCI attributes with function 0.
func (rt *Runtime) PCIBusID() string {
	if rt.pciID != "" {
		return rt.pciID
	}
	return fmt.Sprintf("%04x:%02x:%02x.0", rt.pciDomain, rt.pciBus, rt.pciD)
}

// DriverVersion is the CUDA version the driver supports, e.g. "12.4".
func (rt *Runtime) DriverVersion() string {
	return fmt.Sprintf("%d.%d", rt.api.version/1000, rt.api.version%1000/10)
}

// Type is "gpu".
func (rt *Runtime) Type() string { return "gpu" }

// DriverInfo describes the driver, the compiler and the device in one line,
// e.g. "CUDA driver 12.4 (550.54.15), NVRTC 12.4, sm_90, 132 SMs, PCI
// 0000:65:00.0".
func (rt *Runtime) DriverInfo() string {
	comp := "no NVRTC (embedded PTX)"
	if n, err := LoadNVRTC(); err == nil {
		comp = "NVRTC " + n.Version()
	}
	drv := "CUDA driver " + rt.DriverVersion()
	if n, err := loadNVML(); err == nil && n.driver != "" {
		drv += " (" + n.driver + ")"
	}
	return fmt.Sprintf("%s, %s, sm_%d%d, %d SMs, PCI %s", drv, comp, rt.ccMajor, rt.ccMinor, rt.sms, rt.PCIBusID())
}

// String is the device spec, e.g. "cuda:0".
func (rt *Runtime) String() string { return fmt.Sprintf("cuda:%d", rt.ordinal) }

// errorf formats an error of this runtime: "zkaccel/cuda: op on cuda:0: …".
func (rt *Runtime) errorf(op, format string, args ...any) error {
	return fmt.Errorf("zkaccel/cuda: %s on %s: %s", op, rt, fmt.Sprintf(format, args...))
}

// Generation counts the runtime's context resets (after sticky errors),
// also those no operation's error reported (a reset a Free met): a device
// over the runtime forgets what a reset lost when it changes.
func (rt *Runtime) Generation() uint64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.gen
}

// lost is the error of op on a handle (a buffer, a program, a kernel, a
// mark) that a reset of the device destroyed. It wraps gpu.ErrDeviceReset,
// so that the caller drops what it kept on the device: the reset may have
// been noticed where no error could say so (a Free's wait).
func (rt *Runtime) lost(op, what string) error {
	return fmt.Errorf("zkaccel/cuda: %s on %s: the %s was lost when the device was reset: %w", op, rt, what, gpu.ErrDeviceReset)
}

// discover lists the GPUs and reads their properties; no context is made
// until a runtime is used.
func discover() ([]*Runtime, error) {
	a, err := loadDriver()
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && ce.Code == cudaErrorNoDevice {
			return nil, fmt.Errorf("zkaccel/cuda: %w (%v)", errNoDevice, err)
		}
		if ce == nil {
			return nil, fmt.Errorf("zkaccel/cuda: no NVIDIA driver: %w", err)
		}
		return nil, err
	}
	return discoverWith(a)
}

// discoverWith lists the GPUs of an opened driver.
func discoverWith(a *driverAPI) ([]*Runtime, error) {
	var ps cgo.Pins
	defer ps.Done()
	cnt := ps.Word(0)
	if err := a.check("cuDeviceGetCount", a.call(a.deviceGetCount, cgo.Addr(cnt))); err != nil {
		return nil, err
	}
	var out []*Runtime
	for i := 0; i < int(int32(*cnt)); i++ {
		rt, err := newRuntime(a, i)
		if err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, nil
}

func newRuntime(a *driverAPI, ordinal int) (*Runtime, error) {
	var ps cgo.Pins
	defer ps.Done()
	dev := ps.Word(0)
	if err := a.check(fmt.Sprintf("cuDeviceGet(%d)", ordinal), a.call(a.deviceGet, cgo.Addr(dev), uintptr(ordinal))); err != nil {
		return nil, err
	}
	rt := &Runtime{api: a, dev: uintptr(int32(*dev)), ordinal: ordinal, modules: map[[32]byte]*Program{}, timing: true}
	name := make([]byte, 256)
	if err := a.check("cuDeviceGetName", a.call(a.deviceGetName, ps.Bytes(name), uintptr(len(name)), rt.dev)); err != nil {
		return nil, err
	}
	rt.name = strings.TrimSpace(cString(name))
	mem := ps.Word(0)
	if err := a.check("cuDeviceTotalMem_v2", a.call(a.deviceTotalMem, cgo.Addr(mem), rt.dev)); err != nil {
		return nil, err
	}
	rt.memory = uint64(*mem)
	for _, at := range []struct {
		attr uintptr
		dst  *int
	}{
		{attrCCMajor, &rt.ccMajor}, {attrCCMinor, &rt.ccMinor}, {attrMultiprocessors, &rt.sms},
		{attrMaxThreadsPerBlock, &rt.maxThreads}, {attrClockRate, &rt.clockKHz},
		{attrMemoryClockRate, &rt.memClockKHz}, {attrMemoryBusWidth, &rt.busWidth},
		{attrPCIDomainID, &rt.pciDomain}, {attrPCIBusID, &rt.pciBus}, {attrPCIDeviceID, &rt.pciD},
	} {
		v := ps.Word(0)
		if err := a.check(fmt.Sprintf("cuDeviceGetAttribute(%d)", at.attr), a.call(a.deviceGetAttribute, cgo.Addr(v), at.attr, rt.dev)); err != nil {
			return nil, err
		}
		*at.dst = int(int32(*v))
	}
	if rt.maxThreads < 1 {
		rt.maxThreads = 1
	}
	if a.pciBusID.Valid() {
		id := make([]byte, 32)
		if a.check("cuDeviceGetPCIBusId", a.call(a.pciBusID, ps.Bytes(id), uintptr(len(id)), rt.dev)) == nil {
			rt.pciID = strings.ToLower(strings.TrimSpace(cString(id)))
		}
	}
	return rt, nil
}

// cString is the text of b up to its first NUL: a string a driver wrote
// into a buffer.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// enter locks the runtime, pins the goroutine to its OS thread and makes
// the device's context current there (retaining the primary context and
// creating the stream on first use); exit undoes it.
func (rt *Runtime) enter() (exit func(), err error) {
	rt.mu.Lock()
	runtime.LockOSThread()
	fail := func(err error) (func(), error) {
		runtime.UnlockOSThread()
		rt.mu.Unlock()
		return nil, err
	}
	if rt.gone != nil {
		return fail(fmt.Errorf("zkaccel/cuda: %s is lost to this process (restart it to use the GPU again): %w", rt, rt.gone))
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	if rt.ctx == 0 {
		ctx := ps.Word(0)
		if err := a.check("cuDevicePrimaryCtxRetain", a.call(a.primaryCtxRetain, cgo.Addr(ctx), rt.dev)); err != nil {
			return fail(fmt.Errorf("%w (on %s)", err, rt))
		}
		rt.ctx = *ctx
	}
	if err := a.check("cuCtxPushCurrent_v2", a.call(a.ctxPushCurrent, rt.ctx)); err != nil {
		return fail(fmt.Errorf("%w (on %s)", err, rt))
	}
	exit = func() {
		var ps cgo.Pins
		if rt.ctx != 0 { // else a reset found no fresh context to push
			old := ps.Word(0)
			a.call(a.ctxPopCurrent, cgo.Addr(old))
		}
		ps.Done()
		runtime.UnlockOSThread()
		rt.mu.Unlock()
	}
	if rt.stream == 0 {
		s := ps.Word(0)
		if err := a.check("cuStreamCreate", a.call(a.streamCreate, cgo.Addr(s), streamNonBlocking)); err != nil {
			exit()
			return nil, fmt.Errorf("%w (on %s)", err, rt)
		}
		rt.stream, rt.copies = *s, *s
		if os.Getenv(EnvCopyStream) != "0" {
			c := ps.Word(0)
			if err := a.check("cuStreamCreate", a.call(a.streamCreate, cgo.Addr(c), streamNonBlocking)); err != nil {
				exit()
				return nil, fmt.Errorf("%w (on %s)", err, rt)
			}
			rt.copies = *c
		}
	}
	return exit, nil
}

// EnvCopyStream names the variable that, set to "0", makes a runtime copy
// to the device on its one stream, in order with every launch, instead of
// on a copy stream of its own that overlaps the kernels (the default): to
// measure what the overlap gains, or to rule it out.
const EnvCopyStream = "ZKACCEL_CUDA_COPY_STREAM"

// separateCopies reports whether copies to the device run on a stream of
// their own. The caller has entered the runtime.
func (rt *Runtime) separateCopies() bool { return rt.copies != rt.stream }

// streamWait makes stream wait for the work before ev (recorded on another
// stream), then destroys ev (CUDA frees it once that work is done).
func (rt *Runtime) streamWait(stream, ev uintptr) error {
	a := rt.api
	err := rt.check("cuStreamWaitEvent", a.call(a.streamWaitEvent, stream, ev, 0))
	a.call(a.eventDestroy, ev)
	return err
}

// mark records a new event on stream (no timing), for another stream to
// wait for.
func (rt *Runtime) mark(stream uintptr) (uintptr, error) {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	ev := ps.Word(0)
	if err := rt.check("cuEventCreate", a.call(a.eventCreate, cgo.Addr(ev), eventDisableTiming)); err != nil {
		return 0, err
	}
	if err := rt.check("cuEventRecord", a.call(a.eventRecord, *ev, stream)); err != nil {
		a.call(a.eventDestroy, *ev)
		return 0, err
	}
	return *ev, nil
}

// ready makes the stream wait for the last copy into b, if one is still
// pending, and marks b as used by the stream (so that a later copy into it
// waits for the stream). The caller has entered the runtime.
func (rt *Runtime) ready(b *buffer) error {
	b.used = true
	if b.written == 0 {
		return nil
	}
	a := rt.api
	if err := rt.check("cuStreamWaitEvent", a.call(a.streamWaitEvent, rt.stream, b.written, 0)); err != nil {
		return err // b keeps the copy's event: its Free, and a later use, still wait for it
	}
	a.call(a.eventDestroy, b.written)
	b.written = 0
	rt.busy = true // the stream now waits for the copy: a Free of b waits for the stream, even if the launch fails
	return nil
}

// check is a.check that, for a sticky error, resets the device's context
// (the runtime holds rt.mu and the context is current) and wraps
// gpu.ErrDeviceReset, so that callers drop what they cached; or, where
// the fresh context failed too, gpu.ErrDeviceLost.
func (rt *Runtime) check(op string, r uintptr) error {
	err := rt.api.check(op, r)
	var ce *Error
	if err == nil || !errors.As(err, &ce) || !ce.Sticky() {
		return err
	}
	if why := rt.reset(); why != nil {
		rt.gone = deviceLost(rt, err, why)
		return rt.gone
	}
	return deviceReset(err)
}

// reset destroys the primary context after a sticky error: every buffer,
// module, stream and event of the runtime goes with it, and the generation
// moves on so that stale handles are refused (and freeing them is a no-op).
// It then retains a fresh context and tries it (probe). Where that fails
// with a sticky error, as cuda.h says it may (the process must be
// restarted after most sticky errors), reset returns that error: the
// device is lost to the process. Otherwise the next calls use the fresh
// context (or, where it could not be retained for another reason, the
// next enter tries again). The caller holds rt.mu with the context
// current.
func (rt *Runtime) reset() (lost error) {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	for i := range rt.stage {
		rt.stage[i] = staging{} // pinned host memory belongs to the context too
	}
	rt.pending = nil
	old := ps.Word(0)
	a.call(a.ctxPopCurrent, cgo.Addr(old))
	a.call(a.primaryCtxReset, rt.dev)
	a.call(a.primaryCtxRelease, rt.dev)
	// Keep the push/pop of enter balanced: make a fresh context current
	// for the rest of the call, whose calls now fail cleanly or succeed.
	ctx := ps.Word(0)
	err := a.check("cuDevicePrimaryCtxRetain", a.call(a.primaryCtxRetain, cgo.Addr(ctx), rt.dev))
	if err == nil {
		rt.ctx = *ctx
		a.call(a.ctxPushCurrent, rt.ctx)
		err = rt.probe()
	} else {
		rt.ctx = 0
	}
	rt.stream, rt.copies = 0, 0
	rt.busy, rt.cbusy = false, false
	rt.modules = map[[32]byte]*Program{}
	rt.gen++
	rt.live.Store(0)
	rt.mem.Lost()
	if ce := (*Error)(nil); errors.As(err, &ce) && ce.Sticky() {
		return err
	}
	return nil
}

// probe tries the fresh context after a reset: an allocation of a few
// bytes, freed at once (the first call that needs the device's state).
// The caller holds rt.mu with the context current.
func (rt *Runtime) probe() error {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	p := ps.Word(0)
	if err := a.check("cuMemAlloc_v2 (a reset's probe)", a.call(a.memAlloc, cgo.Addr(p), 8)); err != nil {
		return err
	}
	a.call(a.memFree, *p)
	return nil
}

// Finish waits for every copy and launch issued so far on the runtime's
// streams, and reports an error that happened asynchronously (a kernel
// fault).
func (rt *Runtime) Finish() error {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	return rt.finish()
}

// finish is Finish with the runtime entered: it waits for the stream and
// collects the timing events.
func (rt *Runtime) finish() error {
	if rt.separateCopies() {
		if err := rt.check("cuStreamSynchronize", rt.api.call(rt.api.streamSynchronize, rt.copies)); err != nil {
			return fmt.Errorf("%w (on %s)", err, rt)
		}
		rt.cbusy = false
	}
	if err := rt.check("cuStreamSynchronize", rt.api.call(rt.api.streamSynchronize, rt.stream)); err != nil {
		return fmt.Errorf("%w (on %s)", err, rt)
	}
	rt.busy = false
	rt.collect()
	return nil
}

// MemoryInfo returns the device's free and total memory (cuMemGetInfo).
func (rt *Runtime) MemoryInfo() (free, total uint64, err error) {
	exit, err := rt.enter()
	if err != nil {
		return 0, 0, err
	}
	defer exit()
	return rt.memInfo()
}

func (rt *Runtime) memInfo() (free, total uint64, err error) {
	var ps cgo.Pins
	defer ps.Done()
	f, t := ps.Word(0), ps.Word(0)
	if err := rt.check("cuMemGetInfo_v2", rt.api.call(rt.api.memGetInfo, cgo.Addr(f), cgo.Addr(t))); err != nil {
		return 0, 0, err
	}
	return uint64(*f), uint64(*t), nil
}

// LiveBuffers is the number of buffers allocated and not yet freed (tests
// use it to find leaks).
func (rt *Runtime) LiveBuffers() int { return int(rt.live.Load()) }

// Meter is the runtime's count of the device memory it holds (see
// gpu.Device.PeakMemory).
func (rt *Runtime) Meter() *gpu.MemoryMeter { return &rt.mem }
