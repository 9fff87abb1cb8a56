package gpu

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"

	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bn254"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// msmGroup describes one curve group as the MSM kernels see it.
type msmGroup struct {
	curve  zkaccel.Curve
	group  zkaccel.Group
	fp, fr FieldInfo
	degree int // coordinates in Fp (1) or Fp2 (2)
	nonres int // G2: u² = −nonres
	bits   int // bit length of the scalar field's modulus
	// addJac adds the Jacobian point src to the Jacobian point dst (both in
	// gnark-crypto's layout) on the host, with gnark-crypto.
	addJac func(dst, src []byte)
	// horner writes Σ 2^(c·w)·wins[w] (nwin Jacobian points) to out as one
	// Jacobian point, on the host, with gnark-crypto.
	horner func(out, wins []byte, nwin, c int)
}

func (g msmGroup) coordSize() int  { return g.degree * g.fp.ElemSize() }
func (g msmGroup) pointSize() int  { return 2 * g.coordSize() }
func (g msmGroup) resultSize() int { return 3 * g.coordSize() }
func (g msmGroup) op() string      { return fmt.Sprintf("msm %s %s", g.curve, g.group) }

// msmGroupOf returns the description of a curve group, ok=false for one
// this package does not run.
func msmGroupOf(c zkaccel.Curve, grp zkaccel.Group) (msmGroup, bool) {
	fp, ok := BaseField(c)
	if !ok {
		return msmGroup{}, false
	}
	fr, _ := ScalarField(zkaccel.Field(c))
	g := msmGroup{curve: c, group: grp, fp: fp, fr: fr, degree: 1, bits: fr.Modulus.BitLen()}
	switch grp {
	case zkaccel.G1:
	case zkaccel.G2:
		g.degree, g.nonres = 2, 1 // BN254: u² = −1; BLS12-381: u² = −1
		if c == zkaccel.BLS12377 {
			g.nonres = 5 // BLS12-377: u² = −5
		}
	default:
		return msmGroup{}, false
	}
	switch {
	case c == zkaccel.BN254 && grp == zkaccel.G1:
		g.addJac = addJac[bn254.G1Jac]
		g.horner = hornerJac[bn254.G1Jac]
	case c == zkaccel.BN254 && grp == zkaccel.G2:
		g.addJac = addJac[bn254.G2Jac]
		g.horner = hornerJac[bn254.G2Jac]
	case c == zkaccel.BLS12381 && grp == zkaccel.G1:
		g.addJac = addJac[bls381.G1Jac]
		g.horner = hornerJac[bls381.G1Jac]
	case c == zkaccel.BLS12381 && grp == zkaccel.G2:
		g.addJac = addJac[bls381.G2Jac]
		g.horner = hornerJac[bls381.G2Jac]
	case c == zkaccel.BLS12377 && grp == zkaccel.G1:
		g.addJac = addJac[bls377.G1Jac]
		g.horner = hornerJac[bls377.G1Jac]
	case c == zkaccel.BLS12377 && grp == zkaccel.G2:
		g.addJac = addJac[bls377.G2Jac]
		g.horner = hornerJac[bls377.G2Jac]
	}
	return g, true
}

// jacobian is a gnark-crypto Jacobian point type.
type jacobian[J any] interface {
	*J
	AddAssign(q *J) *J
	DoubleAssign() *J
}

// hornerJac writes Σ 2^(c·w)·wins[w] to out, as J: nwin·c doublings and
// nwin additions, which take the host microseconds.
func hornerJac[J any, PJ jacobian[J]](out, wins []byte, nwin, c int) {
	pts := make([]J, nwin)
	copy(rawbytes.Of(pts), wins)
	acc := pts[nwin-1:]
	for w := nwin - 2; w >= 0; w-- {
		for range c {
			PJ(&acc[0]).DoubleAssign()
		}
		PJ(&acc[0]).AddAssign(&pts[w])
	}
	copy(out, rawbytes.Of(acc))
}

// addJac adds the Jacobian point in src to the one in dst, as J.
func addJac[J any, PJ jacobian[J]](dst, src []byte) {
	var p, q [1]J
	copy(rawbytes.Of(p[:]), dst)
	copy(rawbytes.Of(q[:]), src)
	PJ(&p[0]).AddAssign(&q[0])
	copy(dst, rawbytes.Of(p[:]))
}

