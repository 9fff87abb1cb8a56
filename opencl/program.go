package opencl

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// buildOptions are the options of every program build: OpenCL C 1.2, and
// no fast-math or other option that would change results.
const buildOptions = "-cl-std=CL1.2"

// maxLog bounds the build log carried by an error.
const maxLog = 8 << 10

// Program is an OpenCL program built for one device; it caches its kernels
// by name. Programs stay alive as long as their runtime's context: they are
// cached by source and reused by every later Compile of the same source
// (after a reset, a Compile builds or loads them again).
type Program struct {
	rt     *Runtime
	handle uintptr // cl_program
	gen    uint64  // the runtime's generation when built

	mu      sync.Mutex
	kernels map[string]*Kernel
}

// Kernel is one entry point of a [Program].
type Kernel struct {
	prog     *Program
	handle   uintptr // cl_kernel
	name     string
	maxGroup int // CL_KERNEL_WORK_GROUP_SIZE for the device
}

var (
	_ gpu.Program = (*Program)(nil)
	_ gpu.Kernel  = (*Kernel)(nil)
)

// Name is the kernel's function name.
func (k *Kernel) Name() string { return k.name }

// MaxGroupSize is the largest work-group this kernel can be launched with
// on its device (CL_KERNEL_WORK_GROUP_SIZE; at most the device's).
func (k *Kernel) MaxGroupSize() int { return k.maxGroup }

