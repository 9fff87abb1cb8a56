package cuda

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// buffer is device memory of a Runtime (a CUdeviceptr).
type buffer struct {
	rt    *Runtime
	ptr   uintptr
	size  int
	gen   uint64 // the runtime's generation when allocated
	freed atomic.Bool

	// Guarded by rt.mu: the event after the last copy into the buffer on
	// the copy stream that the stream has not waited for yet (0: none),
	// and whether a launch or read has used it on the stream.
	written uintptr
	used    bool
}

// Size is the buffer's length in bytes.
func (b *buffer) Size() int { return b.size }

// own returns b as this runtime's live buffer, or an error saying why it is
// not one. The caller holds rt.mu.
func (rt *Runtime) own(op string, b gpu.Buffer) (*buffer, error) {
	bb, ok := b.(*buffer)
	switch {
	case !ok || bb == nil:
		return nil, rt.errorf(op, "%T is not a CUDA buffer", b)
	case bb.rt != rt:
		return nil, rt.errorf(op, "the buffer belongs to %s", bb.rt)
	case bb.freed.Load():
		return nil, rt.errorf(op, "the buffer was freed")
	case bb.gen != rt.gen:
		return nil, rt.lost(op, "buffer")
	}
	return bb, nil
}

// Alloc allocates size bytes of device memory (cuMemAlloc). When the
// device is out of memory the error says how much was asked and how much
// is free.
func (rt *Runtime) Alloc(size int) (gpu.Buffer, error) {
	if size < 1 {
		return nil, rt.errorf("alloc", "size %d (want at least 1 byte)", size)
	}
	exit, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	var ps cgo.Pins
	defer ps.Done()
	p := ps.Word(0)
	r := rt.api.call(rt.api.memAlloc, cgo.Addr(p), uintptr(size))
	if int32(uint32(r)) == cudaErrorOutOfMemory {
		msg := fmt.Sprintf("need %s", gib(uint64(size)))
		if free, _, err := rt.memInfo(); err == nil {
			msg += fmt.Sprintf(", free %s", gib(free))
		}
		return nil, fmt.Errorf("zkaccel/cuda: alloc on %s: %w (%s): %w", rt, gpu.ErrOutOfMemory, msg, rt.api.check("cuMemAlloc_v2", r))
	}
	if err := rt.check(fmt.Sprintf("cuMemAlloc_v2(%d bytes)", size), r); err != nil {
		return nil, err
	}
	rt.live.Add(1)
	rt.mem.Allocated(size)
	return &buffer{rt: rt, ptr: *p, size: size, gen: rt.gen}, nil
}

// Free releases a buffer of this runtime; nil, a buffer already freed, one
// of another runtime, or one lost in a device reset is ignored.
func (rt *Runtime) Free(b gpu.Buffer) {
	bb, ok := b.(*buffer)
	if !ok || bb == nil || bb.rt != rt || !bb.freed.CompareAndSwap(false, true) {
		return
	}
	exit, err := rt.enter()
	if err != nil {
		return
	}
	defer exit()
	if bb.gen != rt.gen {
		return // gone with the old context
	}
	// Work issued on the streams may still use the buffer: wait for it (an
	// error it reports is reported again by the next call). With a copy
	// stream, only for what touched this buffer: its last copy, and the
	// launch stream if the buffer was used there, so that freeing one
	// pass's buffers does not wait for the next pass's copies.
	switch {
	case !rt.separateCopies():
		if rt.busy {
			_ = rt.finish() // an error is the next call's to report; a reset shows in rt.gen
		}
	default:
		if bb.written != 0 {
			err = rt.check("cuEventSynchronize", rt.api.call(rt.api.eventSynchronize, bb.written))
			if err != nil && bb.gen == rt.gen { // not a reset: wait for every copy instead
				err = rt.check("cuStreamSynchronize", rt.api.call(rt.api.streamSynchronize, rt.copies))
			}
		}
		if err == nil && bb.used && rt.busy {
			if err = rt.check("cuStreamSynchronize", rt.api.call(rt.api.streamSynchronize, rt.stream)); err == nil {
				rt.busy = false
				rt.collect()
			}
		}
	}
	if bb.gen != rt.gen {
		return // the wait found a sticky error and reset the context
	}
	if bb.written != 0 {
		rt.api.call(rt.api.eventDestroy, bb.written)
		bb.written = 0
	}
	rt.api.call(rt.api.memFree, bb.ptr)
	rt.live.Add(-1)
	rt.mem.Freed(bb.size)
}

