package opencl

import (
	"errors"
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// open creates the device's context, its in-order queue with profiling
// enabled, and the probe buffer that alive writes. The caller holds ctxMu
// for writing (or is the only one to know rt).
func (rt *Runtime) open() error {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	st := ps.Word(0)
	props := ps.Words(clContextPlatform, rt.platform, 0)
	devs := ps.Words(rt.device)
	ctx := call(a.createContext, cgo.Addrs(props), 1, cgo.Addrs(devs), 0, 0, cgo.Addr(st))
	if err := check(fmt.Sprintf("clCreateContext(%s)", rt.name), *st); err != nil {
		return err
	}
	q := call(a.createCommandQueue, ctx, rt.device, clQueueProfilingEnable, cgo.Addr(st))
	if err := check(fmt.Sprintf("clCreateCommandQueue(%s)", rt.name), *st); err != nil {
		call(a.releaseContext, ctx)
		return err
	}
	probe := call(a.createBuffer, ctx, clMemReadWrite, 4, 0, cgo.Addr(st))
	if err := check(fmt.Sprintf("clCreateBuffer(%s: 4 bytes to probe the context)", rt.name), *st); err != nil {
		call(a.releaseCommandQueue, q)
		call(a.releaseContext, ctx)
		return err
	}
	// Written once now, so that a driver that allocates at first use has
	// the probe's memory before the device can run out of it: a probe
	// after an out-of-memory error must not fail for want of its own 4
	// bytes (and reset a context that still runs commands).
	if err := check(fmt.Sprintf("clEnqueueWriteBuffer(%s: the probe's first write)", rt.name), call(a.enqueueWriteBuffer, q, probe, clTrue, 0, 4, ps.Bytes(make([]byte, 4)), 0, 0, 0)); err != nil {
		call(a.releaseMemObject, probe)
		call(a.releaseCommandQueue, q)
		call(a.releaseContext, ctx)
		return err
	}
	rt.ctx, rt.queue, rt.probe = ctx, q, probe
	return nil
}

// enter read-locks the context for a call that uses it and returns its
// generation; it makes the context first at the runtime's first call, and
// where a reset could not make a new one, tries again. Each enter that
// succeeds is paired with an exit.
func (rt *Runtime) enter() (uint64, error) {
	for {
		rt.ctxMu.RLock()
		if rt.ctx != 0 {
			return rt.gen.Load(), nil
		}
		rt.ctxMu.RUnlock()
		rt.ctxMu.Lock()
		var err error
		if rt.ctx == 0 {
			err = rt.open()
		}
		gen := rt.gen.Load()
		rt.ctxMu.Unlock()
		switch {
		case err != nil && gen == 0:
			return 0, fmt.Errorf("zkaccel/opencl: %s: the device's context could not be made: %w", rt, err)
		case err != nil:
			return 0, fmt.Errorf("zkaccel/opencl: %s: the device's context, lost at a reset, could not be made again: %w", rt, err)
		}
	}
}

// exit ends a call that enter began, whose result is err; quiet is an
// OpenCL error the call got past (a program binary it could not read for
// the disk cache), or nil. After an OpenCL error (an *Error) it asks the
// device whether the context still runs commands (alive). Where it does
// not (a kernel fault or a lost device left it unusable, so that every
// later call would fail), it resets the runtime and returns the error
// wrapped with gpu.ErrDeviceReset, also where the call itself got past
// it: what the call made went with the context. The error of a call whose
// context another call reset meanwhile is wrapped likewise.
func (rt *Runtime) exit(gen uint64, err, quiet error) error {
	rt.ctxMu.RUnlock()
	cause := err
	if cause == nil {
		cause = quiet
	}
	var ce *Error
	if cause == nil || !errors.As(cause, &ce) {
		return err
	}
	rt.ctxMu.Lock()
	defer rt.ctxMu.Unlock()
	if rt.gen.Load() == gen {
		if rt.ctx != 0 && rt.alive() {
			return err
		}
		rt.reset(cause)
	}
	return deviceReset(cause, ce)
}

// alive reports whether the context still runs commands: a blocking
// 4-byte write to the probe buffer, which the in-order queue runs after
// every command queued before it. The caller holds ctxMu.
func (rt *Runtime) alive() bool {
	var ps cgo.Pins
	defer ps.Done()
	p := ps.Bytes(make([]byte, 4))
	return succeeded(call(rt.api.enqueueWriteBuffer, rt.queue, rt.probe, clTrue, 0, 4, p, 0, 0, 0))
}

// reset releases everything the runtime made in a context that no longer
// runs commands (launch events, kernels, programs, buffers, the probe, the
// queue and the context itself) and makes a new context; where that
// fails, the next enter tries again. The generation moves on, so that the
// buffers, programs and kernels of the old context are refused (freeing
// them does nothing). The caller holds ctxMu for writing.
func (rt *Runtime) reset(why error) {
	a := rt.api
	rt.mu.Lock()
	evs, progs, bufs := rt.pending, rt.progs, rt.bufs
	rt.pending, rt.progs, rt.bufs = nil, map[[32]byte]*Program{}, map[*buffer]struct{}{}
	rt.mu.Unlock()
	for _, e := range evs {
		call(a.releaseEvent, e.ev)
	}
	for _, p := range progs {
		p.release()
	}
	for b := range bufs {
		if b.freed.CompareAndSwap(false, true) {
			call(a.releaseMemObject, b.mem)
		}
	}
	call(a.releaseMemObject, rt.probe)
	call(a.releaseCommandQueue, rt.queue)
	call(a.releaseContext, rt.ctx)
	rt.ctx, rt.queue, rt.probe = 0, 0, 0
	rt.gen.Add(1)
	rt.live.Store(0)
	rt.mem.Lost()
	zkaccel.Debugf("opencl: %s: the context stopped running commands after %v; it was released with %d buffers and %d programs", rt, why, len(bufs), len(progs))
	if err := rt.open(); err != nil {
		zkaccel.Debugf("opencl: %s: a new context could not be made (the next call tries again): %v", rt, err)
	}
}

// Generation counts the runtime's resets (see [Runtime]): a buffer,
// program or kernel made before the last one is refused, with an error
// wrapping gpu.ErrDeviceReset. gpu.Device reads it to forget what a reset
// lost.
func (rt *Runtime) Generation() uint64 { return rt.gen.Load() }

// deviceReset marks err, whose OpenCL error is ce, as the error after
// which the runtime reset its context. It wraps ce and gpu.ErrDeviceReset
// but nothing else err wraps: an allocation that failed with the context
// is no want of memory to work around.
func deviceReset(err error, ce *Error) error {
	return fmt.Errorf("%s (%w; %w: the device's context stopped running commands and was made again; the next call starts afresh)", err, ce, gpu.ErrDeviceReset)
}

// lost is the error of a call on a buffer, program or kernel (what) that
// a reset of the runtime released.
func (rt *Runtime) lost(op, what string) error {
	return fmt.Errorf("zkaccel/opencl: %s on %s: the %s was released when the device's context was made again: %w", op, rt, what, gpu.ErrDeviceReset)
}
