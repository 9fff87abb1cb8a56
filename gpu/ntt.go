package gpu

import (
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/zkaccel/zkaccel"
)

// The NTT (src/ntt.cl) computes exactly what gnark-crypto's Domain.FFT and
// FFTInverse compute, with the request's constants:
//
//   - forward on a coset: a[i] *= s^i before the transform, where s is
//     CosetShift and i is the element's natural index: i itself for DIF
//     (natural input), the bit reversal of i for DIT (bit-reversed input);
//   - the transform: radix-2 butterfly stages, run in ⌈logn / L⌉ passes
//     of up to L consecutive stages each, every pass one launch of a
//     local-memory kernel over independent strided blocks of 2^L elements
//     (L: the largest block that fits in a work-group's local memory), so
//     that the data crosses global memory once per pass, not once per
//     stage. DIF reads natural order and writes bit-reversed order, DIT the
//     reverse, so no permutation pass is needed (as in gnark-crypto);
//   - inverse: the transform with GeneratorInv, then a[i] *= CardinalityInv
//     (times CosetShiftInv^i on a coset, with i the natural index of the
//     output element: i for DIT, its bit reversal for DIF).
//
// Tables are computed on the device from the request's constants: the
// twiddles w^i for i < N/2 (w = Generator or GeneratorInv), and for a
// coset two tables of √N powers of the shift from which every power is one
// product. They are cached per device, keyed by their values (field, N,
// constant), and stay on the device until evicted: the cache holds at most
// nttCacheEntries tables and nttCacheBudget bytes, evicting the least
// recently used; a table larger than the budget is computed per call.

const (
	nttMaxLog         = 31        // u32 indices: N ≤ 2^31
	nttCacheEntries   = 16        // tables cached per device, at most
	nttCacheBytes     = 256 << 20 // bytes of tables cached per device, at least (nttCacheBudget)
	nttLocalBytesCL   = 16 << 10  // local memory of the local-memory kernels under OpenCL
	nttLocalBytesCUDA = 32 << 10  // and under CUDA (static shared memory: at most 48 KiB)
	nttGroup          = 64        // work-group size of every launch, at most
	nttLocalGroupGPU  = 256       // work-group size of the local-memory kernels on a GPU
	nttColumnBytes    = 64        // bytes of adjacent elements a local-memory pass reads in a run
	nttDirectPowers   = 1 << 10   // tables of up to this many powers: one power per element
	nttKeyPrefix      = "ntt/table/"
	nttLocalLogKey    = "ntt/locallog" // tests: the largest local-memory pass (0: none)
)

// nttClock orders table uses for eviction (and marks the tables one call
// uses, which it must not evict).
var nttClock atomic.Uint64

// nttTable is one cached device table.
type nttTable struct {
	buf  Buffer
	size uint64
	used uint64 // nttClock value of the last call that used it
}

// nttKernels are the kernels of one field's NTT program.
type nttKernels struct {
	powers, powers2, coset, scale, difStage, ditStage, difLocal, ditLocal Kernel
	localLog                                                              int // log2 of the largest local-memory block
	columnLog                                                             int // log2 of the elements in nttColumnBytes
}

// nttLocalLog is the log2 of the largest block of elements of size es that
// fits in the local memory the kernels use under runtime kind.
func nttLocalLog(kind string, es int) int {
	b := nttLocalBytesCL
	if kind == "cuda" {
		b = nttLocalBytesCUDA
	}
	return bits.Len(uint(b/es)) - 1
}

// nttSource is the NTT program of field f (one source for every runtime:
// it picks its block size by the runtime it is compiled for, which the
// host knows by the runtime's kind; ZK_CUDA_EMU marks an OpenCL build of
// CUDA's source, the emulated GPU of scripts/cuda-emu.sh, which takes
// CUDA's size).
func nttSource(f FieldInfo) string {
	es := f.ElemSize()
	return Source(f.Source("f"), fmt.Sprintf(
		"#if defined(ZK_CUDA) || defined(ZK_CUDA_EMU)\n#define NTT_LOCAL_LOG %d\n#else\n#define NTT_LOCAL_LOG %d\n#endif\n",
		nttLocalLog("cuda", es), nttLocalLog("opencl", es)), File("rev.cl"), File("ntt.cl"))
}

