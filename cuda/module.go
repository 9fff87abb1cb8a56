package cuda

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/cuda/ptx"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bincache"
)

// Program is a CUDA module loaded on a Runtime's device.
type Program struct {
	rt      *Runtime
	module  uintptr
	gen     uint64
	origin  string // how it was obtained: "cache", "nvrtc sm_90", "embedded PTX"
	kernels map[string]*Kernel
}

// Origin says where the module's code came from: "disk cache", "NVRTC
// sm_90" (a cubin compiled now), "NVRTC compute_90" (PTX compiled now and
// JIT-compiled by the driver) or "embedded PTX".
func (p *Program) Origin() string { return p.origin }

// Kernel is one function of a Program.
type Kernel struct {
	prog       *Program
	name       string
	fn         uintptr
	maxThreads int // CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
	regs       int
}

// Name is the kernel's function name.
func (k *Kernel) Name() string { return k.name }

// MaxGroupSize is the most threads a block of the kernel may have on its
// device (CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: at most the device's,
// lower where the kernel's registers or shared memory do not fit more).
func (k *Kernel) MaxGroupSize() int { return k.maxThreads }

// Registers is the number of registers a thread of the kernel uses.
func (k *Kernel) Registers() int { return k.regs }

// compileStats counts where modules came from.
type compileStats struct {
	compiled, cached, embedded, rejected atomic.Int64
}

// CompileStats reports how many modules the runtime compiled with NVRTC,
// loaded from the disk cache or from the embedded PTX, and how many cache
// entries it rejected (corrupt, or refused by the driver).
func (rt *Runtime) CompileStats() (compiled, cached, embedded, rejected int64) {
	return rt.stats.compiled.Load(), rt.stats.cached.Load(), rt.stats.embedded.Load(), rt.stats.rejected.Load()
}

// EnvPTX set to "embedded" makes the runtime load the embedded PTX even
// where NVRTC is present (to check the driver-only path, or to work around
// an NVRTC problem).
const EnvPTX = "ZKACCEL_CUDA_PTX"

// cacheFormat is the format of CUDA's disk cache entries.
var cacheFormat = bincache.Format{Magic: "ZKCUDABN", Version: 1}

// Compile loads complete device source (gpu.Source) as a module for this
// GPU, from the first of:
//
//  1. the modules already loaded by this runtime (by the source's hash);
//  2. the disk cache ($ZKACCEL_CACHE_DIR/cuda, else
//     os.UserCacheDir()/zkaccel/cuda), keyed by the source, the target,
//     NVRTC's version and the driver's;
//  3. NVRTC: a cubin for the GPU's exact architecture, or PTX for the
//     newest one NVRTC knows below it; the result is cached on disk;
//  4. the PTX embedded in this package for that source (made by go generate
//     with NVRTC), which the driver compiles for the GPU.
//
// A cache entry that is corrupt or that the driver refuses is deleted and
// the module rebuilt. A compile error carries NVRTC's log, a load error the
// driver's JIT log; where neither NVRTC nor embedded PTX is available the
// error says so.
func (rt *Runtime) Compile(src string) (gpu.Program, error) {
	exit, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	key := sha256.Sum256([]byte(src))
	if p, ok := rt.modules[key]; ok {
		return p, nil
	}
	p, err := rt.build(src, key)
	if err != nil {
		return nil, err
	}
	rt.modules[key] = p
	return p, nil
}