// span checks that [off, off+n) lies inside b.
func (rt *Runtime) span(op string, b *buffer, off, n int) error {
	if off < 0 || n < 0 || off > b.size || n > b.size-off {
		return rt.errorf(op, "%d bytes at offset %d overrun a buffer of %d bytes", n, off, b.size)
	}
	return nil
}

// EnvCopyChunk names the variable that sets the size, in MiB from 1 to 32,
// of each of the two pinned staging buffers (default 8): a copy between
// host and device is cut into chunks of this size, and while the DMA
// engine moves one chunk the host fills (or drains) the other, so that
// only the first chunk's host copy is not overlapped. Smaller chunks
// expose less of it and make more calls to the driver. A runtime reads it
// once, at its first copy.
const EnvCopyChunk = "ZKACCEL_CUDA_COPY_CHUNK"

// defaultChunk is the staging buffers' size without EnvCopyChunk: the
// first 8 MiB of a copy are not overlapped (32 MiB was measured nowhere;
// an MSM's scalars at 2^20 are 32 MiB, its points 64 MiB).
const defaultChunk = 8 << 20

// copyChunkEnv returns the staging buffers' size that EnvCopyChunk sets.
func copyChunkEnv() (int, error) {
	v := os.Getenv(EnvCopyChunk)
	if v == "" {
		return defaultChunk, nil
	}
	mib, err := strconv.Atoi(v)
	if err != nil || mib < 1 || mib > 32 {
		return 0, fmt.Errorf("zkaccel/cuda: %s=%q: want a size in MiB from 1 to 32", EnvCopyChunk, v)
	}
	return mib << 20, nil
}

// staging is one pinned host buffer and the event that marks the end of
// the last copy that used it.
type staging struct {
	host    uintptr // cuMemHostAlloc'd, size bytes
	size    int
	event   uintptr
	pending bool // event recorded and not yet waited for
}

// bytes is the staging buffer as a Go slice (C memory).
func (s *staging) bytes() []byte {
	p := s.host
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), s.size)
}

// stagingBuffers allocates the staging buffers and their events on first
// use. The caller has entered the runtime.
func (rt *Runtime) stagingBuffers() error {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	for i := range rt.stage {
		s := &rt.stage[i]
		if s.host != 0 {
			continue
		}
		size, err := copyChunkEnv()
		if err != nil {
			return err
		}
		h, ev := ps.Word(0), ps.Word(0)
		if err := rt.check(fmt.Sprintf("cuMemHostAlloc(%d bytes)", size), a.call(a.memHostAlloc, cgo.Addr(h), uintptr(size), memHostAllocDefault)); err != nil {
			return err
		}
		if err := rt.check("cuEventCreate", a.call(a.eventCreate, cgo.Addr(ev), eventDisableTiming)); err != nil {
			a.call(a.memFreeHost, *h)
			return err
		}
		*s = staging{host: *h, size: size, event: *ev}
	}
	return nil
}

// await waits for the last copy through s.
func (rt *Runtime) await(s *staging) error {
	if !s.pending {
		return nil
	}
	if err := rt.check("cuEventSynchronize", rt.api.call(rt.api.eventSynchronize, s.event)); err != nil {
		return err // still pending: the next use or FreeStaging waits again
	}
	s.pending = false
	return nil
}