// ntt runs req: see the comment at the top of this file.
func (d *Device) ntt(req *zkaccel.NTTRequest) error {
	op := "ntt " + string(req.Field)
	f, ok := ScalarField(req.Field)
	if !ok {
		return d.unsupported(op, "unknown field")
	}
	if err := nttCheck(req, f); err != nil {
		return d.errorf(op, err)
	}
	logn := bits.TrailingZeros(uint(req.N))
	if logn > nttMaxLog {
		return d.unsupported(op, "N = 2^%d exceeds 2^%d", logn, nttMaxLog)
	}
	es := uint64(f.ElemSize())
	size := uint64(req.N) * es
	if max := d.rt.MaxAlloc(); max > 0 && size > max {
		return d.unsupported(op, "N = 2^%d: %s of data exceed the device's largest buffer (%s)", logn, bytesStr(size), bytesStr(max))
	}
	if room := d.room(); room > 0 && size+size/2 > room {
		return d.unsupported(op, "N = 2^%d: data and twiddles (%s) exceed the device's memory left (%s)", logn, bytesStr(size+size/2), bytesStr(room))
	}
	if err := d.nttRun(req, f, logn); err != nil {
		return d.errorf(op, err)
	}
	return nil
}

// nttCheck validates a request's sizes against field f.
func nttCheck(req *zkaccel.NTTRequest, f FieldInfo) error {
	es := f.ElemSize()
	if req.ElemSize != es {
		return fmt.Errorf("%w: ElemSize = %d, want %d", errBadRequest, req.ElemSize, es)
	}
	if req.N < 1 || req.N&(req.N-1) != 0 {
		return fmt.Errorf("%w: N = %d is not a power of two", errBadRequest, req.N)
	}
	if len(req.Data)/es != req.N || len(req.Data)%es != 0 {
		return fmt.Errorf("%w: data: %d bytes, want %d (%d × %d)", errBadRequest, len(req.Data), uint64(req.N)*uint64(es), req.N, es)
	}
	for _, c := range []struct {
		name string
		b    []byte
	}{{"Generator", req.Generator}, {"GeneratorInv", req.GeneratorInv}, {"CardinalityInv", req.CardinalityInv},
		{"CosetShift", req.CosetShift}, {"CosetShiftInv", req.CosetShiftInv}} {
		if len(c.b) != es {
			return fmt.Errorf("%w: %s: %d bytes, want %d", errBadRequest, c.name, len(c.b), es)
		}
	}
	if req.Decimation != zkaccel.DIT && req.Decimation != zkaccel.DIF {
		return fmt.Errorf("%w: unknown decimation %d", errBadRequest, req.Decimation)
	}
	return nil
}

// nttProgram compiles (once per device) and resolves field f's NTT kernels.
func (d *Device) nttProgram(field zkaccel.Field, f FieldInfo) (*nttKernels, error) {
	p, err := d.program("ntt/" + string(field))
	if err != nil {
		return nil, err
	}
	ks, err := kernels(p, "ntt_powers", "ntt_powers2", "ntt_coset", "ntt_scale", "ntt_dif_stage", "ntt_dit_stage", "ntt_dif_local", "ntt_dit_local")
	if err != nil {
		return nil, err
	}
	return &nttKernels{ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7], nttLocalLog(d.rt.Kind(), f.ElemSize()), bits.Len(uint(max(nttColumnBytes/f.ElemSize(), 1))) - 1}, nil
}

