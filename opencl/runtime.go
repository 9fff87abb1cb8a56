package opencl

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// Runtime is the [gpu.Runtime] of one OpenCL device: a context and one
// in-order command queue (created with profiling enabled), the device's
// compiled programs, and its kernel timer.
//
// Its methods may be called from several goroutines (they lock what they
// share), though [gpu.Device] calls them one at a time. Runtimes come from
// [Runtimes] (or zkaccel.Devices) and live as long as the process; the zero
// value is not usable.
//
// A context that stops running commands (a kernel fault or a lost device:
// every later call would fail) is made again: after a failed OpenCL call
// the runtime asks the device whether its queue still runs a 4-byte copy,
// and where it does not, it releases everything it made in that context,
// makes a new one and returns the call's error wrapped with
// [gpu.ErrDeviceReset] (see [Runtime.Generation]).
type Runtime struct {
	api      *api
	platform uintptr // cl_platform_id
	device   uintptr // cl_device_id
	ordinal  int

	name, vendor, driver, version string
	platName, platVersion         string
	memory, maxAlloc, devType     uint64
	maxGroup                      int

	// ctxMu guards the context, its queue and its probe buffer: every call
	// that uses them holds it for reading (enter), a reset for writing.
	ctxMu sync.RWMutex
	ctx   uintptr       // cl_context; 0 after a reset that could not make a new one
	queue uintptr       // cl_command_queue
	probe uintptr       // a 4-byte cl_mem that alive writes
	gen   atomic.Uint64 // bumped at each reset: older buffers and programs are stale

	mu        sync.Mutex
	progs     map[[32]byte]*Program   // compiled programs by source hash
	compiling map[[32]byte]*compiling // programs being built, by source hash
	bufs      map[*buffer]struct{}    // live buffers, released at a reset
	profiling bool                    // record the events of launches
	pending   []launchEvent           // launch events not yet timed
	ktime     time.Duration           // summed kernel time since ResetKernelTime
	kstats    gpu.KernelStats         // per kernel since ResetKernelTime
	launchMu  sync.Mutex              // kernel arguments are set and enqueued under it

	live  atomic.Int64 // buffers allocated and not freed
	mem   gpu.MemoryMeter
	stats cacheStats
}

var _ gpu.Runtime = (*Runtime)(nil)

// Kind is "opencl".
func (rt *Runtime) Kind() string { return "opencl" }

// Ordinal is the device's index among the OpenCL devices of every platform,
// in platform order.
func (rt *Runtime) Ordinal() int { return rt.ordinal }

// Name is the device's CL_DEVICE_NAME.
func (rt *Runtime) Name() string { return rt.name }

// Memory is the device's CL_DEVICE_GLOBAL_MEM_SIZE in bytes.
func (rt *Runtime) Memory() uint64 { return rt.memory }

// MaxAlloc is the device's CL_DEVICE_MAX_MEM_ALLOC_SIZE in bytes.
func (rt *Runtime) MaxAlloc() uint64 { return rt.maxAlloc }

// MaxGroupSize is the device's CL_DEVICE_MAX_WORK_GROUP_SIZE, or the first
// dimension of its CL_DEVICE_MAX_WORK_ITEM_SIZES where that is lower (the
// runtime's launches are 1-D).
func (rt *Runtime) MaxGroupSize() int { return rt.maxGroup }

// Vendor is the device's CL_DEVICE_VENDOR.
func (rt *Runtime) Vendor() string { return rt.vendor }

// Driver is the device's CL_DRIVER_VERSION.
func (rt *Runtime) Driver() string { return rt.driver }

// Version is the device's CL_DEVICE_VERSION ("OpenCL 3.0 …").
func (rt *Runtime) Version() string { return rt.version }

// Platform is the name and version of the device's platform
// (CL_PLATFORM_NAME, CL_PLATFORM_VERSION).
func (rt *Runtime) Platform() string { return rt.platName + " " + rt.platVersion }

// Type is the device's type: "gpu", "cpu", "accelerator" or "other".
func (rt *Runtime) Type() string {
	switch {
	case rt.devType&clDeviceTypeGPU != 0:
		return "gpu"
	case rt.devType&clDeviceTypeCPU != 0:
		return "cpu"
	case rt.devType&clDeviceTypeAccelerator != 0:
		return "accelerator"
	}
	return "other"
}