// Write copies src into dst at byte offset off through the pinned staging
// buffers, chunk by chunk, so that filling one overlaps the DMA of the
// other. It returns once src may be reused. The copies run on the copy
// stream, overlapping the kernels queued before them, after every earlier
// launch or read that used dst and before every later one (see [Runtime]).
func (rt *Runtime) Write(dst gpu.Buffer, off int, src []byte) (err error) {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
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
	if err := rt.stagingBuffers(); err != nil {
		return err
	}
	a := rt.api
	stream := rt.copies
	if rt.separateCopies() && b.used && rt.busy {
		// Kernels or reads queued on the stream may still use dst.
		ev, err := rt.mark(rt.stream)
		if err != nil {
			return err
		}
		if err := rt.streamWait(stream, ev); err != nil {
			return err
		}
	}
	// Once a chunk is queued, later launches and reads of dst, and its
	// Free, must wait for it, also when a later chunk fails.
	queued := false
	defer func() {
		if !queued || b.gen != rt.gen {
			return
		}
		if !rt.separateCopies() {
			rt.busy = true
			return
		}
		rt.cbusy = true
		ev, merr := rt.mark(stream)
		if merr != nil {
			if err == nil {
				err = merr
			}
			_ = rt.check("cuStreamSynchronize", a.call(a.streamSynchronize, stream)) // nothing to wait for later
			return
		}
		if b.written != 0 {
			a.call(a.eventDestroy, b.written) // ev comes after it on the same stream
		}
		b.written = ev
	}()
	stop := rt.timeStart(true, "", stream)
	defer func() { stop(queued) }()
	chunk := rt.stage[0].size
	for k, pos := 0, 0; pos < len(src); k, pos = k+1, pos+chunk {
		s := &rt.stage[k%2]
		if err := rt.await(s); err != nil {
			return err
		}
		n := parallelCopy(s.bytes(), src[pos:min(pos+chunk, len(src))])
		if err := rt.check(fmt.Sprintf("cuMemcpyHtoDAsync_v2(%d bytes)", n), a.call(a.memcpyHtoDAsync, b.ptr+uintptr(off+pos), s.host, uintptr(n), stream)); err != nil {
			return err
		}
		queued = true
		if err := rt.recordStage(s, stream); err != nil {
			return err
		}
	}
	return nil
}

// recordStage records on stream that the copy just queued through s is
// done (s.event), for the next use of s to wait for. Where it cannot, it
// waits for the stream instead, so that s is free again either way.
func (rt *Runtime) recordStage(s *staging, stream uintptr) error {
	a := rt.api
	err := rt.check("cuEventRecord", a.call(a.eventRecord, s.event, stream))
	if err == nil {
		s.pending = true
		return nil
	}
	if serr := rt.check("cuStreamSynchronize", a.call(a.streamSynchronize, stream)); serr != nil {
		s.pending = true // the event's last record, if any, is older: the best left to wait for
	}
	return err
}

// Read copies len(dst) bytes of src at byte offset off into dst, after
// every earlier launch and copy of the stream, through the staging
// buffers (the DMA of one chunk overlaps draining the previous one), and
// returns when they are all on the host.
func (rt *Runtime) Read(dst []byte, src gpu.Buffer, off int) error {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
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
	if err := rt.stagingBuffers(); err != nil {
		return err
	}
	if err := rt.ready(b); err != nil {
		return err
	}
	rt.busy = true // the copies queue on the stream: a Free waits for them if a chunk fails
	if err := rt.read(dst, b, off, rt.stream); err != nil {
		return err
	}
	rt.busy = false // the last chunk came after every earlier command of the stream
	rt.collect()
	return nil
}

// mark is a point of the launch stream's work (gpu.Mark), an event.
type mark struct {
	rt    *Runtime
	ev    uintptr
	gen   uint64
	freed bool // guarded by rt.mu
}

// Free releases the mark's event; a second Free does nothing.
func (m *mark) Free() {
	rt := m.rt
	exit, err := rt.enter()
	if err != nil {
		return
	}
	defer exit()
	if m.freed || m.gen != rt.gen {
		m.freed = true
		return // gone with the old context
	}
	m.freed = true
	rt.api.call(rt.api.eventDestroy, m.ev)
}

// Mark returns the point that the work queued so far on the launch stream
// will reach, for ReadAfter. Free releases it.
func (rt *Runtime) Mark() (gpu.Mark, error) {
	exit, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	ev, err := rt.mark(rt.stream)
	if err != nil {
		return nil, err
	}
	return &mark{rt: rt, ev: ev, gen: rt.gen}, nil
}