// nttRun uploads the data, runs the passes and reads the result back into
// req.Data, which it writes only once everything else succeeded.
func (d *Device) nttRun(req *zkaccel.NTTRequest, f FieldInfo, logn int) error {
	k, err := d.nttProgram(req.Field, f)
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	data, err := s.upload(req.Data)
	if err != nil {
		return err
	}
	if err := d.nttBuffer(s, k, nttClock.Add(1), req, logn, data); err != nil {
		return err
	}
	if err := d.rt.Finish(); err != nil {
		return err
	}
	return d.rt.Read(req.Data, data, 0)
}

// nttBuffer queues the transform req describes (but for its Data) of the
// 2^logn elements of data, in place on the device: the launches only, for
// the caller to wait for. Tables it cannot cache go to s; now is the
// caller's nttClock value, which keeps the tables it uses from eviction.
func (d *Device) nttBuffer(s *scratch, k *nttKernels, now uint64, req *zkaccel.NTTRequest, logn int, data Buffer) error {
	n := uint32(req.N)
	es := req.ElemSize
	gen := req.Generator
	if req.Inverse {
		gen = req.GeneratorInv
	}
	var tw Buffer
	var err error
	if logn > 0 {
		if tw, err = d.nttPowers(s, k, now, req.Field, es, "tw", gen, req.N/2, 1); err != nil {
			return err
		}
	}
	// The element-wise factors: before the transform, a forward coset's
	// shift powers (indexed by the natural index of the input: i for DIF,
	// its bit reversal for DIT); after it, an inverse's 1/n, times the
	// inverse shift powers on a coset (indexed by the natural index of the
	// output). The coset tables: lo[j] = c^j for j < 2^h, hi[j] = c^(j·2^h).
	pre, post := nttFix{buf: data}, nttFix{buf: data}
	coset := func(c []byte, rev bool, f *nttFix) error {
		h := logn / 2
		lo, err := d.nttPowers(s, k, now, req.Field, es, "lo", c, 1<<h, 1)
		if err != nil {
			return err
		}
		hi, err := d.nttPowers(s, k, now, req.Field, es, "hi", c, 1<<(logn-h), 1<<h)
		if err != nil {
			return err
		}
		f.lo, f.hi, f.lobits = lo, hi, uint32(h)
		if rev {
			f.rev = 1
		}
		return nil
	}
	if req.Coset && !req.Inverse {
		pre.mode = nttFixPre
		if err := coset(req.CosetShift, req.Decimation == zkaccel.DIT, &pre); err != nil {
			return err
		}
	}
	if req.Inverse {
		if post.c, err = s.upload(req.CardinalityInv); err != nil {
			return err
		}
		post.mode = nttFixScale
		if req.Coset {
			post.mode = nttFixCoset
			if err := coset(req.CosetShiftInv, req.Decimation == zkaccel.DIF, &post); err != nil {
				return err
			}
		}
	}

	// With the local-memory passes the factors ride on the first or last
	// pass; otherwise they are launches of their own.
	if logn > 0 {
		if _, mode := d.nttMode(k, logn); mode == nttModePasses {
			return d.nttStages(k, req.Decimation, data, tw, logn, pre, post)
		}
	}
	if err := d.nttApplyFix(k, data, n, logn, pre); err != nil {
		return err
	}
	if logn > 0 {
		if err := d.nttStages(k, req.Decimation, data, tw, logn, nttFix{buf: data}, nttFix{buf: data}); err != nil {
			return err
		}
	}
	return d.nttApplyFix(k, data, n, logn, post)
}

// nttApplyFix applies an element-wise factor as a launch of its own (the
// ntt_coset or ntt_scale kernel).
func (d *Device) nttApplyFix(k *nttKernels, data Buffer, n uint32, logn int, f nttFix) error {
	switch f.mode {
	case nttFixPre:
		return d.rt.Launch(k.coset, int(n), d.nttGroup(k.coset), data, n, uint32(logn), f.rev, f.lo, f.hi, f.lobits, f.lo, uint32(0))
	case nttFixScale:
		return d.rt.Launch(k.scale, int(n), d.nttGroup(k.scale), data, n, f.c)
	case nttFixCoset:
		return d.rt.Launch(k.coset, int(n), d.nttGroup(k.coset), data, n, uint32(logn), f.rev, f.lo, f.hi, f.lobits, f.c, uint32(1))
	}
	return nil
}