// msmSource composes the MSM program of a curve group: Fp, Fr, Fp2 for G2,
// the curve over the coordinate field, and the kernels. The window width is
// a kernel argument, so one program serves every size.
func msmSource(g msmGroup) string {
	parts := curveParts(g, g.fr.Source("fr"))
	if g.curve != zkaccel.BN254 || g.degree != 1 {
		// Points larger than BN254 G1's pass by value through local
		// memory into the curve formulas' calls (src/msm.cl).
		parts = append(parts, "#define MSM_INLINE_REDUCE 1\n")
	}
	return Source(append(parts, File("msm.cl"))...)
}

// msmPreSource composes the program that precomputes a curve group's
// window multiples (src/msmpre.cl): the coordinate field and the curve.
func msmPreSource(g msmGroup) string {
	parts := curveParts(g)
	if g.degree == 2 {
		parts = append(parts, "#define MSM_PRE_FP2 1\n")
	}
	return Source(append(parts, File("msmpre.cl"))...)
}

// curveParts are the source parts of a curve group: Fp, the extra fields,
// Fp2 for G2, the names FE_* of the coordinate field, and curve.cl.
func curveParts(g msmGroup, extra ...string) []string {
	fe := "fp"
	parts := append([]string{g.fp.Source("fp")}, extra...)
	if g.degree == 2 {
		fe = "fp2"
		parts = append(parts, fmt.Sprintf("#define FP2_NONRES_NEG %d\n", g.nonres)+File("fp2.cl"))
	}
	var defs strings.Builder
	for _, name := range []string{"t", "zero", "one", "load", "store", "is_zero", "eq", "add", "sub", "double", "neg", "mul", "sqr"} {
		fmt.Fprintf(&defs, "#define FE_%s %s_%s\n", name, fe, name)
	}
	return append(parts, defs.String(), File("curve.cl"))
}

var msmKernelNames = []string{
	"msm_fill", "msm_digits", "msm_scan_block", "msm_scan_add",
	"msm_scatter", "msm_accumulate", "msm_reduce_segments", "msm_sum_pairs", "msm_windows_jac",
	"msm_task_counts", "msm_task_map", "msm_task_accumulate", "msm_task_combine", "msm_task_buckets",
}

// msmKernels are the kernels of one curve group's program.
type msmKernels struct {
	fill, digits, scanBlock, scanAdd, scatter, accumulate, reduce, sumPairs, windowsJac Kernel
	taskCounts, taskMap, taskAccumulate, taskCombine, taskBuckets                       Kernel
}

// msmMaxChunk, when positive, bounds the points of one device pass (tests
// set it to exercise chunking at small sizes).
var msmMaxChunk int

// msmForceLate, when set, stages each request of a batch only once the
// one before is done, as when the two would not fit (tests).
var msmForceLate bool

// msmForceWindow, when positive, replaces the window width that msmWindow
// chooses (tests use it to reach every width at small sizes).
var msmForceWindow int

// msmTaskLen is the most entries one task of the GPU's bucket
// accumulation sums (src/msm.cl): with random scalars a bucket holds about
// 2·n/2^c ≤ 32 entries and is one task; a bucket that many equal scalars
// fill is split. msmForceTaskLen, when positive, sets it and turns the
// tasks on for CPU devices too (tests).
const msmTaskLen = 256

var msmForceTaskLen int

// msmNone is the kernels' MSM_NONE: no bucket.
const msmNone = 0xFFFFFFFF

// msmScanK is the counts each work item of msm_scan_block takes (the
// kernel's MSM_SCAN_K), and msmScanMaxGroup its largest work-group
// (MSM_SCAN_MAXG); msmForceScanGroup, when positive, sets the group (tests:
// small blocks make small MSMs take several levels).
const (
	msmScanK        = 4
	msmScanMaxGroup = 256
)

var msmForceScanGroup int

// msmScanGroup is the work-group size of the counts' scan kernel k: a
// power of two, at most msmScanMaxGroup (or msmForceScanGroup) and what
// the device and k allow (groupFor).
func (d *Device) msmScanGroup(k Kernel) int {
	want := msmScanMaxGroup
	if msmForceScanGroup > 0 {
		want = msmForceScanGroup
	}
	return d.groupFor(k, want)
}

// msmReduceItems is the number of bucket-reduction work items a GPU pass
// aims at (newMSMPlan).
const msmReduceItems = 1 << 15

// msmForceSeglen, when positive, sets the buckets of one reduction work
// item (a power of two; tests).
var msmForceSeglen int

// msmChunkLimit bounds a chunk so that every u32 index of the kernels
// (point index with a sign bit, window·n + i) fits.
const msmChunkLimit = 1 << 26