// IsPOCL reports whether the device belongs to POCL (Portable Computing
// Language), the CPU OpenCL implementation that CI uses: correct, but
// slower than gnark-crypto on the same CPU.
func (rt *Runtime) IsPOCL() bool {
	return strings.Contains(rt.platName, "Portable Computing Language") || strings.Contains(rt.platVersion, "PoCL")
}

// DriverInfo describes the platform and driver in one line, e.g.
// "OpenCL 3.0 PoCL 3.1 Linux, …, driver 3.1": what benchmark reports record
// beside the device's name.
func (rt *Runtime) DriverInfo() string {
	info := strings.TrimSpace(rt.platVersion)
	if info == "" {
		info = strings.TrimSpace(rt.platName)
	}
	if rt.driver != "" {
		info += ", driver " + rt.driver
	}
	return info
}

// String is the device spec, e.g. "opencl:0".
func (rt *Runtime) String() string { return fmt.Sprintf("opencl:%d", rt.ordinal) }

// buffer is a cl_mem of a Runtime.
type buffer struct {
	rt    *Runtime
	mem   uintptr // cl_mem
	size  int
	gen   uint64 // the runtime's generation when allocated
	freed atomic.Bool
}

// Size is the buffer's length in bytes.
func (b *buffer) Size() int { return b.size }

// own returns b as this runtime's live buffer, or an error saying why it
// is not one.
func (rt *Runtime) own(op string, b gpu.Buffer) (*buffer, error) {
	bb, ok := b.(*buffer)
	switch {
	case !ok || bb == nil:
		return nil, fmt.Errorf("zkaccel/opencl: %s on %s: %T is not an OpenCL buffer", op, rt, b)
	case bb.rt != rt:
		return nil, fmt.Errorf("zkaccel/opencl: %s on %s: the buffer belongs to %s", op, rt, bb.rt)
	case bb.gen != rt.gen.Load():
		return nil, rt.lost(op, "buffer")
	case bb.freed.Load():
		return nil, fmt.Errorf("zkaccel/opencl: %s on %s: the buffer was freed", op, rt)
	}
	return bb, nil
}

// Alloc allocates size bytes of device memory (CL_MEM_READ_WRITE). A size
// below 1 or above MaxAlloc is an error.
func (rt *Runtime) Alloc(size int) (_ gpu.Buffer, err error) {
	if size < 1 {
		return nil, fmt.Errorf("zkaccel/opencl: alloc on %s: size %d (want at least 1 byte)", rt, size)
	}
	if rt.maxAlloc > 0 && uint64(size) > rt.maxAlloc {
		return nil, fmt.Errorf("zkaccel/opencl: alloc on %s: %d bytes exceed the device's largest allocation (%d bytes)", rt, size, rt.maxAlloc)
	}
	gen, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	var ps cgo.Pins
	defer ps.Done()
	st := ps.Word(0)
	mem := call(rt.api.createBuffer, rt.ctx, clMemReadWrite, uintptr(size), 0, cgo.Addr(st))
	if err := check(fmt.Sprintf("clCreateBuffer(%d bytes)", size), *st); err != nil {
		if c := int32(*st); c == clMemObjectAllocationFailure || c == clOutOfResources {
			return nil, fmt.Errorf("zkaccel/opencl: alloc on %s: %w: %w", rt, gpu.ErrOutOfMemory, err)
		}
		return nil, err
	}
	b := &buffer{rt: rt, mem: mem, size: size, gen: gen}
	rt.mu.Lock()
	rt.bufs[b] = struct{}{}
	rt.mu.Unlock()
	rt.live.Add(1)
	rt.mem.Allocated(size)
	return b, nil
}

// Meter is the runtime's count of the device memory it holds (see
// gpu.Device.PeakMemory).
func (rt *Runtime) Meter() *gpu.MemoryMeter { return &rt.mem }

// Free releases a buffer of this runtime; nil, a buffer already freed,
// one a reset released and one of another runtime are ignored. Commands
// already enqueued on the buffer still complete (OpenCL defers the
// release).
func (rt *Runtime) Free(b gpu.Buffer) {
	bb, ok := b.(*buffer)
	if !ok || bb == nil || bb.rt != rt {
		return
	}
	rt.ctxMu.RLock() // not during a reset, which releases the buffers itself
	defer rt.ctxMu.RUnlock()
	if !bb.freed.CompareAndSwap(false, true) { // also where a reset released it
		return
	}
	rt.mu.Lock()
	delete(rt.bufs, bb)
	rt.mu.Unlock()
	call(rt.api.releaseMemObject, bb.mem)
	rt.live.Add(-1)
	rt.mem.Freed(bb.size)
}