// nttGroup is the work-group size of kernel k in the NTT's launches, and
// in the other element-wise launches (the provers' quotients, openings,
// copies): one size, so that a runtime that specialises kernels per group
// size (POCL) builds each once, lowered to what the device and k allow
// (groupFor). Kernels check their index, and the local-memory kernels loop
// over their block, so any size works.
func (d *Device) nttGroup(k Kernel) int { return d.groupFor(k, nttGroup) }

// nttStages runs the butterfly stages of a transform of 2^logn ≥ 2
// elements: in the passes of nttPlan, each one launch of a local-memory
// kernel over blocks of up to 2^L elements (L: the largest block that fits,
// or a smaller one tests set), or, with the local-memory kernels off
// (tests), one launch per stage.
func (d *Device) nttStages(k *nttKernels, dec zkaccel.Decimation, data, tw Buffer, logn int, pre, post nttFix) error {
	L, mode := d.nttMode(k, logn)
	none := nttFix{buf: data}
	if mode == nttModeGlobal {
		return d.nttGlobalStages(k, dec, data, tw, logn, 0)
	}
	if mode == nttModeHost {
		// On a CPU the caches take the stages' traffic, and the strided
		// passes' index arithmetic costs more than it saves (measured on
		// POCL: 1.3–1.8× slower for the 4- and 8-byte fields): one launch
		// per stage down to the last L stages, which run in one pass.
		if dec == zkaccel.DIT {
			g := d.nttGroup(k.ditLocal)
			if err := d.rt.Launch(k.ditLocal, (1<<(logn-L))*g, g, none.args(data, uint32(logn), uint32(L), uint32(0), uint32(0), tw)...); err != nil {
				return err
			}
			return d.nttGlobalStages(k, dec, data, tw, logn, L)
		}
		if err := d.nttGlobalStages(k, dec, data, tw, logn, L); err != nil {
			return err
		}
		g := d.nttGroup(k.difLocal)
		return d.rt.Launch(k.difLocal, (1<<(logn-L))*g, g, none.args(data, uint32(logn), uint32(L), uint32(0), uint32(0), tw)...)
	}
	plan := nttPlan(logn, L, k.columnLog)
	if dec == zkaccel.DIF { // from the top stages down
		slices.Reverse(plan)
	}
	kern := k.ditLocal
	if dec == zkaccel.DIF {
		kern = k.difLocal
	}
	for i, p := range plan {
		// The first pass applies pre on load, the last one post on store
		// (a transform has at most one of them).
		fix := none
		if i == 0 && pre.mode != nttFixNone {
			fix = pre
		}
		if i == len(plan)-1 && post.mode != nttFixNone {
			fix = post
		}
		group := min(d.nttLocalGroup(kern), 1<<(p.lb+p.c-1))
		if err := d.rt.Launch(kern, (1<<(logn-p.lb-p.c))*group, group, fix.args(data, uint32(logn), uint32(p.lb), uint32(p.s), uint32(p.c), tw)...); err != nil {
			return err
		}
	}
	return nil
}

// The ways nttStages runs the stages (nttMode).
const (
	nttModeGlobal = iota // one launch per stage (tests)
	nttModeHost          // CPU devices: one launch per stage, then one local pass
	nttModePasses        // the local-memory passes of nttPlan, which apply nttFixes
)

// nttMode returns the largest block's log and the way nttStages will run
// a transform of 2^logn ≥ 2 elements on d.
func (d *Device) nttMode(k *nttKernels, logn int) (L, mode int) {
	L = min(k.localLog, logn)
	v, forced := d.cache[nttLocalLogKey].(int)
	if forced {
		L = min(L, v)
	}
	switch {
	case L < 1:
		return L, nttModeGlobal
	case d.OnHost() && !forced && L < logn:
		return L, nttModeHost
	}
	return L, nttModePasses
}

