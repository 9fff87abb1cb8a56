package gpu

import (
	"bytes"
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// A PLONK circuit's fixed polynomials (zkaccel.PlonkFixed and the Qcpᵢ)
// are the same in every proof. LoadPlonkFixed evaluates them once on the
// quotient's cosets and keeps the evaluations, so that each proof's
// quotient (plonkRun) reads them instead of copying and transforming
// them: of a proof's 4·(12 + 2k) small transforms, 4·(7 + k) go.

// plonkFixedShare bounds the device memory resident fixed polynomials may
// take: a quarter of the device's.
const plonkFixedShare = 4

// residentPolys are fixed polynomials kept on the device: evals[i][s] is
// the polynomial in slot s (the order of zkaccel.PlonkFixed, then the
// Qcpᵢ) on coset i, in the bit-reversed order of a DIF transform; sigma,
// where loaded (zkaccel.PlonkFixedRequest.Sigma), σ's values on ⟨ω⟩ for
// the ratio (plonk_ratio.go).
type residentPolys struct {
	d         *Device
	field     zkaccel.Field
	n, rho    int
	generator []byte
	shifts    [][]byte
	evals     [][]Buffer
	sigma     [3]Buffer // nil: not loaded
	// coeffs, where loaded (zkaccel.PlonkFixedRequest.Coefficients), holds
	// the polynomials' coefficients by their quotient request's index
	// (and Qk's, where given), for the openings (plonk_open.go).
	coeffs map[int]Buffer
	size   int64
	// req and f load them again (reloadPolys) where a device reset lost
	// them: req is LoadPlonkFixed's request, whose polynomials it refers
	// to; epoch is d.resets when they were loaded.
	req   zkaccel.PlonkFixedRequest
	f     FieldInfo
	epoch int64
	freed freeOnce
}

func (r *residentPolys) Device() zkaccel.Device { return r.d }
func (r *residentPolys) Len() int               { return len(r.evals[0]) }

// slot returns the slot of the quotient request's polynomial index i (a
// fixed one).
func (r *residentPolys) slot(i int) int {
	if i >= zkaccel.PlonkNbPolys {
		return len(zkaccel.PlonkFixed) + (i-zkaccel.PlonkNbPolys)/2
	}
	for s, f := range zkaccel.PlonkFixed {
		if f == i {
			return s
		}
	}
	return -1
}

// fixedIndex returns the quotient request's index of the fixed
// polynomial in slot s (the inverse of slot).
func fixedIndex(s int) int {
	if s < len(zkaccel.PlonkFixed) {
		return zkaccel.PlonkFixed[s]
	}
	return zkaccel.PlonkNbPolys + 2*(s-len(zkaccel.PlonkFixed))
}

// Free releases the polynomials' device memory; freeing twice does
// nothing.
// After a reset, the buffers are lost ones, whose Free does nothing.
func (r *residentPolys) Free() {
	r.d.releaseHeld(&r.freed, func() (int64, []Buffer) { // reloadPolys replaces the buffers under the lock
		bufs := append([]Buffer(nil), r.sigma[:]...)
		for _, b := range r.coeffs {
			bufs = append(bufs, b)
		}
		for _, row := range r.evals {
			bufs = append(bufs, row...)
		}
		r.req = zkaccel.PlonkFixedRequest{}
		return r.size, bufs
	})
}

// reloadPolys loads r again, from the request LoadPlonkFixed was given,
// where a device reset since it was loaded lost its buffers (with every
// buffer of the runtime's context). The caller holds d.mu.
func (d *Device) reloadPolys(r *residentPolys) error {
	if r.epoch == d.resets.Load() {
		return nil
	}
	fresh, err := d.loadPlonkFixed(&r.req, r.f)
	if err != nil {
		return fmt.Errorf("loading the fixed polynomials again after a device reset: %w", err)
	}
	d.resident.Add(-r.size) // the lost buffers' share
	r.evals, r.sigma, r.coeffs, r.size, r.epoch = fresh.evals, fresh.sigma, fresh.coeffs, fresh.size, fresh.epoch
	return nil
}

// LoadPlonkFixed evaluates a PLONK circuit's fixed polynomials on the
// cosets of its quotient and keeps them in the device's memory
// (zkaccel.ResidentPlonkDevice), with σ's values where the request gives
// them, for the ratio. Where they would take more than a quarter of the
// device's memory it returns zkaccel.ErrUnsupported, and the quotient
// copies them with each proof as it does without.
func (d *Device) LoadPlonkFixed(req *zkaccel.PlonkFixedRequest) (zkaccel.ResidentPolys, error) {
	if req == nil {
		return nil, d.errorf("load plonk fixed", (*zkaccel.PlonkFixedRequest)(nil).Check())
	}
	op := "load plonk fixed " + string(req.Field)
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return nil, err
	}
	es, n := f.ElemSize(), req.N
	size := uint64(len(req.Polys)) * uint64(req.Rho) * uint64(n) * uint64(es)
	if req.HasSigma() {
		size += 3 * uint64(n) * uint64(es)
	}
	if req.Coefficients {
		size += uint64(len(req.Polys)) * uint64(n) * uint64(es)
		size += uint64(len(req.Qk))
	}
	if mem := d.rt.Memory(); mem > 0 && size > mem/plonkFixedShare {
		return nil, d.unsupported(op, "n = %d: %s of evaluations exceed a quarter of the device's memory (%s)", n, bytesStr(size), bytesStr(mem))
	}
	d.lock()
	defer d.mu.Unlock()
	r, err := d.loadPlonkFixed(req, f)
	if err != nil {
		return nil, d.errorf(op, d.forgetIfReset(err))
	}
	return r, nil
}