// build obtains and loads the module of src. The caller has entered.
func (rt *Runtime) build(src string, key [32]byte) (*Program, error) {
	name := programName(src, key)
	cc := 10*rt.ccMajor + rt.ccMinor
	nv, nvErr := LoadNVRTC()
	if strings.EqualFold(os.Getenv(EnvPTX), "embedded") {
		nvErr = fmt.Errorf("%s=embedded", EnvPTX)
	}
	if nvErr == nil {
		t, ok := bestTarget(cc, nv.Archs(), nv.getCUBIN.Name() != "")
		if !ok {
			nvErr = fmt.Errorf("NVRTC %s has no architecture at or below sm_%d (it targets %v)", nv.Version(), cc, nv.Archs())
		} else {
			entry := rt.cacheEntry(src, t, nv)
			if entry != "" {
				bin, err := cacheFormat.Read(entry)
				switch {
				case err == nil:
					p, lerr := rt.load(bin, name, "disk cache")
					if lerr == nil {
						rt.stats.cached.Add(1)
						return p, nil
					}
					if !refused(lerr) {
						return nil, lerr // the driver could not load it now: the entry is good
					}
					rt.reject(entry, lerr)
				case !errors.Is(err, fs.ErrNotExist):
					rt.reject(entry, err)
				}
			}
			code, err := nv.Compile(src, name, t)
			if err != nil {
				return nil, fmt.Errorf("%w (on %s)", err, rt)
			}
			origin := "NVRTC " + t.String()
			p, lerr := rt.load(code, name, origin)
			if lerr == nil {
				rt.stats.compiled.Add(1)
				if entry != "" {
					if err := cacheFormat.Write(entry, code); err != nil {
						zkaccel.Debugf("cuda: %s: cannot cache module %s: %v", rt, name, err)
					}
				}
				return p, nil
			}
			if !refused(lerr) {
				return nil, lerr
			}
			// A driver older than NVRTC may refuse its output: try the
			// embedded PTX before giving up.
			nvErr = fmt.Errorf("the driver refused NVRTC %s's %s: %w", nv.Version(), t, lerr)
		}
	}
	if code, ok := ptx.Lookup(key); ok {
		p, err := rt.load(code, name, "embedded PTX")
		if err != nil {
			if ce := (*Error)(nil); errors.As(err, &ce) && ce.Code == cudaErrorPTXVersion {
				made := "a newer CUDA"
				if ix, ierr := ptx.Load(); ierr == nil && ix.NVRTC != "" {
					made = "CUDA " + ix.NVRTC
				}
				err = fmt.Errorf("%w (the embedded PTX was made by NVRTC of %s, whose PTX needs a driver of that CUDA version or newer; this driver supports CUDA %s: update the driver, or install NVRTC)", err, made, rt.DriverVersion())
			}
			return nil, fmt.Errorf("%w (the embedded PTX of %s; NVRTC: %v)", err, name, nvErr)
		}
		rt.stats.embedded.Add(1)
		return p, nil
	}
	return nil, rt.errorf("compile "+name, "no NVRTC to compile it (%v) and no embedded PTX for this source (run go generate ./cuda/ptx)", nvErr)
}

// refused reports whether err, an error of loading a module, says that
// the driver refuses the image itself (a PTX version it does not know, an
// architecture, a corrupt image), which another image may cure, rather
// than that it could not load one now: out of memory, a context lost or
// reset. Those are returned as they are, and the image is kept.
func refused(err error) bool {
	if errors.Is(err, gpu.ErrDeviceReset) || errors.Is(err, gpu.ErrDeviceLost) {
		return false
	}
	var ce *Error
	if !errors.As(err, &ce) {
		return true
	}
	switch ce.Code {
	case cudaErrorOutOfMemory, cudaErrorNotInitialized, cudaErrorDeinitialized, cudaErrorInvalidContext, cudaErrorContextDestroyed:
		return false
	}
	return true
}

// cacheEntry is the disk cache's path for src compiled by nv for target t
// on this GPU and driver ("" without a cache directory).
func (rt *Runtime) cacheEntry(src string, t Target, nv *NVRTC) string {
	dir := bincache.Dir("cuda")
	if dir == "" {
		return ""
	}
	return bincache.Path(dir, "zkaccel cuda module", fmt.Sprint(cacheFormat.Version), src, t.String(),
		strings.Join(compileOptions, " "), "nvrtc "+nv.Version(), "driver "+fmt.Sprint(rt.api.version), rt.name)
}