// nttFix is an element-wise factor that the first or last local-memory
// pass applies (src/ntt.cl's NTT_FIX_*): mode, and its tables (lo, hi,
// lobits, rev) and constant c; buf stands in for a table the mode does not
// read.
type nttFix struct {
	mode, rev, lobits uint32
	lo, hi, c, buf    Buffer
}

// The fix modes: src/ntt.cl's NTT_FIX_NONE, _PRE, _SCALE, _COSET.
const (
	nttFixNone uint32 = iota
	nttFixPre
	nttFixScale
	nttFixCoset
)

// args appends the fix's kernel arguments to the local kernels' first six.
func (f nttFix) args(first ...any) []any {
	pick := func(b Buffer) Buffer {
		if b == nil {
			return f.buf
		}
		return b
	}
	return append(first, f.mode, f.rev, pick(f.lo), pick(f.hi), f.lobits, pick(f.c))
}

// nttPass is one launch of a local-memory kernel: the stages with
// half-spans 2^s … 2^(s+lb−1), on 2^c adjacent columns per work-group.
type nttPass struct{ lb, s, c int }

// nttPlan splits the stages of a transform of 2^logn elements into the
// fewest passes whose blocks hold at most 2^L elements, in order of s: the
// pass at s = 0 takes one column of up to 2^L elements; every other pass
// takes 2^c columns, c = min(cw, s, L−1), so that a work-group reads runs of
// 2^c adjacent elements (2^cw elements make nttColumnBytes), and so at most
// L−c stages. The passes' sizes are as equal as that allows.
func nttPlan(logn, L, cw int) []nttPass {
	if logn <= L {
		return []nttPass{{logn, 0, 0}}
	}
	cw = min(cw, L-1)
	passes := 1 + (logn-L+(L-cw)-1)/(L-cw)
	sizes := make([]int, passes)
	for i := range sizes {
		sizes[i] = logn / passes
		if i < logn%passes {
			sizes[i]++
		}
	}
	for i := 1; i < passes; i++ { // what the strided passes cannot hold goes to the first
		if sizes[i] > L-cw {
			sizes[0] += sizes[i] - (L - cw)
			sizes[i] = L - cw
		}
	}
	plan := make([]nttPass, passes)
	s := 0
	for i, lb := range sizes {
		c := 0
		if s > 0 {
			c = min(cw, s)
		}
		plan[i] = nttPass{lb, s, c}
		s += lb
	}
	return plan
}

// nttGlobalStages runs the stages with half-spans 2^from and up one launch
// each, one butterfly per work item, over global memory.
func (d *Device) nttGlobalStages(k *nttKernels, dec zkaccel.Decimation, data, tw Buffer, logn, from int) error {
	half := 1 << (logn - 1)
	stage := func(kern Kernel, logm int) error {
		return d.rt.Launch(kern, half, d.nttGroup(kern), data, uint32(half), uint32(logn), uint32(logm), tw)
	}
	if dec == zkaccel.DIF {
		for logm := logn - 1; logm >= from; logm-- {
			if err := stage(k.difStage, logm); err != nil {
				return err
			}
		}
		return nil
	}
	for logm := from; logm < logn; logm++ {
		if err := stage(k.ditStage, logm); err != nil {
			return err
		}
	}
	return nil
}

// nttLocalGroup is the work-group size of the local-memory kernel k: the
// common size on a host device (POCL specialises kernels per size), up to
// nttLocalGroupGPU on a GPU, where more threads per block hide latency;
// within what the device and k allow (groupFor).
func (d *Device) nttLocalGroup(k Kernel) int {
	if d.OnHost() {
		return d.nttGroup(k)
	}
	return d.groupFor(k, nttLocalGroupGPU)
}

