package cuda

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// ForgetModules drops the runtime's loaded modules (not unloading them), so
// that the next Compile goes to the disk cache, NVRTC or the embedded PTX.
func ForgetModules(rt *Runtime) {
	rt.mu.Lock()
	rt.modules = map[[32]byte]*Program{}
	rt.mu.Unlock()
}

// Revive forgets that rt's device was lost to the process (a test's
// poisoned fake driver, cured since), so that its next call retains a
// context again.
func Revive(rt *Runtime) {
	rt.mu.Lock()
	rt.gone = nil
	rt.mu.Unlock()
}

// OpenNVRTC opens the NVRTC library at path (a test double), apart from
// the process's own.
func OpenNVRTC(path string) (*NVRTC, error) { return openNVRTC([]string{path}) }

// StagingSize is the default size of one pinned staging buffer.
const StagingSize = defaultChunk

// OpenDriver opens the driver library at path (a test double) and returns
// runtimes over its devices, apart from the process's own driver.
func OpenDriver(path string) ([]*Runtime, error) {
	a, err := openDriver([]string{path})
	if err != nil {
		return nil, err
	}
	return discoverWith(a)
}

// LoadImage loads a module image as Compile would, for tests of the JIT
// error path.
func LoadImage(rt *Runtime, image []byte) error {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	_, err = rt.load(image, "test-image", "test")
	return err
}

// TelemetryFrom reads rt's telemetry through the NVML library at path (a
// test double).
func TelemetryFrom(rt *Runtime, path string) (zkaccel.Telemetry, error) {
	n, err := openNVML([]string{path})
	if err != nil {
		return zkaccel.Telemetry{}, err
	}
	return rt.telemetry(n)
}

// WriteUnordered copies src into b on the copy stream as Write does, but
// without the event that orders later launches after it: a broken Write,
// for tests that the fake driver catches the race.
func WriteUnordered(rt *Runtime, b gpu.Buffer, src []byte) error {
	bb, s, exit, err := firstStage(rt, "write", b)
	if err != nil {
		return err
	}
	defer exit()
	copy(s.bytes(), src)
	rt.cbusy = true
	return rt.check("cuMemcpyHtoDAsync_v2", rt.api.call(rt.api.memcpyHtoDAsync, bb.ptr, s.host, uintptr(len(src)), rt.copies))
}

// firstStage enters rt (exit leaves it) and returns b as its buffer and
// the first staging buffer, its last copy waited for: how the broken
// copies (WriteUnordered, ReadEarly, WriteReused) start.
func firstStage(rt *Runtime, op string, b gpu.Buffer) (bb *buffer, s *staging, exit func(), err error) {
	exit, err = rt.enter()
	if err != nil {
		return nil, nil, nil, err
	}
	if bb, err = rt.own(op, b); err == nil {
		err = rt.stagingBuffers()
	}
	if err == nil {
		s = &rt.stage[0]
		err = rt.await(s)
	}
	if err != nil {
		exit()
		return nil, nil, nil, err
	}
	return bb, s, exit, nil
}

// FreeStaging frees rt's staging buffers once their copies are done, so
// that the next copy allocates them at the size EnvCopyChunk then sets.
func FreeStaging(rt *Runtime) error {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	for i := range rt.stage {
		s := &rt.stage[i]
		if s.host == 0 {
			continue
		}
		if err := rt.await(s); err != nil {
			return err
		}
		rt.api.call(rt.api.memFreeHost, s.host)
		rt.api.call(rt.api.eventDestroy, s.event)
		*s = staging{}
	}
	return nil
}

// ReadEarly copies len(dst) bytes of b into the first staging buffer and
// from there into dst, as Read does, but without waiting for the copy to
// reach the host: a broken Read, for tests that the fake driver shows the
// early read. It waits for the copy before it returns, so that the
// staging buffer is free again.
func ReadEarly(rt *Runtime, dst []byte, b gpu.Buffer) error {
	bb, s, exit, err := firstStage(rt, "read", b)
	if err != nil {
		return err
	}
	defer exit()
	if err := rt.check("cuMemcpyDtoHAsync_v2", rt.api.call(rt.api.memcpyDtoHAsync, s.host, bb.ptr, uintptr(len(dst)), rt.stream)); err != nil {
		return err
	}
	copy(dst, s.bytes())
	rt.busy = true
	return rt.finish()
}

// WriteReused copies first into b through the first staging buffer, as
// Write does, but fills that buffer with second before it waits for the
// copy: a broken Write, for tests that the fake driver catches the race.
func WriteReused(rt *Runtime, b gpu.Buffer, first, second []byte) error {
	bb, s, exit, err := firstStage(rt, "write", b)
	if err != nil {
		return err
	}
	defer exit()
	copy(s.bytes(), first)
	if err := rt.check("cuMemcpyHtoDAsync_v2", rt.api.call(rt.api.memcpyHtoDAsync, bb.ptr, s.host, uintptr(len(first)), rt.copies)); err != nil {
		return err
	}
	copy(s.bytes(), second)
	rt.cbusy = true
	return rt.finish()
}