// span checks that [off, off+n) lies inside b.
func (rt *Runtime) span(op string, b *buffer, off, n int) error {
	if off < 0 || n < 0 || off > b.size || n > b.size-off {
		return fmt.Errorf("zkaccel/opencl: %s on %s: %d bytes at offset %d overrun a buffer of %d bytes", op, rt, n, off, b.size)
	}
	return nil
}

// Write copies src into dst at byte offset off (a blocking
// clEnqueueWriteBuffer); an empty src does nothing.
func (rt *Runtime) Write(dst gpu.Buffer, off int, src []byte) (err error) {
	gen, err := rt.enter()
	if err != nil {
		return err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	b, err := rt.own("write", dst)
	if err != nil {
		return err
	}
	if err := rt.span("write", b, off, len(src)); err != nil {
		return err
	}
	if len(src) == 0 {
		return nil
	}
	var ps cgo.Pins
	defer ps.Done()
	p := ps.Bytes(src)
	st := call(rt.api.enqueueWriteBuffer, rt.queue, b.mem, clTrue, uintptr(off), uintptr(len(src)), p, 0, 0, 0)
	return rt.firstUse("write", check(fmt.Sprintf("clEnqueueWriteBuffer(%d bytes at %d)", len(src), off), st))
}

// firstUse marks err, the error of a call that uses buffers, with
// gpu.ErrOutOfMemory where it is CL_MEM_OBJECT_ALLOCATION_FAILURE: a
// driver may allocate a buffer's memory at its first use rather than at
// its creation (the specification lists the code for copies and
// launches), so that a device out of memory shows there, and callers that
// keep data on the device only to spare copies (resident points) must see
// it as a want of memory.
func (rt *Runtime) firstUse(op string, err error) error {
	var ce *Error
	if err != nil && errors.As(err, &ce) && ce.Code == clMemObjectAllocationFailure {
		return fmt.Errorf("zkaccel/opencl: %s on %s: %w (the driver allocates at first use): %w", op, rt, gpu.ErrOutOfMemory, err)
	}
	return err
}

// Read copies len(dst) bytes of src at byte offset off into dst (a blocking
// clEnqueueReadBuffer, after every earlier command of the queue); an empty
// dst does nothing.
func (rt *Runtime) Read(dst []byte, src gpu.Buffer, off int) (err error) {
	gen, err := rt.enter()
	if err != nil {
		return err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	b, err := rt.own("read", src)
	if err != nil {
		return err
	}
	if err := rt.span("read", b, off, len(dst)); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	var ps cgo.Pins
	defer ps.Done()
	p := ps.Bytes(dst)
	st := call(rt.api.enqueueReadBuffer, rt.queue, b.mem, clTrue, uintptr(off), uintptr(len(dst)), p, 0, 0, 0)
	if err := check(fmt.Sprintf("clEnqueueReadBuffer(%d bytes at %d)", len(dst), off), st); err != nil {
		return rt.firstUse("read", err)
	}
	return rt.collect(false)
}

// defaultGroup is the work-group size Launch uses when the caller passes 0,
// bounded by what the kernel allows.
const defaultGroup = 256

// maxGlobal is the most work items of a launch: kernels index them with
// GLOBAL_ID(), a u32.
const maxGlobal = 1<<32 - 1

// maxPending bounds the launch events kept for timing; past it, Launch
// waits for them.
const maxPending = 4096

// Launch runs k over global work items in groups of local (0: the smaller
// of 256 and the kernel's CL_KERNEL_WORK_GROUP_SIZE), rounding global up to
// a multiple of local; a global size of 0 launches nothing. Arguments are
// gpu.Buffer (of this runtime), int32, uint32, int64 or uint64.
func (rt *Runtime) Launch(k gpu.Kernel, global, local int, args ...any) (err error) {
	kk, ok := k.(*Kernel)
	if !ok || kk == nil {
		return fmt.Errorf("zkaccel/opencl: launch on %s: %T is not an OpenCL kernel", rt, k)
	}
	if kk.prog.rt != rt {
		return fmt.Errorf("zkaccel/opencl: launch %s on %s: the kernel belongs to %s", kk.name, rt, kk.prog.rt)
	}
	if global < 0 || local < 0 {
		return fmt.Errorf("zkaccel/opencl: launch %s on %s: negative size (global %d, local %d)", kk.name, rt, global, local)
	}
	if global == 0 {
		return nil
	}
	if local == 0 {
		local = min(defaultGroup, kk.maxGroup)
	}
	if local < 1 {
		local = 1
	}
	if kk.maxGroup > 0 && local > kk.maxGroup {
		// CL_KERNEL_WORK_GROUP_SIZE: the driver would refuse it
		// (CL_INVALID_WORK_GROUP_SIZE); say why.
		return fmt.Errorf("zkaccel/opencl: launch %s on %s: work-groups of %d exceed the kernel's limit of %d (CL_KERNEL_WORK_GROUP_SIZE)", kk.name, rt, local, kk.maxGroup)
	}
	global = (global + local - 1) / local * local
	if global > maxGlobal {
		return fmt.Errorf("zkaccel/opencl: launch %s on %s: %d work items exceed the 2^32-1 that kernels index with u32", kk.name, rt, global)
	}

	gen, err := rt.enter()
	if err != nil {
		return err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	if kk.prog.gen != gen {
		return rt.lost("launch "+kk.name, "kernel")
	}
	rt.launchMu.Lock()
	defer rt.launchMu.Unlock()
	var ps cgo.Pins
	defer ps.Done()
	slot := ps.Word(0)
	for i, a := range args {
		var size uintptr
		switch v := a.(type) {
		case gpu.Buffer:
			b, err := rt.own(fmt.Sprintf("launch %s argument %d", kk.name, i), v)
			if err != nil {
				return err
			}
			*slot, size = b.mem, 8 // sizeof(cl_mem)
		case int32:
			*slot, size = uintptr(uint32(v)), 4
		case uint32:
			*slot, size = uintptr(v), 4
		case int64:
			*slot, size = uintptr(v), 8
		case uint64:
			*slot, size = uintptr(v), 8
		default:
			return fmt.Errorf("zkaccel/opencl: launch %s on %s: argument %d has type %T (want gpu.Buffer, int32, uint32, int64 or uint64)", kk.name, rt, i, a)
		}
		// The kernel argument is read from *slot during the call (the
		// platforms supported are little-endian, so a 4-byte argument is
		// the word's low half).
		if err := check(fmt.Sprintf("clSetKernelArg(%s, %d)", kk.name, i), call(rt.api.setKernelArg, kk.handle, uintptr(i), size, cgo.Addr(slot))); err != nil {
			return err
		}
	}
	sizes := ps.Words(uintptr(global), uintptr(local))
	ev := ps.Word(0)
	rt.mu.Lock()
	profiling := rt.profiling
	rt.mu.Unlock()
	evp := uintptr(0)
	if profiling {
		evp = cgo.Addr(ev)
	}
	st := call(rt.api.enqueueNDRangeKernel, rt.queue, kk.handle, 1, 0, cgo.Addrs(sizes), cgo.Addrs(sizes)+8, 0, 0, evp)
	if err := check(fmt.Sprintf("clEnqueueNDRangeKernel(%s)", kk.name), st); err != nil {
		return rt.firstUse("launch "+kk.name, err)
	}
	if profiling && *ev != 0 {
		rt.mu.Lock()
		rt.pending = append(rt.pending, launchEvent{*ev, kk.name})
		n := len(rt.pending)
		rt.mu.Unlock()
		if n >= maxPending {
			return rt.collect(true)
		}
	}
	return nil
}

// Finish waits for every command issued so far (clFinish) and reports an
// error that happened asynchronously.
func (rt *Runtime) Finish() (err error) {
	gen, err := rt.enter()
	if err != nil {
		return err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	err = check("clFinish", call(rt.api.finish, rt.queue))
	if cerr := rt.collect(false); err == nil {
		err = cerr
	}
	return err
}

// launchEvent is a launch's profiling event and its kernel's name.
type launchEvent struct {
	ev   uintptr
	name string
}

// waitCollect is collect(true) for a caller that has not entered the
// runtime.
func (rt *Runtime) waitCollect() (err error) {
	gen, err := rt.enter()
	if err != nil {
		return err
	}
	defer func() { err = rt.exit(gen, err, nil) }()
	return rt.collect(true)
}

// collect adds the durations of the pending launch events to the kernel
// timer (and each kernel's) and releases them; with wait it first waits for
// them (a kernel that failed is then an error), else it only takes those a
// blocking call has already completed (all of them, on the in-order queue;
// one whose driver says its times are not yet available stays pending for
// the next collect). The caller has entered the runtime.
func (rt *Runtime) collect(wait bool) error {
	rt.mu.Lock()
	evs := rt.pending
	rt.pending = nil
	rt.mu.Unlock()
	if len(evs) == 0 {
		return nil
	}
	var ps cgo.Pins
	defer ps.Done()
	var err error
	if wait {
		list := ps.Words(make([]uintptr, len(evs))...)
		for i, e := range evs {
			list[i] = e.ev
		}
		err = check("clWaitForEvents", call(rt.api.waitForEvents, uintptr(len(list)), cgo.Addrs(list)))
	}
	start, end := ps.Word(0), ps.Word(0)
	durs := make([]time.Duration, len(evs))
	var later []launchEvent
	for i, e := range evs {
		durs[i] = -1
		st := int32(call(rt.api.getEventProfilingInfo, e.ev, clProfilingCommandStart, 8, cgo.Addr(start), 0))
		if st == clSuccess {
			st = int32(call(rt.api.getEventProfilingInfo, e.ev, clProfilingCommandEnd, 8, cgo.Addr(end), 0))
		}
		switch {
		case st == clSuccess && *end >= *start:
			durs[i] = time.Duration(*end - *start)
		case st == clProfilingInfoNotAvailable && !wait:
			// Not yet complete as the driver sees it, though the blocking
			// call that came after it returned: kept for the next collect
			// (a Finish, a read of the times), which waits.
			later = append(later, e)
			continue
		}
		call(rt.api.releaseEvent, e.ev)
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.pending = append(later, rt.pending...)
	for i, e := range evs {
		if durs[i] < 0 {
			continue
		}
		rt.ktime += durs[i]
		rt.kstats.Add(e.name, durs[i])
	}
	return err
}

// SetProfiling turns the timing of launches on (the default) or off. With
// it on, each launch's event is kept and its duration (the device's
// CL_PROFILING_COMMAND_END − CL_PROFILING_COMMAND_START) is added to
// [Runtime.KernelTime] once the launch has completed.
func (rt *Runtime) SetProfiling(on bool) {
	rt.mu.Lock()
	rt.profiling = on
	rt.mu.Unlock()
}

// KernelTime waits for the launches issued so far and returns the summed
// device time of the kernels launched since the last [Runtime.ResetKernelTime]
// (or since the runtime was opened) while profiling was on: the time the
// kernels ran on the device, without copies, compiles or host overhead.
func (rt *Runtime) KernelTime() time.Duration {
	_ = rt.waitCollect()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.ktime
}

// ResetKernelTime waits for the launches issued so far and sets the kernel
// timer, and each kernel's of [Runtime.KernelTimes], to zero.
func (rt *Runtime) ResetKernelTime() {
	_ = rt.waitCollect()
	rt.mu.Lock()
	rt.ktime, rt.kstats = 0, nil
	rt.mu.Unlock()
}

// KernelTimes waits for the launches issued so far and returns, for each
// kernel launched since the last [Runtime.ResetKernelTime] while profiling
// was on, its launches and their summed device time, the longest first.
func (rt *Runtime) KernelTimes() ([]zkaccel.KernelTime, error) {
	if err := rt.Finish(); err != nil {
		return nil, err
	}
	if err := rt.waitCollect(); err != nil { // events a driver had not yet marked complete
		return nil, err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.kstats.List(), nil
}

// ResetTimes is ResetKernelTime (gpu.Device's timer interface).
func (rt *Runtime) ResetTimes() { rt.ResetKernelTime() }

// Times returns the kernel time since ResetTimes; copies are not timed
// (they are blocking calls), so transfer is 0.
func (rt *Runtime) Times() (compute, transfer time.Duration, err error) {
	if err := rt.Finish(); err != nil {
		return 0, 0, err
	}
	return rt.KernelTime(), 0, nil
}