// EnvMSMWindow names the variable that sets the MSM's window width c, from
// 4 to 20, on GPU runtime devices: a tuning knob (larger windows mean fewer
// bucket additions and more buckets to reduce). Unset, c is about
// log2(n) − 3 within [4, 16].
const EnvMSMWindow = "ZKACCEL_MSM_WINDOW"

// msmWindowEnv returns the width EnvMSMWindow sets (0: unset).
func msmWindowEnv() (int, error) {
	v := os.Getenv(EnvMSMWindow)
	if v == "" {
		return 0, nil
	}
	c, err := strconv.Atoi(v)
	if err != nil || c < 4 || c > 20 {
		return 0, fmt.Errorf("%s=%q: want a window width from 4 to 20", EnvMSMWindow, v)
	}
	return c, nil
}

// EnvMSMPasses names the variable that splits an MSM on a GPU runtime
// device into that many passes (1 to 64), so that each pass's copies to
// the device run while the pass before it computes (on a runtime that
// copies beside its kernels, as CUDA's copy stream does). The passes'
// results are added on the host. Unset or 1, an MSM is one pass unless the
// device's memory needs more: a tuning knob until a GPU has measured the
// gain.
const EnvMSMPasses = "ZKACCEL_MSM_PASSES"

// msmPassesEnv returns EnvMSMPasses (1 when unset), or an error for a bad
// value.
func msmPassesEnv() (int, error) {
	v := os.Getenv(EnvMSMPasses)
	if v == "" {
		return 1, nil
	}
	k, err := strconv.Atoi(v)
	if err != nil || k < 1 || k > 64 {
		return 0, fmt.Errorf("%s=%q: want a number of passes from 1 to 64", EnvMSMPasses, v)
	}
	return k, nil
}

// msmWindow returns the window width for n points: about log2(n) − 3,
// within [4, 16], unless a test or EnvMSMWindow sets it.
func msmWindow(n int) int {
	if msmForceWindow > 0 {
		return msmForceWindow
	}
	if c, err := msmWindowEnv(); err == nil && c > 0 {
		return c
	}
	c := bits.Len(uint(n)) - 3
	return min(max(c, 4), 16)
}

// msmPlan is the shape of one device pass over n points.
type msmPlan struct {
	n, c, nwin, nb, m int // points, window width, windows, buckets per window, buckets
	// rwin is the windows that have buckets of their own: nwin, or 1 where
	// the points' window multiples are precomputed and every window's
	// digits go to one set of buckets (then pstride, the stride between
	// the multiples' windows, is not 0).
	rwin, pstride int
	seglen, nseg  int // bucket segments of the reduction
	// The accumulation in tasks of at most taskLen entries (GPUs; see
	// src/msm.cl): ntasks bounds the tasks, combine is the steps of their
	// tree sum (log2 of the most tasks a bucket can have).
	tasks                    bool
	taskLen, ntasks, combine int
}

// newMSMPlan plans a pass over n points on a GPU, or on a CPU (onHost).
func newMSMPlan(g msmGroup, n int, onHost bool) msmPlan {
	return newMSMPlanPre(g, n, onHost, nil)
}

// newMSMPlanPre is newMSMPlan over the window multiples pre of resident
// points (nil: none), whose window width it takes.
func newMSMPlanPre(g msmGroup, n int, onHost bool, pre *msmPre) msmPlan {
	p := msmPlan{n: n, c: msmWindow(n)}
	if pre != nil {
		p.c = pre.c
	}
	// With signed digits the top window absorbs the last carry when the
	// modulus' bit length leaves it fewer than c bits; otherwise one more.
	p.nwin = g.bits/p.c + 1
	p.nb = 1 << (p.c - 1)
	p.rwin = p.nwin
	if pre != nil {
		p.rwin, p.pstride = 1, pre.stride
	}
	p.m = p.rwin * p.nb
	// A reduction work item adds 2·seglen buckets and multiplies its sum
	// by its offset (up to c doublings); a tree of log2(nseg) launches then
	// sums each window's segments. Shorter segments mean more work items
	// with shorter sequential chains, and more of the multiplications. On
	// a GPU: segments that make about msmReduceItems work items, enough to
	// fill a large GPU (not yet tuned on one). On a CPU, where parallelism
	// beyond the cores buys nothing: seglen ≈ √(nb/2), the least work.
	if onHost {
		p.seglen = 1
		for 2*p.seglen*p.seglen < p.nb || p.seglen < 2*p.c {
			p.seglen *= 2
		}
	} else {
		p.seglen = 4
		for p.seglen*msmReduceItems < p.m {
			p.seglen *= 2
		}
	}
	if msmForceSeglen > 0 {
		p.seglen = msmForceSeglen
	}
	p.tasks = !onHost || msmForceTaskLen > 0
	if p.tasks {
		p.taskLen = msmTaskLen
		if msmForceTaskLen > 0 {
			p.taskLen = msmForceTaskLen
		}
		// A bucket holds at most n entries (one per point) of each window
		// it serves (all of them where they share the buckets), all
		// buckets n·nwin: at most n·nwin/taskLen full tasks and one
		// partial task per bucket.
		p.ntasks = p.n*p.nwin/p.taskLen + p.m
		most := p.n * (p.nwin / p.rwin)
		for maxTasks := (most + p.taskLen - 1) / p.taskLen; 1<<p.combine < maxTasks; {
			p.combine++
		}
	}
	p.seglen = min(p.seglen, p.nb)
	p.nseg = p.nb / p.seglen
	return p
}

