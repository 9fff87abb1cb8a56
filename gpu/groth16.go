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
//
// groth16QuotientMSM (zkaccel.Groth16MSMDevice) goes on, in the same call,
// to a batch of MSMs: their first scalars go up while the quotient's
// kernels run, and the MSM over H (Groth16's Σ hᵢ·Zᵢ) sorts H's
// coefficients where the NTT left them (msm_digits reads a pass's range of
// the buffer from its offset), so that H neither comes back nor goes up
// again: at 2^20 for BN254, 32 MiB each way.

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
	if err := d.groth16Fits(op, req, f); err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	h, err := d.groth16Queue(req, f, s)
	if err == nil {
		err = d.rt.Finish()
	}
	if err == nil {
		err = d.rt.Read(req.Result, h, 0)
	}
	if err != nil {
		return d.errorf(op, err)
	}
	return nil
}

// groth16QuotientMSM runs q and then msms as one call
// (zkaccel.Groth16MSMDevice): the quotient's kernels are queued, then the
// MSMs run as msmBatch runs a batch, the first one's scalars going up
// while the quotient computes, and the MSM over H (if any) reads H where
// the quotient left it. H comes back only when q.Result is set, once the
// MSMs are done (they do not change it).
func (d *Device) groth16QuotientMSM(q *zkaccel.Groth16QuotientRequest, msms []*zkaccel.MSMRequest) error {
	op := "groth16 quotient and msm"
	if q != nil {
		op += " " + string(q.Field)
	}
	if err := d.switchedOn(op, EnvGroth16Fuse); err != nil {
		return err
	}
	hi, err := zkaccel.CheckGroth16QuotientMSM(q, msms)
	if err != nil {
		return d.errorf(op, err)
	}
	f, err := d.quotientField(op, q.Field, q.ElemSize, func() error { return nil })
	if err != nil {
		return err
	}
	if err := d.groth16Fits(op, q, f); err != nil {
		return err
	}
	from := make([]int, len(msms))
	for i := range from {
		from[i] = -1
	}
	if hi >= 0 {
		from[hi] = 0
	}
	calls, err := d.msmCalls(msms, from)
	if err != nil {
		return err
	}
	if err := d.fusedFits(op, groth16Memory(q.N, f), calls); err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	h, err := d.groth16Queue(q, f, s)
	if err != nil {
		_ = d.rt.Finish() // let the launched kernels end before the buffers are freed
		return d.errorf(op, err)
	}
	if hi >= 0 {
		calls[hi].dscal = h
	}
	if err := d.msmRun(calls, nil); err != nil {
		return err
	}
	if len(q.Result) != 0 {
		if err := d.rt.Read(q.Result, h, 0); err != nil {
			return d.errorf(op, err)
		}
	}
	return nil
}

// groth16Fits returns an error wrapping zkaccel.ErrUnsupported where req's
// data and tables cannot fit the device's memory.
func (d *Device) groth16Fits(op string, req *zkaccel.Groth16QuotientRequest, f FieldInfo) error {
	es := uint64(f.ElemSize())
	n := uint64(req.N)
	if need, room := groth16Memory(req.N, f), d.room(); room > 0 && need > room {
		return d.unsupported(op, "n = %d: %s of data and tables exceed the device's memory left (%s)", n, bytesStr(need), bytesStr(room))
	}
	if max := d.rt.MaxAlloc(); max > 0 && n*es > max {
		return d.unsupported(op, "n = %d: %s per polynomial exceed the device's largest buffer (%s)", n, bytesStr(n*es), bytesStr(max))
	}
	return nil
}

// groth16Memory is the device memory, in bytes, that Groth16's quotient on
// a domain of n elements of f holds: A, B, C, and the tables (twiddles of
// ω and ω⁻¹, the coset's).
func groth16Memory(n int, f FieldInfo) uint64 {
	return (3 + 1) * uint64(n) * uint64(f.ElemSize())
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

// groth16Queue allocates req's buffers in s, writes A, B and C, and queues
// the steps of the comment above; it returns the buffer that will hold H
// once the queued work is done.
func (d *Device) groth16Queue(req *zkaccel.Groth16QuotientRequest, f FieldInfo, s *scratch) (Buffer, error) {
	k, err := d.nttProgram(req.Field, f)
	if err != nil {
		return nil, err
	}
	p, err := d.program(quotientProgramKey(req.Field))
	if err != nil {
		return nil, err
	}
	h, err := p.Kernel("groth16_h")
	if err != nil {
		return nil, err
	}
	now := nttClock.Add(1)
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
			return nil, err
		}
		if err := d.nttBuffer(s, k, now, &interp, logn, bufs[i]); err != nil {
			return nil, err
		}
		if err := d.nttBuffer(s, k, now, &eval, logn, bufs[i]); err != nil {
			return nil, err
		}
	}
	den, err := s.upload(req.VanishingInv)
	if err != nil {
		return nil, err
	}
	if err := d.rt.Launch(h, n, d.nttGroup(h), bufs[0], bufs[1], bufs[2], den, uint32(n)); err != nil {
		return nil, err
	}
	interp.Coset, interp.CosetShiftInv = true, req.CosetShiftInv
	if err := d.nttBuffer(s, k, now, &interp, logn, bufs[0]); err != nil {
		return nil, err
	}
	return bufs[0], nil
}
