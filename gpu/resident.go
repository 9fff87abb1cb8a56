package gpu

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zkaccel/zkaccel"
)

// residentPoints are MSM points kept in the device's memory (see
// zkaccel.ResidentMSMDevice): one buffer, owned by the caller until Free.
type residentPoints struct {
	d     *Device
	g     msmGroup
	n     int
	buf   Buffer
	freed freeOnce
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
func (r *residentPoints) Free() {
	if !r.freed.free() {
		return
	}
	// An MSM that checked the points before they were marked freed holds
	// the device's lock while it uses them: free after it.
	r.d.mu.Lock()
	defer r.d.mu.Unlock()
	r.d.rt.Free(r.buf)
	r.d.resident.Add(-int64(r.buf.Size()))
}

// ResidentBytes is the device memory held by resident MSM points (loaded
// by LoadPoints) and PLONK polynomials (LoadPlonkFixed), not yet freed.
func (d *Device) ResidentBytes() uint64 { return uint64(max(d.resident.Load(), 0)) }

// errFreed marks resident points used after Free.
var errFreed = errors.New("the resident points were freed")

// LoadPoints copies n affine points of a curve group into the device's
// memory for many MSMs (zkaccel.ResidentMSMDevice). A curve or group the
// device does not run is zkaccel.ErrUnsupported; a size the device cannot
// hold is an error.
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
	d.mu.Lock()
	defer d.mu.Unlock()
	buf, err := d.uploadPersistent(points)
	if err != nil {
		return nil, d.errorf(op, err)
	}
	d.resident.Add(int64(buf.Size()))
	return &residentPoints{d: d, g: g, n: n, buf: buf}, nil
}

// residentOf checks req's resident points: this device's, not freed, of
// req's curve and group, holding the range the request uses. The caller
// holds d.mu.
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
	return r, nil
}

var _ zkaccel.ResidentMSMDevice = (*Device)(nil)