// buffers returns the sizes of the device buffers of a pass.
func (p msmPlan) buffers(g msmGroup) []uint64 {
	n, coord := uint64(p.n), uint64(g.coordSize())
	e := n * uint64(p.nwin) * 4
	b := []uint64{
		n * uint64(g.pointSize()), n * uint64(g.fr.ElemSize()), // points, scalars
		e, e, // keys, sorted
		uint64(p.m) * 4, uint64(p.m) * 4, // start, cursor (the scan's block totals, m/2^10 words, come apart)
		uint64(p.m) * 4 * coord, uint64(p.rwin*p.nseg) * 4 * coord, // buckets, segments
		uint64(p.rwin) * 3 * coord, // window sums (Jacobian)
	}
	if p.tasks {
		t := uint64(p.ntasks)
		b = append(b, uint64(p.m)*4, uint64(p.m)*4, t*4, t*4*coord) // tcount, toff, tbucket, partial sums
	}
	return b
}

// fits reports whether a pass fits the device's memory (half of it, leaving
// room for other work) and its largest allocation.
func (p msmPlan) fits(g msmGroup, mem, maxAlloc uint64) bool {
	var total uint64
	for _, b := range p.buffers(g) {
		if maxAlloc > 0 && b > maxAlloc {
			return false
		}
		total += b
	}
	// Every u32 index of the kernels must fit: a point index with the
	// sign in bit 31, a (window, point) entry, a sorted position.
	if uint64(p.n)*uint64(p.nwin) >= 1<<31 {
		return false
	}
	return mem == 0 || total <= mem/2
}

// msmChunkSize returns the points per device pass for n points in at
// least passes passes (more where the device's memory needs them), 0
// where not even a pass of one point fits.
func (d *Device) msmChunkSize(g msmGroup, n, passes int) int {
	chunk := min(n, msmChunkLimit, (n+passes-1)/passes)
	if msmMaxChunk > 0 {
		chunk = min(chunk, msmMaxChunk)
	}
	fit := func(mem uint64) bool {
		fits := func() bool { return newMSMPlan(g, chunk, d.OnHost()).fits(g, mem, d.rt.MaxAlloc()) }
		for chunk > 1 && !fits() {
			chunk = (chunk + 1) / 2
		}
		return fits()
	}
	ok := fit(d.room())
	if ok && chunk < n {
		// Two passes are on the device at once (one computes while the
		// next one's data arrive): each takes half of what one could.
		ok = fit(d.room() / 2)
	}
	if !ok {
		return 0
	}
	// Balance the chunks.
	nchunks := (n + chunk - 1) / chunk
	return (n + nchunks - 1) / nchunks
}

// msm computes Σ scalars[i]·points[i] with Pippenger's bucket method, every
// phase on the device (see src/msm.cl): G1 and G2 of BN254, BLS12-381 and
// BLS12-377, points and scalars read as the request holds them (affine,
// Montgomery form; scalars are converted on the device), the result written
// as one Jacobian point, the point at infinity as (0, 0, 0) as gnark-crypto's
// MultiExp writes it. Inputs larger than the device's memory (or its largest
// allocation), or split by EnvMSMPasses, run as several passes whose
// results are added on the host with gnark-crypto; each pass's data go to
// the device while the pass before it computes. req.NbTasks is not used:
// the host does no parallel work.
// An unknown curve or group is ErrUnsupported; a malformed request an error;
// neither writes req.Result.
func (d *Device) msm(req *zkaccel.MSMRequest) error {
	return d.msmBatch([]*zkaccel.MSMRequest{req})
}