func (d *Device) loadPlonkFixed(req *zkaccel.PlonkFixedRequest, f FieldInfo) (*residentPolys, error) {
	k, err := d.plonkProgram(req.Field, f)
	if err != nil {
		return nil, err
	}
	es, n := f.ElemSize(), req.N
	s := d.scratch()
	defer s.free()
	keep := &scratch{rt: d.rt} // the evaluations, freed only on failure
	r := &residentPolys{d: d, field: req.Field, n: n, rho: req.Rho,
		generator: bytes.Clone(req.Generator), evals: make([][]Buffer, req.Rho),
		req: *req, f: f, epoch: d.resets.Load()}
	for _, c := range req.CosetShifts {
		r.shifts = append(r.shifts, bytes.Clone(c))
	}
	t := d.plonkCoset(k, s, nttClock.Add(1), req.Field, es, n, req.Generator)
	for i := range r.evals {
		r.evals[i] = make([]Buffer, len(req.Polys))
	}
	if req.Coefficients {
		r.coeffs = map[int]Buffer{}
	}
	for j, c := range req.Polys {
		up := s // the coefficients, kept where asked
		if req.Coefficients {
			up = keep
		}
		src, err := up.upload(c)
		if err != nil {
			keep.free()
			return nil, err
		}
		if r.coeffs != nil {
			r.coeffs[fixedIndex(j)] = src
		}
		for i, shift := range req.CosetShifts {
			dst, err := keep.alloc(n * es)
			if err == nil {
				err = t.to(dst, src, nil, shift)
			}
			if err != nil {
				_ = d.rt.Finish()
				keep.free()
				return nil, err
			}
			r.evals[i][j] = dst
		}
	}
	if len(req.Qk) != 0 {
		if r.coeffs[zkaccel.PlonkQk], err = keep.upload(req.Qk); err != nil {
			_ = d.rt.Finish()
			keep.free()
			return nil, err
		}
	}
	if req.HasSigma() {
		for j, v := range req.Sigma {
			if r.sigma[j], err = keep.upload(v); err != nil {
				_ = d.rt.Finish()
				keep.free()
				return nil, err
			}
		}
	}
	if err := d.rt.Finish(); err != nil {
		keep.free()
		return nil, err
	}
	r.size = int64(keep.used)
	d.resident.Add(r.size)
	return r, nil
}

// plonkFixedOf checks a quotient request's resident polynomials: this
// device's, not freed, loaded for the request's field, sizes, generator
// and cosets, one per fixed polynomial and Qcpᵢ of the request. The caller
// holds d.mu.
func (d *Device) plonkFixedOf(req *zkaccel.PlonkQuotientRequest) (*residentPolys, error) {
	r, ok := req.Fixed.(*residentPolys)
	switch {
	case !ok || r == nil:
		return nil, fmt.Errorf("%w: resident polynomials %T are not a GPU device's", errBadRequest, req.Fixed)
	case r.d != d:
		return nil, fmt.Errorf("%w: the resident polynomials belong to %v", errBadRequest, r.d)
	case r.field != req.Field || r.n != req.N || r.rho != req.Rho || !bytes.Equal(r.generator, req.Generator):
		return nil, fmt.Errorf("%w: resident polynomials of %s, n = %d, %d cosets, for a quotient of %s, n = %d, %d cosets (or another generator)",
			errBadRequest, r.field, r.n, r.rho, req.Field, req.N, req.Rho)
	case r.Len() != len(zkaccel.PlonkFixed)+(len(req.Polys)-zkaccel.PlonkNbPolys)/2:
		return nil, fmt.Errorf("%w: %d resident polynomials for a quotient with %d commitments", errBadRequest, r.Len(), (len(req.Polys)-zkaccel.PlonkNbPolys)/2)
	}
	for i, c := range r.shifts {
		if !bytes.Equal(c, req.CosetShifts[i]) {
			return nil, fmt.Errorf("%w: resident polynomials evaluated on other cosets", errBadRequest)
		}
	}
	if r.freed.is() {
		return nil, fmt.Errorf("the resident polynomials were freed")
	}
	if err := d.reloadPolys(r); err != nil {
		return nil, err
	}
	return r, nil
}

// plonkSigmaOf checks a ratio request's resident polynomials: this
// device's, not freed, loaded with σ's values for the request's field and
// N. The caller holds d.mu.
func (d *Device) plonkSigmaOf(req *zkaccel.PlonkRatioRequest) (*residentPolys, error) {
	r, ok := req.Fixed.(*residentPolys)
	switch {
	case !ok || r == nil:
		return nil, fmt.Errorf("%w: resident polynomials %T are not a GPU device's fixed ones", errBadRequest, req.Fixed)
	case r.d != d:
		return nil, fmt.Errorf("%w: the resident polynomials belong to %v", errBadRequest, r.d)
	case r.field != req.Field || r.n != req.N:
		return nil, fmt.Errorf("%w: resident polynomials of %s, n = %d, for a ratio of %s, n = %d", errBadRequest, r.field, r.n, req.Field, req.N)
	case r.sigma[0] == nil:
		return nil, fmt.Errorf("%w: the resident polynomials were loaded without σ's values", errBadRequest)
	case r.freed.is():
		return nil, fmt.Errorf("the resident polynomials were freed")
	}
	if err := d.reloadPolys(r); err != nil {
		return nil, err
	}
	return r, nil
}

var _ zkaccel.ResidentPlonkDevice = (*Device)(nil)
