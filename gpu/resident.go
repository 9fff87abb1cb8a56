package gpu

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/envflag"
)

// residentPoints are MSM points kept in the device's memory (see
// zkaccel.ResidentMSMDevice): one buffer, owned by the caller until Free.
// They keep the caller's host points too (a reference, not a copy), to
// load them again where a device reset lost the buffer.
type residentPoints struct {
	d     *Device
	g     msmGroup
	n     int
	host  []byte // the points LoadPoints was given
	buf   Buffer
	pre   msmPre // the window multiples that buf holds after the points (nwin 0: none)
	epoch int64  // d.resets when buf was loaded
	freed freeOnce
}

// msmPre describes resident points' window multiples: buf holds nwin
// windows of stride points each, point w·stride + i being 2^(c·w)·P_i
// (src/msmpre.cl), window 0 the points themselves.
type msmPre struct {
	c, nwin, stride int
}

// freeOnce records that a resident object (points, polynomials) was freed,
// so that it frees its memory once and requests that name it afterwards
// fail.
type freeOnce struct {
	mu   sync.Mutex
	done bool
}

// free marks it freed and reports whether this call did (false: it was
// already).
func (f *freeOnce) free() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := !f.done
	f.done = true
	return first
}

// is reports whether it was freed.
func (f *freeOnce) is() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.done
}

func (r *residentPoints) Device() zkaccel.Device { return r.d }
func (r *residentPoints) Curve() zkaccel.Curve   { return r.g.curve }
func (r *residentPoints) Group() zkaccel.Group   { return r.g.group }
func (r *residentPoints) Len() int               { return r.n }

// Free releases the points' device memory; freeing twice does nothing.
// After a reset, the buffer is a lost one, whose Free does nothing.
func (r *residentPoints) Free() {
	r.d.releaseHeld(&r.freed, func() (int64, []Buffer) { // reload replaces buf under the lock
		r.host = nil
		return int64(r.buf.Size()), []Buffer{r.buf}
	})
}

// release frees bufs (nil ones skipped) and takes size off the resident
// count, once: where f was already marked freed it does nothing. A call
// that checked them before they were marked holds the device's lock while
// it uses them: release frees after it.
func (d *Device) release(f *freeOnce, size int64, bufs ...Buffer) {
	d.releaseHeld(f, func() (int64, []Buffer) { return size, bufs })
}

// releaseHeld is release of what held returns, called under the device's
// lock: for resident data that a reload after a device reset replaces
// under it.
func (d *Device) releaseHeld(f *freeOnce, held func() (size int64, bufs []Buffer)) {
	if !f.free() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	size, bufs := held()
	for _, b := range bufs {
		if b != nil {
			d.rt.Free(b)
		}
	}
	d.resident.Add(-size)
}

// ResidentBytes is the device memory held by resident MSM points (loaded
// by LoadPoints), PLONK polynomials (LoadPlonkFixed) and the values a
// ratio kept (zkaccel.PlonkRatioRequest.Keep), not yet freed.
func (d *Device) ResidentBytes() uint64 { return uint64(max(d.resident.Load(), 0)) }

// errFreed marks resident points used after Free.
var errFreed = errors.New("the resident points were freed")

// residentShare bounds what LoadPoints keeps: the device's resident data
// (ResidentBytes) and the new points hold at most 1/residentShare of its
// memory, so that the work that reads them (an MSM's passes, a prover's
// quotient) keeps room.
const residentShare = 2