// msmBatch runs reqs as msm runs one, in order, as one pipeline of passes:
// each pass's data (the first pass of the next request's too) go to the
// device while the pass before it computes. Every request is checked
// first: an unsupported or malformed one fails the batch before any work.
// Each Result is written when its request is done.
func (d *Device) msmBatch(reqs []*zkaccel.MSMRequest) error {
	calls, err := d.msmCalls(reqs, nil)
	if err != nil {
		return err
	}
	return d.msmRun(calls, nil)
}

// msmCalls checks reqs (see msmCheck) and returns their calls. Where
// from is not nil, each request with from[i] ≥ 0 takes its scalars from
// the device, from that element of a buffer its call's dscal must name
// before msmRun.
func (d *Device) msmCalls(reqs []*zkaccel.MSMRequest, from []int) ([]*msmCall, error) {
	if len(reqs) == 0 {
		return nil, d.errorf("msm batch", fmt.Errorf("%w: no request", errBadRequest))
	}
	calls := make([]*msmCall, len(reqs))
	for i, req := range reqs {
		dev := from != nil && from[i] >= 0
		c, err := d.msmCheck(req, dev)
		if err != nil {
			if len(reqs) > 1 {
				err = fmt.Errorf("request %d of %d: %w", i, len(reqs), err)
			}
			return nil, err
		}
		if dev {
			c.doff = from[i]
		}
		calls[i] = c
	}
	return calls, nil
}

// msmRun runs checked calls as msmBatch describes. A call with device
// scalars must have its buffer (dscal) set. during, when not nil, runs
// once the first pass's kernels (and the next pass's data) are queued,
// before its result is awaited: host work, such as reads of other
// buffers, that the device's computation may hide.
func (d *Device) msmRun(calls []*msmCall, during func() error) error {
	for _, c := range calls {
		if c.devScalars && c.dscal == nil {
			return d.errorf(c.g.op(), errors.New("internal error: the scalars on the device have no buffer"))
		}
	}
	// The passes of every call, in order.
	type pass struct {
		c  *msmCall
		lo int
	}
	var passes []pass
	for _, c := range calls {
		for lo := 0; lo < c.req.N; lo += c.chunk {
			passes = append(passes, pass{c, lo})
		}
	}
	part := []byte(nil)
	next, err := passes[0].c.stage(d, passes[0].lo, false)
	if err != nil {
		return d.errorf(passes[0].c.g.op(), err)
	}
	for i, ps := range passes {
		c, cur := ps.c, next
		next = nil
		err := d.msmLaunch(c.k, c.g, cur)
		// The next pass is staged while this one computes, unless it is
		// another request's and the two would not fit in half the
		// device's memory (a request's own passes are sized for it):
		// then once this one is done.
		late := false
		if i+1 < len(passes) {
			nx := passes[i+1]
			mem := d.room()
			late = nx.c != c && (msmForceLate || mem > 0 && c.passBytes(d, ps.lo)+nx.c.passBytes(d, nx.lo) > mem/2)
			if err == nil && !late {
				next, err = nx.c.stage(d, nx.lo, true)
			}
		}
		dst := c.acc
		if ps.lo != 0 {
			part = make([]byte, c.g.resultSize())
			dst = part
		}
		if err == nil && i == 0 && during != nil {
			err = during()
		}
		if err == nil {
			err = d.msmResult(c.g, cur, dst, next == nil)
		}
		if err != nil {
			_ = d.rt.Finish() // let the launched kernels end before the buffers are freed
			cur.s.free()
			if next != nil {
				next.s.free()
			}
			return d.errorf(c.g.op(), err)
		}
		cur.s.free()
		if ps.lo != 0 {
			c.g.addJac(c.acc, part)
		}
		if ps.lo+c.chunk >= c.req.N { // the call's last pass
			rawbytes.ClearInfinity(c.acc)
			copy(c.req.Result, c.acc)
		}
		if late {
			nx := passes[i+1]
			if next, err = nx.c.stage(d, nx.lo, false); err != nil {
				return d.errorf(nx.c.g.op(), err)
			}
		}
	}
	return nil
}