// Kernel returns the kernel named name (a function marked KERNEL in the
// source), creating it on first use.
func (p *Program) Kernel(name string) (_ gpu.Kernel, err error) {
	gen, err := p.rt.enter()
	if err != nil {
		return nil, err
	}
	defer func() { err = p.rt.exit(gen, err, nil) }()
	if p.gen != gen {
		return nil, p.rt.lost(fmt.Sprintf("kernel %s", name), "program")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := p.kernels[name]; ok {
		return k, nil
	}
	a := p.rt.api
	var ps cgo.Pins
	defer ps.Done()
	st := ps.Word(0)
	h := call(a.createKernel, p.handle, ps.CString(name), cgo.Addr(st))
	if err := check(fmt.Sprintf("clCreateKernel(%s)", name), *st); err != nil {
		return nil, err
	}
	g := ps.Word(0)
	if err := check(fmt.Sprintf("clGetKernelWorkGroupInfo(%s)", name),
		call(a.getKernelWorkGroupInfo, h, p.rt.device, clKernelWorkGroupSize, 8, cgo.Addr(g), 0)); err != nil {
		call(a.releaseKernel, h)
		return nil, err
	}
	k := &Kernel{prog: p, handle: h, name: name, maxGroup: int(*g)}
	if k.maxGroup < 1 || k.maxGroup > p.rt.maxGroup {
		k.maxGroup = p.rt.maxGroup
	}
	p.kernels[name] = k
	return k, nil
}

// release releases the program's kernels and the program (at a reset, or
// when a test forgets the runtime's programs); their handles become 0, so
// that a later use is an OpenCL error, not a use of a released object.
// Nothing may use them meanwhile (a reset holds ctxMu).
func (p *Program) release() {
	a := p.rt.api
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.kernels {
		call(a.releaseKernel, k.handle)
		k.handle = 0
	}
	p.kernels = map[string]*Kernel{}
	call(a.releaseProgram, p.handle)
	p.handle = 0
}

// cacheStats counts how programs were obtained, for tests and debugging.
type cacheStats struct {
	built    atomic.Int64 // built from source
	loaded   atomic.Int64 // loaded from an on-disk binary
	rejected atomic.Int64 // on-disk entries found corrupt, stale or unloadable (and deleted)
	written  atomic.Int64 // on-disk entries written
}

// compiling is a program being built, which later Compiles of the same
// source wait for instead of building it again.
type compiling struct {
	done chan struct{}
	prog *Program
	err  error
}

// Compile builds complete device source (see [gpu.Source]) for the device
// with the options "-cl-std=CL1.2". Programs are cached in memory by source,
// and their binaries on disk (see the package documentation); a build
// failure is an *Error whose Detail is the compiler's log.
func (rt *Runtime) Compile(src string) (gpu.Program, error) {
	key := sha256.Sum256([]byte(src))
	rt.mu.Lock()
	if rt.compiling == nil {
		rt.compiling = map[[32]byte]*compiling{}
	}
	if p, ok := rt.progs[key]; ok {
		rt.mu.Unlock()
		return p, nil
	}
	if c, ok := rt.compiling[key]; ok {
		rt.mu.Unlock()
		<-c.done
		if c.err != nil {
			return nil, c.err
		}
		return c.prog, nil
	}
	c := &compiling{done: make(chan struct{})}
	rt.compiling[key] = c
	rt.mu.Unlock()

	c.prog, c.err = rt.compile(key, src)

	rt.mu.Lock()
	delete(rt.compiling, key)
	rt.mu.Unlock()
	close(c.done)
	if c.err != nil {
		return nil, c.err
	}
	return c.prog, nil
}

// compile builds src (build) in the runtime's context and keeps the
// program in the runtime's memory cache under key.
func (rt *Runtime) compile(key [32]byte, src string) (*Program, error) {
	gen, err := rt.enter()
	if err != nil {
		return nil, err
	}
	var quiet error
	p, err := rt.build(src, &quiet)
	if err == nil {
		rt.mu.Lock()
		rt.progs[key] = p // before exit: a reset there releases it
		rt.mu.Unlock()
	}
	if err := rt.exit(gen, err, quiet); err != nil {
		return nil, err
	}
	return p, nil
}

// build returns the program of src: from the disk cache when it holds a
// good entry, else built from source (and then written to the cache). An
// OpenCL error it gets past (the binary could not be read for the cache)
// goes to *quiet. The caller has entered the runtime.
func (rt *Runtime) build(src string, quiet *error) (*Program, error) {
	entry := rt.cacheEntry(src)
	if entry != "" {
		bin, err := readEntry(entry)
		switch {
		case err == nil:
			p, err := rt.fromBinary(bin)
			if err == nil {
				rt.stats.loaded.Add(1)
				zkaccel.Debugf("opencl: %s: program loaded from %s", rt, entry)
				return p, nil
			}
			if !refused(err) {
				return nil, err // the device could not load it now: the entry is good
			}
			rt.reject(entry, err)
		case !errors.Is(err, fs.ErrNotExist):
			rt.reject(entry, err)
		}
	}
	p, err := rt.fromSource(src)
	if err != nil {
		return nil, err
	}
	rt.stats.built.Add(1)
	if entry != "" {
		if bin, err := rt.binary(p); err != nil {
			*quiet = err
			zkaccel.Debugf("opencl: %s: cannot read the program binary to cache it: %v", rt, err)
		} else if err := writeEntry(entry, bin); err != nil {
			zkaccel.Debugf("opencl: %s: cannot write the cache entry: %v", rt, err)
		} else {
			rt.stats.written.Add(1)
		}
	}
	return p, nil
}

// refused reports whether a failure to load a cached binary says the
// binary is bad (the driver refused it: a stale or corrupt entry, to
// delete and rebuild from source) rather than that the device lacks
// resources now (out of memory or resources), where the entry is good and
// a build from source would fail the same way.
func refused(err error) bool {
	var ce *Error
	if !errors.As(err, &ce) {
		return true
	}
	switch ce.Code {
	case clMemObjectAllocationFailure, clOutOfResources, clOutOfHostMemory:
		return false
	}
	return true
}

// reject deletes a cache entry that could not be used.
func (rt *Runtime) reject(entry string, why error) {
	rt.stats.rejected.Add(1)
	zkaccel.Debugf("opencl: %s: discarding cache entry %s: %v", rt, entry, why)
	removeEntry(entry)
}

func (rt *Runtime) newProgram(h uintptr) *Program {
	return &Program{rt: rt, handle: h, gen: rt.gen.Load(), kernels: map[string]*Kernel{}}
}

// fromSource builds src with clCreateProgramWithSource and clBuildProgram.
func (rt *Runtime) fromSource(src string) (*Program, error) {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	st := ps.Word(0)
	text := []byte(src)
	if len(text) == 0 {
		text = []byte("\n")
	}
	strs := ps.Words(ps.Bytes(text))
	lens := ps.Words(uintptr(len(text)))
	h := call(a.createProgramWithSource, rt.ctx, 1, cgo.Addrs(strs), cgo.Addrs(lens), cgo.Addr(st))
	if err := check("clCreateProgramWithSource", *st); err != nil {
		return nil, err
	}
	if err := rt.buildProgram(h, "clBuildProgram"); err != nil {
		call(a.releaseProgram, h)
		return nil, err
	}
	return rt.newProgram(h), nil
}

// fromBinary loads a binary from the cache with clCreateProgramWithBinary
// and clBuildProgram.
func (rt *Runtime) fromBinary(bin []byte) (*Program, error) {
	if len(bin) == 0 {
		return nil, fmt.Errorf("empty binary")
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	st, binSt := ps.Word(0), ps.Word(0)
	devs := ps.Words(rt.device)
	lens := ps.Words(uintptr(len(bin)))
	bins := ps.Words(ps.Bytes(bin))
	h := call(a.createProgramWithBinary, rt.ctx, 1, cgo.Addrs(devs), cgo.Addrs(lens), cgo.Addrs(bins), cgo.Addr(binSt), cgo.Addr(st))
	if err := check("clCreateProgramWithBinary", *st); err != nil {
		return nil, err
	}
	if err := check("clCreateProgramWithBinary (binary status)", *binSt); err != nil {
		call(a.releaseProgram, h)
		return nil, err
	}
	if err := rt.buildProgram(h, "clBuildProgram (cached binary)"); err != nil {
		call(a.releaseProgram, h)
		return nil, err
	}
	return rt.newProgram(h), nil
}

// buildProgram runs clBuildProgram for the device; a failure carries the
// build log.
func (rt *Runtime) buildProgram(h uintptr, op string) error {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	devs := ps.Words(rt.device)
	st := call(a.buildProgram, h, 1, cgo.Addrs(devs), ps.CString(buildOptions), 0, 0)
	if succeeded(st) {
		return nil
	}
	e := &Error{Op: fmt.Sprintf("%s on %s (%s)", op, rt, rt.name), Code: int32(st)}
	if log := rt.buildLog(h); log != "" {
		e.Detail = "build log:\n" + log
	}
	return e
}

// buildLog returns the device's build log of program h, trimmed to maxLog
// bytes.
func (rt *Runtime) buildLog(h uintptr) string {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	n := ps.Word(0)
	if !succeeded(call(a.getProgramBuildInfo, h, rt.device, clProgramBuildLog, 0, 0, cgo.Addr(n))) || *n == 0 {
		return ""
	}
	buf := make([]byte, *n)
	if !succeeded(call(a.getProgramBuildInfo, h, rt.device, clProgramBuildLog, *n, ps.Bytes(buf), 0)) {
		return ""
	}
	log := strings.TrimSpace(cString(buf))
	if len(log) > maxLog {
		log = fmt.Sprintf("%s\n… (%d more bytes of build log)", log[:maxLog], len(log)-maxLog)
	}
	return log
}

// binary returns the device binary of a built program
// (CL_PROGRAM_BINARIES; the program has the one device).
func (rt *Runtime) binary(p *Program) ([]byte, error) {
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	size := ps.Word(0)
	if err := check("clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)", call(a.getProgramInfo, p.handle, clProgramBinarySizes, 8, cgo.Addr(size), 0)); err != nil {
		return nil, err
	}
	if *size == 0 {
		return nil, fmt.Errorf("the driver reports an empty program binary")
	}
	bin := make([]byte, *size)
	ptrs := ps.Words(ps.Bytes(bin))
	if err := check("clGetProgramInfo(CL_PROGRAM_BINARIES)", call(a.getProgramInfo, p.handle, clProgramBinaries, 8, cgo.Addrs(ptrs), 0)); err != nil {
		return nil, err
	}
	return bin, nil
}