// Precompile compiles with NVRTC each source that the disk cache lacks for
// this GPU, in up to workers goroutines at once, and caches it without
// loading it: a later Compile of the source loads it from the cache.
// NVRTC needs no device and runs in parallel, which loading does not, so
// a first run that precompiles every program (`zkaccel warmup`) takes the
// longest compile, not their sum. progress, if not nil, is called after
// each source with the number done. It returns an error wrapping
// zkaccel.ErrUnsupported where there is no NVRTC or no cache directory,
// and the compile errors of the sources that failed.
func (rt *Runtime) Precompile(srcs []string, workers int, progress func(done, total int)) error {
	nv, err := LoadNVRTC()
	if err != nil {
		return fmt.Errorf("zkaccel/cuda: precompile on %s: %w: %v", rt, zkaccel.ErrUnsupported, err)
	}
	if strings.EqualFold(os.Getenv(EnvPTX), "embedded") {
		return fmt.Errorf("zkaccel/cuda: precompile on %s: %w: %s=embedded", rt, zkaccel.ErrUnsupported, EnvPTX)
	}
	cc := 10*rt.ccMajor + rt.ccMinor
	t, ok := bestTarget(cc, nv.Archs(), nv.getCUBIN.Name() != "")
	if !ok {
		return fmt.Errorf("zkaccel/cuda: precompile on %s: %w: NVRTC %s has no architecture at or below sm_%d", rt, zkaccel.ErrUnsupported, nv.Version(), cc)
	}
	if bincache.Dir("cuda") == "" {
		return fmt.Errorf("zkaccel/cuda: precompile on %s: %w: no cache directory", rt, zkaccel.ErrUnsupported)
	}
	workers = max(1, min(workers, len(srcs)))
	jobs := make(chan string)
	var (
		mu   sync.Mutex
		errs []error
		done int
	)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range jobs {
				entry := rt.cacheEntry(src, t, nv)
				var err error
				if _, serr := os.Stat(entry); serr != nil {
					key := sha256.Sum256([]byte(src))
					var code []byte
					if code, err = nv.Compile(src, programName(src, key), t); err == nil {
						err = cacheFormat.Write(entry, code)
					}
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				done++
				if progress != nil {
					progress(done, len(srcs))
				}
				mu.Unlock()
			}
		}()
	}
	for _, src := range srcs {
		jobs <- src
	}
	close(jobs)
	wg.Wait()
	return errors.Join(errs...)
}

// programName names a program in compiler logs: its first kernel's name,
// with the start of its hash.
func programName(src string, key [32]byte) string {
	name := "program"
	if i := strings.Index(src, "KERNEL void "); i >= 0 {
		rest := src[i+len("KERNEL void "):]
		if j := strings.IndexByte(rest, '('); j > 0 && j < 64 {
			name = rest[:j]
		}
	}
	return fmt.Sprintf("%s-%x.cu", name, key[:4])
}

// reject deletes a cache entry that could not be used.
func (rt *Runtime) reject(entry string, why error) {
	rt.stats.rejected.Add(1)
	zkaccel.Debugf("cuda: %s: rejecting cache entry %s: %v", rt, entry, why)
	bincache.Remove(entry)
}

// jitLogSize bounds the driver's JIT error log.
const jitLogSize = 16 << 10