// fusedFits returns an error wrapping zkaccel.ErrUnsupported where a
// quotient that holds held bytes of device memory, and beside it the MSMs
// of calls two passes at a time (the one computing, the next staged),
// would exceed half of the device's memory left (the other half for what
// these counts leave out: the quotient's and the passes' smaller buffers,
// constants, the driver's own): the caller then sends the quotient and
// the MSMs as two calls, the quotient's memory freed between them.
func (d *Device) fusedFits(op string, held uint64, calls []*msmCall) error {
	mem := d.room()
	if mem == 0 {
		return nil
	}
	var most uint64
	for _, c := range calls {
		most = max(most, c.passBytes(d, 0))
	}
	if need := held + 2*most; need > mem/2 {
		return d.unsupported(op, "the quotient's %s and two MSM passes of %s each exceed half of the device's memory left (%s)", bytesStr(held), bytesStr(most), bytesStr(mem))
	}
	return nil
}

// passBytes is the device memory that c's pass from point lo allocates.
func (c *msmCall) passBytes(d *Device, lo int) uint64 {
	var total uint64
	for i, b := range c.plan(d, min(lo+c.chunk, c.req.N)-lo).buffers(c.g) {
		if i == 0 && c.res != nil || i == 1 && c.devScalars {
			continue // resident points, or scalars already on the device
		}
		total += b
	}
	return total
}

// msmCall is one checked MSM request with what its passes need.
type msmCall struct {
	req   *zkaccel.MSMRequest
	g     msmGroup
	k     msmKernels
	res   *residentPoints // nil: the points come from the host
	chunk int             // points per pass
	acc   []byte          // the sum of its passes so far
	// devScalars says that the scalars are in the device's memory, in
	// dscal from element doff on (req.Scalars is empty): a Groth16
	// quotient's H, or a shard of a PLONK quotient's.
	devScalars bool
	dscal      Buffer
	doff       int
	// pre says that the MSM sums the resident points' window multiples
	// (res.pre), with one set of buckets for every window.
	pre bool
}

// msmCheck checks req and resolves its program, kernels, resident points
// and passes (see msm). With devScalars its scalars are on the device
// (msmCall.devScalars) and req.Scalars must be empty.
func (d *Device) msmCheck(req *zkaccel.MSMRequest, devScalars bool) (*msmCall, error) {
	if req == nil {
		return nil, d.errorf("msm", fmt.Errorf("%w: nil request", errBadRequest))
	}
	g, ok := msmGroupOf(req.Curve, req.Group)
	if !ok {
		return nil, d.unsupported(fmt.Sprintf("msm %s %s", req.Curve, req.Group), "unknown curve or group")
	}
	op := g.op()
	bad := func(format string, args ...any) error {
		return d.errorf(op, fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...)))
	}
	ps, ss := g.pointSize(), g.fr.ElemSize()
	var res *residentPoints
	if req.Resident != nil {
		var err error
		if res, err = d.residentOf(req, g); err != nil {
			return nil, d.errorf(op, err)
		}
	}
	switch {
	case req.N < 1:
		return nil, bad("N = %d, want ≥ 1", req.N)
	case res == nil && (req.N > len(req.Points)/ps || len(req.Points) != req.N*ps):
		return nil, bad("points: %d bytes, want %d × %d", len(req.Points), req.N, ps)
	case res != nil && len(req.Points) != 0:
		return nil, bad("points: %d bytes beside resident points", len(req.Points))
	case devScalars && len(req.Scalars) != 0:
		return nil, bad("scalars: %d bytes, want none (they are on the device)", len(req.Scalars))
	case !devScalars && len(req.Scalars) != req.N*ss:
		return nil, bad("scalars: %d bytes, want %d × %d", len(req.Scalars), req.N, ss)
	case len(req.Result) != g.resultSize():
		return nil, bad("result: %d bytes, want %d (one Jacobian point)", len(req.Result), g.resultSize())
	}
	if _, err := msmWindowEnv(); err != nil {
		return nil, d.errorf(op, err)
	}
	passes, err := msmPassesEnv()
	if err != nil {
		return nil, d.errorf(op, err)
	}
	prog, err := d.program(msmProgramKey(g))
	if err != nil {
		return nil, d.errorf(op, err)
	}
	ks, err := kernels(prog, msmKernelNames...)
	if err != nil {
		return nil, d.errorf(op, err)
	}
	k := msmKernels{ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7], ks[8], ks[9], ks[10], ks[11], ks[12], ks[13]}
	pre := res != nil && res.pre.nwin > 0 && msmPreBetter(g, req.N, res.pre)
	chunk := d.msmChunkSize(g, req.N, passes)
	if chunk == 0 {
		// The passes shrink to fit the device's memory, down to one point:
		// a device too small for even that declines.
		return nil, d.unsupported(op, "not even a pass of one point fits the device's memory left (%s)", bytesStr(d.room()))
	}
	return &msmCall{req: req, g: g, k: k, res: res, chunk: chunk, acc: make([]byte, g.resultSize()), devScalars: devScalars, pre: pre}, nil
}