// nttPowers returns a device table of count elements base^(i·stride),
// computed on the device, from the cache when it holds it. A table that
// does not fit in the cache's budget is allocated in s, for this call only.
func (d *Device) nttPowers(s *scratch, k *nttKernels, now uint64, field zkaccel.Field, es int, what string, base []byte, count int, stride uint64) (Buffer, error) {
	key := fmt.Sprintf("%s%s/%s/%d/%d/%s", nttKeyPrefix, field, what, count, stride, hex.EncodeToString(base))
	if t, ok := d.cache[key].(*nttTable); ok {
		t.used = now
		return t.buf, nil
	}
	size := uint64(count) * uint64(es)
	bbuf, err := s.upload(base)
	if err != nil {
		return nil, err
	}
	fill := func(out Buffer) error {
		if count <= nttDirectPowers {
			return d.rt.Launch(k.powers, count, d.nttGroup(k.powers), out, uint32(count), bbuf, stride)
		}
		// base^(i·stride) = lo[i mod 2^h] · hi[i >> h], from two tables of
		// about √count powers: one product per element instead of a
		// power's ~2·log2(count) products.
		h := (bits.Len(uint(count-1)) + 1) / 2
		nhi := (count + 1<<h - 1) >> h
		lo, err := s.alloc((1 << h) * es)
		if err != nil {
			return err
		}
		hi, err := s.alloc(nhi * es)
		if err != nil {
			return err
		}
		if err := d.rt.Launch(k.powers, 1<<h, d.nttGroup(k.powers), lo, uint32(1<<h), bbuf, stride); err != nil {
			return err
		}
		if err := d.rt.Launch(k.powers, nhi, d.nttGroup(k.powers), hi, uint32(nhi), bbuf, stride<<h); err != nil {
			return err
		}
		return d.rt.Launch(k.powers2, count, d.nttGroup(k.powers2), out, uint32(count), lo, hi, uint32(h))
	}
	if !d.nttMakeRoom(size, now) {
		out, err := s.alloc(int(size))
		if err != nil {
			return nil, err
		}
		return out, fill(out)
	}
	tmp := &scratch{rt: d.rt}
	out, err := tmp.alloc(int(size))
	if err != nil {
		return nil, err
	}
	if err := fill(out); err != nil {
		tmp.free()
		return nil, err
	}
	d.cache[key] = &nttTable{buf: out, size: size, used: now}
	return out, nil
}

// nttCacheBudget is the bytes of NTT tables d keeps: 1/32 of its memory
// (2.5 GiB of an 80 GiB GPU: the twiddles of a 2^24 BN254 transform are
// 256 MiB), and at least nttCacheBytes, or an eighth of its memory where
// that is less.
func (d *Device) nttCacheBudget() uint64 {
	mem := d.rt.Memory()
	if mem == 0 {
		return nttCacheBytes
	}
	return max(min(nttCacheBytes, mem/8), mem/32)
}

// nttCached is the bytes of the NTT tables d keeps. The caller holds d.mu.
func (d *Device) nttCached() uint64 {
	var total uint64
	for key, v := range d.cache {
		if t, ok := v.(*nttTable); ok && strings.HasPrefix(key, nttKeyPrefix) {
			total += t.size
		}
	}
	return total
}

// nttMakeRoom evicts the least recently used tables, never one used by the
// current call (now), until a table of size bytes fits in the cache's
// budget; it reports whether it does.
func (d *Device) nttMakeRoom(size, now uint64) bool {
	budget := d.nttCacheBudget()
	if size > budget {
		return false
	}
	type entry struct {
		key string
		t   *nttTable
	}
	var es []entry
	var total uint64
	for key, v := range d.cache {
		if t, ok := v.(*nttTable); ok && strings.HasPrefix(key, nttKeyPrefix) {
			es = append(es, entry{key, t})
			total += t.size
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].t.used < es[j].t.used })
	count := len(es)
	for _, e := range es {
		if count < nttCacheEntries && total+size <= budget {
			break
		}
		if e.t.used == now {
			continue
		}
		d.rt.Free(e.t.buf)
		delete(d.cache, e.key)
		count--
		total -= e.t.size
	}
	return count < nttCacheEntries && total+size <= budget
}