// LoadPoints copies n affine points of a curve group into the device's
// memory for many MSMs (zkaccel.ResidentMSMDevice), and where
// EnvMSMPrecompute allows computes their window multiples there, once, for
// the MSMs to use. A curve or group the device does not run is
// zkaccel.ErrUnsupported, and so are points that would take the resident
// data past half of the device's memory, or that the device has no room
// for (ErrOutOfMemory): the caller keeps them in host memory, and MSMs
// over them copy them to the device on each call. The device keeps a
// reference to points, which must not change until Free: where a device
// reset (ErrDeviceReset) loses the buffer, the next MSM over them loads
// them again.
func (d *Device) LoadPoints(c zkaccel.Curve, grp zkaccel.Group, points []byte, n int) (zkaccel.ResidentPoints, error) {
	g, ok := msmGroupOf(c, grp)
	if !ok {
		return nil, d.unsupported(fmt.Sprintf("load points %s %s", c, grp), "unknown curve or group")
	}
	op := "load points " + g.op()[len("msm "):]
	switch {
	case n < 1 || n >= 1<<31:
		return nil, d.errorf(op, fmt.Errorf("%w: n = %d, want 1 … 2^31−1", errBadRequest, n))
	case len(points) != n*g.pointSize():
		return nil, d.errorf(op, fmt.Errorf("%w: points: %d bytes, want %d × %d", errBadRequest, len(points), n, g.pointSize()))
	}
	d.lock()
	defer d.mu.Unlock()
	if mem, held := d.rt.Memory(), d.ResidentBytes(); mem > 0 && held+uint64(len(points)) > mem/residentShare {
		return nil, d.unsupported(op, "%s of points beside %s resident would exceed half of the device's memory (%s)",
			bytesStr(uint64(len(points))), bytesStr(held), bytesStr(mem))
	}
	res, err := d.loadPoints(g, points, n)
	switch {
	case errors.Is(err, ErrOutOfMemory):
		return nil, fmt.Errorf("zkaccel/%s: %s: no room for %s of points: %w: %w", d.rt.Kind(), op, bytesStr(uint64(len(points))), err, zkaccel.ErrUnsupported)
	case err != nil:
		return nil, d.forgetIfReset(d.errorf(op, err))
	}
	return res, nil
}

// loadPoints is LoadPoints once checked, under the device's lock.
func (d *Device) loadPoints(g msmGroup, points []byte, n int) (*residentPoints, error) {
	pre, err := d.msmPreShape(g, n)
	if err != nil {
		return nil, err
	}
	var buf Buffer
	if pre.nwin != 0 {
		// The points, then room for their window multiples.
		buf, err = d.rt.Alloc(pre.nwin * len(points))
		switch {
		case err == nil:
			if err = d.msmPrecompute(g, buf, points, pre); err != nil {
				d.rt.Free(buf)
				return nil, err
			}
		case errors.Is(err, ErrOutOfMemory):
			pre = msmPre{} // no room for the window multiples: the points alone
		default:
			return nil, err
		}
	}
	if pre.nwin == 0 {
		if buf, err = d.uploadPersistent(points); err != nil {
			return nil, err
		}
	}
	d.resident.Add(int64(buf.Size()))
	return &residentPoints{d: d, g: g, n: n, host: points, buf: buf, pre: pre, epoch: d.resets.Load()}, nil
}

// reload loads r's points again, from the host points LoadPoints was
// given, where a device reset since they were loaded lost their buffer
// (with every buffer of the runtime's context). The caller holds d.mu.
func (d *Device) reload(r *residentPoints) error {
	if r.epoch == d.resets.Load() {
		return nil
	}
	fresh, err := d.loadPoints(r.g, r.host, r.n)
	if err != nil {
		return fmt.Errorf("loading the resident points again after a device reset: %w", err)
	}
	d.resident.Add(-int64(r.buf.Size())) // the lost buffer's share
	r.buf, r.pre, r.epoch = fresh.buf, fresh.pre, fresh.epoch
	return nil
}

// EnvMSMPrecompute names the variable that turns on ("1") or off ("0")
// the window multiples of resident MSM points (src/msmpre.cl): with them,
// LoadPoints keeps 2^(c·w)·P for every window w as well as each point P,
// and an MSM over them sums every window's digits into one set of buckets,
// with one bucket reduction instead of one per window and a wider window.
// At 2^20 points, c = 20 and 13 windows (13 times the points' memory,
// computed once on the device) against c = 16 and 16 windows: 13.6 M
// additions and one reduction of 2^19 buckets, against 16.8 M and 16 of
// 2^15. Unset: on for GPUs, off for OpenCL CPU devices (POCL), where the
// one-time computation takes long. Both give the same results.
const EnvMSMPrecompute = "ZKACCEL_MSM_PRECOMPUTE"