// stage allocates the buffers of c's pass from point lo and writes its
// data (see msmStage).
func (c *msmCall) stage(d *Device, lo int, early bool) (*msmStaged, error) {
	req, g := c.req, c.g
	ps, ss := g.pointSize(), g.fr.ElemSize()
	hi := min(lo+c.chunk, req.N)
	pts := passPoints{host: req.Points[min(lo*ps, len(req.Points)):min(hi*ps, len(req.Points))]}
	if c.res != nil {
		pts = passPoints{resident: c.res.buf, offset: req.ResidentOffset + lo}
	}
	sc := passScalars{host: req.Scalars[min(lo*ss, len(req.Scalars)):min(hi*ss, len(req.Scalars))]}
	if c.devScalars {
		sc = passScalars{device: c.dscal, offset: c.doff + lo}
	}
	return d.msmStage(g, c.plan(d, hi-lo), pts, sc, early)
}

// plan is the plan of one of c's passes, over n points.
func (c *msmCall) plan(d *Device, n int) msmPlan {
	if c.pre {
		return newMSMPlanPre(c.g, n, d.OnHost(), &c.res.pre)
	}
	return newMSMPlan(c.g, n, d.OnHost())
}

// passScalars are the scalars of one pass: host bytes to upload, or a
// range of a device buffer from element offset on.
type passScalars struct {
	host   []byte
	device Buffer
	offset int
}

// passPoints are the points of one pass: host bytes to upload, or a range
// of a resident buffer from offset on.
type passPoints struct {
	host     []byte
	resident Buffer
	offset   int
}

// msmStaged is one device pass over n points whose buffers are
// allocated (in s) and whose scalars, and with early its points, are on
// their way to the device.
type msmStaged struct {
	p      msmPlan
	s      *scratch
	bufs   []Buffer
	points passPoints
	soff   int  // the first scalar's index in bufs[1]
	early  bool // the points were written by msmStage
}

// msmStage allocates a pass's buffers and writes its scalars, and with
// early its points (else msmLaunch writes them once the sorting kernels
// are queued, so that the host's part of the copy overlaps them).
func (d *Device) msmStage(g msmGroup, p msmPlan, points passPoints, scalars passScalars, early bool) (*msmStaged, error) {
	st := &msmStaged{p: p, s: d.scratch(), points: points, soff: scalars.offset, early: early && points.resident == nil}
	sizes := st.p.buffers(g)
	st.bufs = make([]Buffer, len(sizes))
	var err error
	for i, size := range sizes {
		switch {
		case i == 0 && points.resident != nil:
			st.bufs[i] = points.resident
		case i == 0 && st.early:
			st.bufs[i], err = st.s.upload(points.host)
		case i == 1 && scalars.device != nil:
			st.bufs[i] = scalars.device
		case i == 1:
			st.bufs[i], err = st.s.upload(scalars.host)
		default:
			st.bufs[i], err = st.s.alloc(int(size))
		}
		if err != nil {
			st.s.free()
			return nil, err
		}
	}
	return st, nil
}