// ReadAfter copies len(dst) bytes of src at byte offset off into dst once
// the launches before m are done, on the copy stream, so that the DMA runs
// beside the kernels queued after m; it returns when the data are on the
// host. The kernels queued after m must not write src. Later launches and
// copies that use src wait for the read. Without a copy stream of its own
// (EnvCopyStream=0) it reads as Read does, after everything queued.
func (rt *Runtime) ReadAfter(m gpu.Mark, dst []byte, src gpu.Buffer, off int) (err error) {
	if !rt.separateCopies() {
		return rt.Read(dst, src, off)
	}
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	mk, ok := m.(*mark)
	switch {
	case !ok || mk == nil:
		return rt.errorf("read after", "%T is not a CUDA mark", m)
	case mk.rt != rt:
		return rt.errorf("read after", "the mark belongs to %s", mk.rt)
	case mk.freed:
		return rt.errorf("read after", "the mark was freed")
	case mk.gen != rt.gen:
		return rt.lost("read after", "mark")
	}
	b, err := rt.own("read after", src)
	if err != nil {
		return err
	}
	if err := rt.span("read after", b, off, len(dst)); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	if err := rt.stagingBuffers(); err != nil {
		return err
	}
	a := rt.api
	if err := rt.check("cuStreamWaitEvent", a.call(a.streamWaitEvent, rt.copies, mk.ev, 0)); err != nil {
		return err
	}
	rt.cbusy = true
	// Later launches, copies and the buffer's Free wait for the read, also
	// when a chunk fails.
	defer func() {
		if b.gen != rt.gen {
			return
		}
		ev, merr := rt.mark(rt.copies)
		if merr != nil {
			if err == nil {
				err = merr
			}
			_ = rt.check("cuStreamSynchronize", a.call(a.streamSynchronize, rt.copies)) // nothing to wait for later
			return
		}
		if b.written != 0 {
			a.call(a.eventDestroy, b.written) // ev comes after it on the same stream
		}
		b.written = ev
	}()
	return rt.read(dst, b, off, rt.copies)
}

// read copies len(dst) ≥ 1 bytes of b at byte offset off into dst on
// stream through the staging buffers, and returns once they are all on
// the host. The caller has entered the runtime, and ordered the stream
// after the work that writes b.
func (rt *Runtime) read(dst []byte, b *buffer, off int, stream uintptr) error {
	a := rt.api
	chunk := rt.stage[0].size
	stop := rt.timeStart(true, "", stream)
	queued := false
	defer func() { stop(queued) }()
	drain := func(k int) error {
		s := &rt.stage[k%2]
		if err := rt.await(s); err != nil {
			return err
		}
		pos := k * chunk
		parallelCopy(dst[pos:min(pos+chunk, len(dst))], s.bytes())
		return nil
	}
	nchunks := (len(dst) + chunk - 1) / chunk
	for k := 0; k < nchunks; k++ {
		s := &rt.stage[k%2]
		if err := rt.await(s); err != nil { // a Write's chunk may still be in flight
			return err
		}
		pos := k * chunk
		n := min(chunk, len(dst)-pos)
		if err := rt.check(fmt.Sprintf("cuMemcpyDtoHAsync_v2(%d bytes)", n), a.call(a.memcpyDtoHAsync, s.host, b.ptr+uintptr(off+pos), uintptr(n), stream)); err != nil {
			return err
		}
		queued = true
		if err := rt.recordStage(s, stream); err != nil {
			return err
		}
		if k > 0 {
			if err := drain(k - 1); err != nil {
				return err
			}
		}
	}
	stop(true) // recorded before the last chunk is waited for: it ends with the DMA
	stop = func(bool) {}
	return drain(nchunks - 1)
}

// parallelMin is the smallest copy parallelCopy splits: below it one
// goroutine copies at memory speed already.
const parallelMin = 4 << 20

// parallelCopy is copy(dst, src) split over up to 8 goroutines for large
// copies: one core's memcpy (about 10 GB/s) is slower than a PCIe 5 link,
// so the host's side of a staged copy would otherwise bound the transfer.
func parallelCopy(dst, src []byte) int {
	n := min(len(dst), len(src))
	parts := min(runtime.GOMAXPROCS(0), 8, n/(parallelMin/4))
	if n < parallelMin || parts < 2 {
		return copy(dst, src)
	}
	var wg sync.WaitGroup
	step := (n + parts - 1) / parts
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			copy(dst[lo:hi], src[lo:hi])
		}()
	}
	wg.Wait()
	return n
}

func gib(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}