// load loads a cubin or NUL-terminated PTX image as a module
// (cuModuleLoadDataEx), with the JIT's error log in a failure.
func (rt *Runtime) load(image []byte, name, origin string) (*Program, error) {
	if len(image) == 0 {
		return nil, rt.errorf("load "+name, "empty module image")
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	mod := ps.Word(0)
	logBuf := make([]byte, jitLogSize)
	// The options are CUjit_option values, a C enum: 4 bytes each; their
	// values are pointer-sized.
	opts := make([]byte, 8)
	binary.LittleEndian.PutUint32(opts[0:], jitErrorLogBuffer)
	binary.LittleEndian.PutUint32(opts[4:], jitErrorLogBufferSize)
	vals := ps.Words(ps.Bytes(logBuf), jitLogSize)
	r := a.call(a.moduleLoadDataEx, cgo.Addr(mod), ps.Bytes(image), 2, ps.Bytes(opts), cgo.Addrs(vals))
	if err := rt.check(fmt.Sprintf("cuModuleLoadDataEx(%s, %s)", name, origin), r); err != nil {
		if log := strings.TrimSpace(cString(logBuf)); log != "" {
			return nil, fmt.Errorf("%w: JIT log:\n%s", err, log)
		}
		return nil, err
	}
	return &Program{rt: rt, module: *mod, gen: rt.gen, origin: origin, kernels: map[string]*Kernel{}}, nil
}

// Kernel returns the kernel of the given name (cuModuleGetFunction),
// cached by the program.
func (p *Program) Kernel(name string) (gpu.Kernel, error) {
	rt := p.rt
	exit, err := rt.enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	if p.gen != rt.gen {
		return nil, rt.lost("kernel "+name, "program")
	}
	if k, ok := p.kernels[name]; ok {
		return k, nil
	}
	a := rt.api
	var ps cgo.Pins
	defer ps.Done()
	fn := ps.Word(0)
	if err := rt.check(fmt.Sprintf("cuModuleGetFunction(%s)", name), a.call(a.moduleGetFunction, cgo.Addr(fn), p.module, ps.CString(name))); err != nil {
		return nil, err
	}
	k := &Kernel{prog: p, name: name, fn: *fn}
	v := ps.Word(0)
	if err := rt.check("cuFuncGetAttribute(MAX_THREADS_PER_BLOCK)", a.call(a.funcGetAttribute, cgo.Addr(v), funcAttrMaxThreads, k.fn)); err != nil {
		return nil, err
	}
	k.maxThreads = max(1, int(int32(*v)))
	*v = 0
	if rt.check("cuFuncGetAttribute(NUM_REGS)", a.call(a.funcGetAttribute, cgo.Addr(v), funcAttrNumRegs, k.fn)) == nil {
		k.regs = int(int32(*v))
	}
	p.kernels[name] = k
	return k, nil
}

// defaultBlock is the block size Launch uses when the caller passes 0,
// bounded by what the kernel allows.
const defaultBlock = 256

// maxGridX is the most blocks of a launch's x dimension on every GPU since
// compute capability 3.0 (CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X).
const maxGridX = 1<<31 - 1

// Launch runs k over global threads in blocks of local (0: the smaller of
// 256 and the kernel's limit), rounding global up to whole blocks; a global
// size of 0 launches nothing. Arguments are gpu.Buffer (of this runtime),
// int32, uint32, int64 or uint64. The launch is asynchronous: its errors
// may show at the next Read or Finish.
func (rt *Runtime) Launch(k gpu.Kernel, global, local int, args ...any) error {
	kk, ok := k.(*Kernel)
	if !ok || kk == nil {
		return rt.errorf("launch", "%T is not a CUDA kernel", k)
	}
	if kk.prog.rt != rt {
		return rt.errorf("launch "+kk.name, "the kernel belongs to %s", kk.prog.rt)
	}
	if global < 0 || local < 0 {
		return rt.errorf("launch "+kk.name, "negative size (global %d, local %d)", global, local)
	}
	if global == 0 {
		return nil
	}
	if local == 0 {
		local = min(defaultBlock, kk.maxThreads)
	}
	if local > kk.maxThreads {
		return rt.errorf("launch "+kk.name, "blocks of %d threads exceed the kernel's limit of %d", local, kk.maxThreads)
	}
	blocks := (global + local - 1) / local
	if uint64(blocks)*uint64(local) > 1<<32-1 {
		return rt.errorf("launch "+kk.name, "%d threads exceed the 2^32-1 that kernels index with u32", uint64(blocks)*uint64(local))
	}
	if blocks > maxGridX {
		return rt.errorf("launch "+kk.name, "%d blocks of %d threads exceed CUDA's grid of 2^31-1 blocks", blocks, local)
	}

	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	if kk.prog.gen != rt.gen {
		return rt.lost("launch "+kk.name, "kernel")
	}
	var ps cgo.Pins
	defer ps.Done()
	vals := ps.Words(make([]uintptr, max(1, len(args)))...)
	for i, arg := range args {
		switch v := arg.(type) {
		case gpu.Buffer:
			b, err := rt.own(fmt.Sprintf("launch %s argument %d", kk.name, i), v)
			if err != nil {
				return err
			}
			if err := rt.ready(b); err != nil { // after the copies into it
				return err
			}
			vals[i] = b.ptr
		case int32:
			vals[i] = uintptr(uint32(v)) // a 4-byte parameter is the word's low half (little-endian)
		case uint32:
			vals[i] = uintptr(v)
		case int64:
			vals[i] = uintptr(v)
		case uint64:
			vals[i] = uintptr(v)
		default:
			return rt.errorf("launch "+kk.name, "argument %d has type %T (want gpu.Buffer, int32, uint32, int64 or uint64)", i, arg)
		}
	}
	params := ps.Words(make([]uintptr, max(1, len(args)))...)
	for i := range args {
		params[i] = cgo.Addrs(vals) + uintptr(8*i)
	}
	paramList := uintptr(0)
	if len(args) > 0 {
		paramList = cgo.Addrs(params)
	}
	stop := rt.timeStart(false, kk.name, rt.stream)
	a := rt.api
	r := a.call(a.launchKernel, kk.fn, uintptr(blocks), 1, 1, uintptr(local), 1, 1, 0, rt.stream, paramList, 0)
	if err := rt.check(fmt.Sprintf("cuLaunchKernel(%s, %d×%d)", kk.name, blocks, local), r); err != nil {
		stop(false)
		return err
	}
	stop(true)
	rt.busy = true
	return nil
}