// msmLaunch queues the kernels of a staged pass.
func (d *Device) msmLaunch(k msmKernels, g msmGroup, st *msmStaged) error {
	p, s, bufs, points := st.p, st.s, st.bufs, st.points
	pts, sc, keys, sorted, start, cursor, buckets, segs, wins := bufs[0], bufs[1], bufs[2], bufs[3], bufs[4], bufs[5], bufs[6], bufs[7], bufs[8]
	u := func(v int) uint32 { return uint32(v) }
	entries := p.n * p.nwin
	kstride := p.nb // the key of window w's bucket j is w·kstride + j
	if p.pstride != 0 {
		kstride = 0 // window multiples: one set of buckets
	}
	if d.msmBlock > 0 {
		// A tuning knob's block is launched as set or not at all: a
		// smaller one would time another setting than the one asked for.
		kb := k.accumulate
		if p.tasks {
			kb = k.taskAccumulate
		}
		if m := kb.MaxGroupSize(); m > 0 && d.msmBlock > m {
			return fmt.Errorf("%s=%d: %s runs blocks of at most %d threads on %s", EnvMSMBlock, d.msmBlock, kb.Name(), m, d.rt)
		}
	}
	type launch struct {
		k             Kernel
		global, local int
		args          []any
	}
	launches := []launch{
		{k.fill, p.m, 0, []any{start, u(p.m), u(0)}},
		{k.digits, p.n, 0, []any{sc, u(st.soff), u(p.n), u(p.c), u(p.nwin), u(kstride), keys, start}},
	}
	// The counts' exclusive prefix sum, a work-group scan over blocks of
	// group·msmScanK counts, their totals scanned the same way, level by
	// level; the top level's last step also fills the scatter's cursor.
	group := d.msmScanGroup(k.scanBlock)
	blk := group * msmScanK
	var scan func(a, cur Buffer, m int, top bool) error
	scan = func(a, cur Buffer, m int, top bool) error {
		nb := (m + blk - 1) / blk
		totals, err := s.alloc(4 * nb)
		if err != nil {
			return err
		}
		launches = append(launches, launch{k.scanBlock, nb * group, group, []any{a, u(m), totals}})
		if nb == 1 && !top {
			return nil // one block: already the whole prefix sum
		}
		if err := scan(totals, totals, nb, false); err != nil {
			return err
		}
		launches = append(launches, launch{k.scanAdd, m, 0, []any{a, cur, u(m), u(blk), totals}})
		return nil
	}
	if err := scan(start, cursor, p.m, true); err != nil {
		return err
	}
	launches = append(launches, launch{k.scatter, entries, 0, []any{keys, u(p.n), u(entries), u(p.pstride), cursor, sorted}})
	if !p.tasks {
		launches = append(launches, launch{k.accumulate, p.m, d.msmBlock, []any{pts, u(points.offset), start, cursor, sorted, u(p.m), buckets}})
	} else {
		tcount, toff, tbucket, partial := bufs[9], bufs[10], bufs[11], bufs[12]
		T := u(p.taskLen)
		launches = append(launches,
			launch{k.taskCounts, p.m, 0, []any{start, cursor, u(p.m), T, tcount}},
			launch{k.taskCounts, p.m, 0, []any{start, cursor, u(p.m), T, toff}},
		)
		if err := scan(toff, toff, p.m, true); err != nil {
			return err
		}
		launches = append(launches,
			launch{k.fill, p.ntasks, 0, []any{tbucket, u(p.ntasks), u(msmNone)}},
			launch{k.taskMap, p.m, 0, []any{toff, tcount, u(p.m), tbucket}},
			launch{k.taskAccumulate, p.ntasks, d.msmBlock, []any{pts, u(points.offset), start, cursor, sorted, tbucket, toff, u(p.ntasks), T, partial}},
		)
		for st := range p.combine {
			launches = append(launches, launch{k.taskCombine, p.ntasks, 0, []any{partial, tbucket, toff, tcount, u(p.ntasks), u(st)}})
		}
		launches = append(launches, launch{k.taskBuckets, p.m, 0, []any{partial, toff, tcount, u(p.m), buckets}})
	}
	launches = append(launches, launch{k.reduce, p.rwin * p.nseg, 0, []any{buckets, u(p.rwin), u(p.nb), u(p.seglen), u(p.nseg), segs}})
	for half := p.nseg / 2; half >= 1; half /= 2 {
		launches = append(launches, launch{k.sumPairs, p.rwin * half, 0, []any{segs, u(p.rwin), u(p.nseg), u(half)}})
	}
	launches = append(launches, launch{k.windowsJac, p.rwin, 0, []any{segs, u(p.rwin), u(p.nseg), wins}})
	for _, l := range launches {
		if (l.k == k.accumulate || l.k == k.taskAccumulate) && points.resident == nil && !st.early {
			// The scalars' sorting needs no point: it runs on the device
			// while the host stages the points.
			if err := d.rt.Write(pts, 0, points.host); err != nil {
				return err
			}
		}
		if err := d.rt.Launch(l.k, l.global, l.local, l.args...); err != nil {
			return fmt.Errorf("%s: %w", l.k.Name(), err)
		}
	}
	return nil
}

// msmResult reads a launched pass's window sums and writes its Jacobian
// result to out; with last, it first waits for everything issued (no pass
// follows), so that an asynchronous error is this call's.
func (d *Device) msmResult(g msmGroup, st *msmStaged, out []byte, last bool) error {
	p := st.p
	ws := make([]byte, p.rwin*3*g.coordSize())
	if err := d.rt.Read(ws, st.bufs[8], 0); err != nil {
		return err
	}
	if last {
		if err := d.rt.Finish(); err != nil {
			return err
		}
	}
	g.horner(out, ws, p.rwin, p.c)
	return nil
}