// msmPreShape returns the window multiples that LoadPoints keeps for n
// points of g (nwin 0: none): the variable's choice, where they fit a
// quarter of the device's memory beside what is resident and its largest
// buffer, and the kernels' 32-bit indices.
func (d *Device) msmPreShape(g msmGroup, n int) (msmPre, error) {
	on, err := envflag.Switch(EnvMSMPrecompute, !d.OnHost())
	if err != nil {
		return msmPre{}, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	c := min(max(bits.Len(uint(n))-1, 4), 20)
	pre := msmPre{c: c, nwin: g.bits/c + 1, stride: n}
	size := uint64(pre.nwin) * uint64(n) * uint64(g.pointSize())
	mem, maxAlloc := d.rt.Memory(), d.rt.MaxAlloc()
	switch {
	case !on,
		uint64(pre.nwin)*uint64(n) >= 1<<30,
		mem > 0 && d.ResidentBytes()+size > mem/4,
		maxAlloc > 0 && size > maxAlloc:
		return msmPre{}, nil
	}
	return pre, nil
}

// msmPrecompute writes points to buf and fills the rest of buf with their
// window multiples pre (msm_precompute), waiting for the kernel.
func (d *Device) msmPrecompute(g msmGroup, buf Buffer, points []byte, pre msmPre) error {
	prog, err := d.program(msmPreProgramKey(g))
	if err != nil {
		return err
	}
	k, err := prog.Kernel("msm_precompute")
	if err != nil {
		return err
	}
	if err := d.rt.Write(buf, 0, points); err != nil {
		return err
	}
	if err := d.rt.Launch(k, pre.stride, 0, buf, uint32(pre.stride), uint32(pre.c), uint32(pre.nwin)); err != nil {
		return fmt.Errorf("%s: %w", k.Name(), err)
	}
	return d.rt.Finish()
}

// msmPreBetter reports whether an MSM of n points of g makes fewer
// additions over the window multiples pre (one set of buckets) than over
// the points (a set per window), a bucket counting as two additions of
// the reduction.
func msmPreBetter(g msmGroup, n int, pre msmPre) bool {
	cost := func(p msmPlan) int { return p.n*p.nwin + 2*p.m }
	return cost(newMSMPlanPre(g, n, false, &pre)) < cost(newMSMPlan(g, n, false))
}

// residentOf checks req's resident points: this device's, not freed, of
// req's curve and group, holding the range the request uses; where a
// device reset lost them since they were loaded, it loads them again
// (reload). The caller holds d.mu.
func (d *Device) residentOf(req *zkaccel.MSMRequest, g msmGroup) (*residentPoints, error) {
	r, ok := req.Resident.(*residentPoints)
	switch {
	case !ok || r == nil:
		return nil, fmt.Errorf("%w: resident points %T are not a GPU device's", errBadRequest, req.Resident)
	case r.d != d:
		return nil, fmt.Errorf("%w: the resident points belong to %v", errBadRequest, r.d)
	case r.g.curve != g.curve || r.g.group != g.group:
		return nil, fmt.Errorf("%w: resident points of %s %s for an MSM in %s %s", errBadRequest, r.g.curve, r.g.group, g.curve, g.group)
	case req.ResidentOffset < 0 || req.N < 0 || req.ResidentOffset > r.n || req.N > r.n-req.ResidentOffset:
		return nil, fmt.Errorf("%w: points %d … %d of %d resident", errBadRequest, req.ResidentOffset, req.ResidentOffset+req.N-1, r.n)
	}
	if r.freed.is() {
		return nil, errFreed
	}
	if err := d.reload(r); err != nil {
		return nil, err
	}
	return r, nil
}

var _ zkaccel.ResidentMSMDevice = (*Device)(nil)
