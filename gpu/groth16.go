package gpu

import (
	"fmt"
	"math/bits"

	"github.com/zkaccel/zkaccel"
)

// Groth16's quotient (zkaccel.Groth16QuotientRequest) runs on the device
// from A's, B's and C's values to H's coefficients, with one upload of each
// (B's and C's beside the transforms of those before) and one download of H, where the host path moves each of the seven NTTs'
// data both ways: each of A, B, C is interpolated (inverse DIF NTT, whose
// bit-reversed output the DIT coset NTT reads) and evaluated on the coset;
// groth16_h (src/groth16.cl) forms (A·B − C)/(gⁿ − 1); an inverse DIF NTT
// on the coset interpolates H, in bit-reversed order.

// groth16Quotient runs req: see the comment above.
func (d *Device) groth16Quotient(req *zkaccel.Groth16QuotientRequest) error {
	if req == nil {
		return d.errorf("groth16 quotient", (*zkaccel.Groth16QuotientRequest)(nil).Check())
	}
	op := "groth16 quotient " + string(req.Field)
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return err
	}
	es := uint64(f.ElemSize())
	n := uint64(req.N)
	// A, B, C, and the tables: twiddles of ω and ω⁻¹, the coset's.
	if need := (3 + 1) * n * es; d.rt.Memory() > 0 && need > d.rt.Memory() {
		return d.unsupported(op, "n = %d: %s of data and tables exceed the device's memory (%s)", n, bytesStr(need), bytesStr(d.rt.Memory()))
	}
	if max := d.rt.MaxAlloc(); max > 0 && n*es > max {
		return d.unsupported(op, "n = %d: %s per polynomial exceed the device's largest buffer (%s)", n, bytesStr(n*es), bytesStr(max))
	}
	if err := d.groth16Run(req, f); err != nil {
		return d.errorf(op, err)
	}
	return nil
}

// quotientField returns the field of a quotient request after the checks
// both quotients share: a curve's scalar field (the ones whose program
// quotient/<field> exists; else zkaccel.ErrUnsupported), a well-formed
// request (check), elements of the field's size.
func (d *Device) quotientField(op string, field zkaccel.Field, elemSize int, check func() error) (FieldInfo, error) {
	f, ok := ScalarField(field)
	switch {
	case !ok:
		return f, d.unsupported(op, "unknown field")
	case f.LimbBits != 64 || f.Limbs < 2:
		return f, d.unsupported(op, "not a curve's scalar field")
	}
	if err := check(); err != nil {
		return f, d.errorf(op, err)
	}
	if elemSize != f.ElemSize() {
		return f, d.errorf(op, fmt.Errorf("%w: ElemSize = %d, want %d", errBadRequest, elemSize, f.ElemSize()))
	}
	return f, nil
}

// groth16Run runs the steps of the comment above and writes req.Result once
// everything succeeded.
func (d *Device) groth16Run(req *zkaccel.Groth16QuotientRequest, f FieldInfo) error {
	k, err := d.nttProgram(req.Field, f)
	if err != nil {
		return err
	}
	p, err := d.program(quotientProgramKey(req.Field))
	if err != nil {
		return err
	}
	h, err := p.Kernel("groth16_h")
	if err != nil {
		return err
	}
	now := nttClock.Add(1)
	s := d.scratch()
	defer s.free()
	es, n := f.ElemSize(), req.N
	logn := bits.TrailingZeros(uint(n))
	interp := zkaccel.NTTRequest{Field: req.Field, ElemSize: es, N: n, Inverse: true, Decimation: zkaccel.DIF,
		GeneratorInv: req.GeneratorInv, CardinalityInv: req.CardinalityInv}
	eval := zkaccel.NTTRequest{Field: req.Field, ElemSize: es, N: n, Decimation: zkaccel.DIT, Coset: true,
		Generator: req.Generator, CosetShift: req.CosetShift}
	// Each polynomial's transforms are queued as soon as it is written,
	// so that (on a runtime that copies beside its kernels, as CUDA does)
	// B's and C's copies to the device overlap the transforms of those
	// before them.
	var bufs [3]Buffer
	for i, v := range [][]byte{req.A, req.B, req.C} {
		if bufs[i], err = s.upload(v); err != nil {
			return err
		}
		if err := d.nttBuffer(s, k, now, &interp, logn, bufs[i]); err != nil {
			return err
		}
		if err := d.nttBuffer(s, k, now, &eval, logn, bufs[i]); err != nil {
			return err
		}
	}
	den, err := s.upload(req.VanishingInv)
	if err != nil {
		return err
	}
	if err := d.rt.Launch(h, n, d.nttGroup(), bufs[0], bufs[1], bufs[2], den, uint32(n)); err != nil {
		return err
	}
	interp.Coset, interp.CosetShiftInv = true, req.CosetShiftInv
	if err := d.nttBuffer(s, k, now, &interp, logn, bufs[0]); err != nil {
		return err
	}
	if err := d.rt.Finish(); err != nil {
		return err
	}
	return d.rt.Read(req.Result, bufs[0], 0)
}
