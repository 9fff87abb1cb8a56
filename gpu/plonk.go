package gpu

import (
	"fmt"
	"math/bits"

	"github.com/zkaccel/zkaccel"
)

// PLONK's quotient (zkaccel.PlonkQuotientRequest) runs on the device from
// the polynomials' coefficients to H's, with one upload of each
// polynomial and one download of H:
//
//  1. every polynomial is uploaded, in canonical form or (req.Lagrange) by
//     its values on ⟨ω⟩, which are interpolated there: laid out in
//     bit-reversed order (plonk_copy_rev) into a spare buffer, transformed
//     by an inverse DIT NTT, and the buffers swapped;
//  2. for each coset cᵢ·⟨ω⟩ (i < Rho) of the small domain, which together
//     make up the large coset g·⟨ω₁⟩: each polynomial is copied and
//     transformed onto the coset by a forward NTT with shift cᵢ (DIF, so
//     bit-reversed), L₁ as the constant polynomial 1/n, and each
//     commitment's Qcp·Pi is added to Qk's evaluations; then
//     plonk_quotient (src/plonk.cl) stores N/(xⁿ − 1) at each point's place
//     in the large coset, in the bit-reversed order a DIT transform reads;
//  3. an inverse DIT NTT on the large coset interpolates H, which is read
//     back, and then the coefficients of the polynomials given by values.
//
// With req.Fixed (plonk_fixed.go) the circuit's fixed polynomials are on
// the device already, evaluated on every coset: step 2 reads them. With
// req.Values (plonk_kept.go) the values of L, R, O and Z are there too,
// kept by the proof's ratio: step 1 interpolates them from there.
//
// plonkQuotientMSM (zkaccel.PlonkMSMDevice) goes on, in the same call, to
// a batch of MSMs queued behind the interpolation of H: those over H's
// shards (gnark's H1–H3) sort H's coefficients where the NTT left them,
// each from its offset, so that H does not go up again for them (at 2^20
// for BN254, 3 × 32 MiB). On a runtime that reads beside later kernels
// (besideReader: CUDA's copy stream), H and the coefficients come back
// while the first MSM computes (at 2^20, 128 MiB of H and 32 MiB per
// polynomial); elsewhere after the MSMs.
//
// The device holds the polynomials twice (coefficients and one coset's
// evaluations), H, and the NTT tables: about (2·P + 1 + 2 + 3·Rho/2 + 2)·n
// elements for P polynomials, which plonkQuotient checks against the
// device's memory (more is zkaccel.ErrUnsupported, so that the caller
// falls back to the CPU).

// plonkQuotientMemory is the device memory, in elements, that plonkRun
// allocates for req on a small domain of n elements and a large one of m:
// the coefficients it uploads (the resident ones aside), one coset's
// evaluations of the first twelve of them, L₁'s and, with commitments, the
// pair being folded; H, ωʲ and the twiddles of both domains.
func plonkQuotientMemory(req *zkaccel.PlonkQuotientRequest, n, m int) uint64 {
	var up, evals int
	for i, c := range req.Polys {
		if len(c) > 0 {
			up++
			if i < zkaccel.PlonkNbPolys {
				evals++
			}
		}
	}
	evals++ // L₁
	if len(req.Polys) > zkaccel.PlonkNbPolys {
		evals += 2
	}
	return uint64(up+evals)*uint64(n) + uint64(m) + uint64(n) + uint64(n/2) + uint64(m/2)
}

// plonkQuotient runs req: see the comment above.
func (d *Device) plonkQuotient(req *zkaccel.PlonkQuotientRequest) error {
	if req == nil {
		return d.errorf("plonk quotient", (*zkaccel.PlonkQuotientRequest)(nil).Check())
	}
	op := "plonk quotient " + string(req.Field)
	req.Kept = nil
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return err
	}
	if err := d.plonkFits(op, req, f); err != nil {
		return err
	}
	if err := d.plonkRun(req, f); err != nil {
		return d.errorf(op, err)
	}
	return nil
}

// plonkFits returns an error wrapping zkaccel.ErrUnsupported where req's
// polynomials and tables cannot fit the device's memory.
func (d *Device) plonkFits(op string, req *zkaccel.PlonkQuotientRequest, f FieldInfo) error {
	es := f.ElemSize()
	n, m := req.N, req.N*req.Rho
	need := plonkQuotientMemory(req, n, m) * uint64(es)
	if room := d.room(); room > 0 && need > room {
		return d.unsupported(op, "n = %d: %s of polynomials and tables exceed the device's memory left (%s)", n, bytesStr(need), bytesStr(room))
	}
	if max := d.rt.MaxAlloc(); max > 0 && uint64(m*es) > max {
		return d.unsupported(op, "n = %d: H's %s exceed the device's largest buffer (%s)", n, bytesStr(uint64(m*es)), bytesStr(max))
	}
	return nil
}

// plonkQuotientMSM runs q and then msms as one call
// (zkaccel.PlonkMSMDevice): the quotient's kernels are queued, then the
// MSMs run as msmBatch runs a batch, those with an offset in from reading
// their scalars from H where the quotient left it. H, and the
// coefficients of the polynomials q gives by values, come back while the
// first MSM computes where the runtime reads beside later kernels, else
// once the MSMs are done (they do not change them).
func (d *Device) plonkQuotientMSM(q *zkaccel.PlonkQuotientRequest, msms []*zkaccel.MSMRequest, from []int) error {
	op := "plonk quotient and msm"
	if q != nil {
		op += " " + string(q.Field)
		q.Kept = nil
	}
	if err := d.switchedOn(op, EnvPlonkFuse); err != nil {
		return err
	}
	if err := zkaccel.CheckPlonkQuotientMSM(q, msms, from); err != nil {
		return d.errorf(op, err)
	}
	f, err := d.quotientField(op, q.Field, q.ElemSize, func() error { return nil })
	if err != nil {
		return err
	}
	if err := d.plonkFits(op, q, f); err != nil {
		return err
	}
	calls, err := d.msmCalls(msms, from)
	if err != nil {
		return err
	}
	if err := d.fusedFits(op, plonkQuotientMemory(q, q.N, q.N*q.Rho)*uint64(f.ElemSize()), calls); err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	res, canon, err := d.plonkQueue(q, f, s)
	if err != nil {
		_ = d.rt.Finish() // let the launched kernels end before the buffers are freed
		return d.errorf(op, err)
	}
	if q.NoRead { // H and the coefficients stay on the device only
		for _, c := range calls {
			if c.devScalars {
				c.dscal = res
			}
		}
		err = d.msmRun(calls, nil)
	} else {
		err = d.msmRunReading(op, "the quotient", calls, res,
			func(br besideReader, m Mark) error { return d.plonkReadAfter(br, m, q, res, canon) },
			func() error { return d.plonkRead(q, res, canon) })
	}
	if err != nil {
		return err
	}
	d.keepCoeffs(q, s, res, canon)
	return nil
}

// msmRunReading runs calls as msmRun does, those with device scalars
// reading them from scal, a vector that the one call computed before them,
// and reads what that call gives back: where the runtime reads beside later
// kernels (besideReader: CUDA), through beside with a mark of the work
// queued so far, while the first MSM computes; else through after, once
// the MSMs are done. what names the reads in errors.
func (d *Device) msmRunReading(op, what string, calls []*msmCall, scal Buffer, beside func(br besideReader, m Mark) error, after func() error) error {
	for _, c := range calls {
		if c.devScalars {
			c.dscal = scal
		}
	}
	br, ok := d.rt.(besideReader)
	var during func() error
	if ok {
		m, err := br.Mark()
		if err != nil {
			_ = d.rt.Finish()
			return d.errorf(op, err)
		}
		defer m.Free()
		during = func() error {
			if err := beside(br, m); err != nil {
				return fmt.Errorf("reading %s beside the MSMs: %w", what, err)
			}
			return nil
		}
	}
	if err := d.msmRun(calls, during); err != nil {
		return err
	}
	if !ok {
		if err := after(); err != nil {
			return d.errorf(op, err)
		}
	}
	return nil
}

// plonkReadAfter reads, as plonkRead does, once the work before m is done,
// beside the kernels queued after it (which only read res).
func (d *Device) plonkReadAfter(br besideReader, m Mark, req *zkaccel.PlonkQuotientRequest, res Buffer, canon []Buffer) error {
	if err := br.ReadAfter(m, req.Result, res, 0); err != nil {
		return err
	}
	if req.Lagrange {
		for i, c := range req.Polys {
			if zkaccel.PlonkIsLagrange(i) {
				if err := br.ReadAfter(m, c, canon[i], 0); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// plonkKernels are the kernels of one field's quotient program, with its
// NTT program's.
type plonkKernels struct {
	ntt                                   *nttKernels
	copy, copyRev, fill, muladd, quotient Kernel
	axpy, chunks, scan                    Kernel // the openings' (plonk_open.go)
	scatter                               Kernel // the wires' (plonk_wires.go)
}

// plonkProgram compiles (once per device) and resolves field f's quotient
// and NTT kernels. The caller holds d.mu.
func (d *Device) plonkProgram(field zkaccel.Field, f FieldInfo) (*plonkKernels, error) {
	k, err := d.nttProgram(field, f)
	if err != nil {
		return nil, err
	}
	p, err := d.program(quotientProgramKey(field))
	if err != nil {
		return nil, err
	}
	ks, err := kernels(p, "plonk_copy", "plonk_copy_rev", "plonk_fill", "plonk_muladd", "plonk_quotient", "poly_axpy", "poly_chunks", "poly_scan", "plonk_scatter")
	if err != nil {
		return nil, err
	}
	return &plonkKernels{k, ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7], ks[8]}, nil
}

// plonkCoset transforms polynomials onto cosets of a small domain of 2^logn
// elements with generator gen, DIF (bit-reversed output), tables in s.
type plonkCoset struct {
	d    *Device
	k    *plonkKernels
	s    *scratch
	now  uint64
	logn int
	fwd  zkaccel.NTTRequest
}

func (d *Device) plonkCoset(k *plonkKernels, s *scratch, now uint64, field zkaccel.Field, es, n int, gen []byte) *plonkCoset {
	return &plonkCoset{d: d, k: k, s: s, now: now, logn: bits.TrailingZeros(uint(n)),
		fwd: zkaccel.NTTRequest{Field: field, ElemSize: es, N: n, Decimation: zkaccel.DIF, Coset: true, Generator: gen}}
}

// to writes into dst the evaluations on the coset shift·⟨ω⟩ of src's
// polynomial (coefficients), or with src nil of the constant polynomial
// c[0].
func (t *plonkCoset) to(dst, src Buffer, c Buffer, shift []byte) error {
	n := uint32(t.fwd.N)
	if src != nil {
		if err := t.d.rt.Launch(t.k.copy, int(n), t.d.nttGroup(t.k.copy), dst, src, n); err != nil {
			return err
		}
	} else if err := t.d.rt.Launch(t.k.fill, int(n), t.d.nttGroup(t.k.fill), dst, c, n); err != nil {
		return err
	}
	t.fwd.CosetShift = shift
	return t.d.nttBuffer(t.s, t.k.ntt, t.now, &t.fwd, t.logn, dst)
}

// plonkRun runs the steps of the comment above and writes req.Result once
// everything succeeded.
func (d *Device) plonkRun(req *zkaccel.PlonkQuotientRequest, f FieldInfo) error {
	s := d.scratch()
	defer s.free()
	res, canon, err := d.plonkQueue(req, f, s)
	if err != nil {
		return err
	}
	if req.NoRead {
		if err := d.rt.Finish(); err != nil {
			return err
		}
	} else if err := d.plonkRead(req, res, canon); err != nil {
		return err
	}
	d.keepCoeffs(req, s, res, canon)
	return nil
}

// plonkRead waits for the queued work, then reads H from res into
// req.Result and, with req.Lagrange, the coefficients of the polynomials
// given by values from canon over those values.
func (d *Device) plonkRead(req *zkaccel.PlonkQuotientRequest, res Buffer, canon []Buffer) error {
	if err := d.rt.Finish(); err != nil {
		return err
	}
	if err := d.rt.Read(req.Result, res, 0); err != nil {
		return err
	}
	if req.Lagrange {
		for i, c := range req.Polys {
			if zkaccel.PlonkIsLagrange(i) {
				if err := d.rt.Read(c, canon[i], 0); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// plonkQueue allocates req's buffers in s, writes its polynomials and
// queues steps 1 and 2 of the comment above and the interpolation of step
// 3. It returns the buffer that will hold H once the queued work is done,
// and those of the polynomials' coefficients (nil where resident).
func (d *Device) plonkQueue(req *zkaccel.PlonkQuotientRequest, f FieldInfo, s *scratch) (Buffer, []Buffer, error) {
	var (
		fixed *residentPolys
		kept  *keptValues
		err   error
	)
	if req.Fixed != nil {
		if fixed, err = d.plonkFixedOf(req); err != nil {
			return nil, nil, err
		}
	}
	if req.Values != nil {
		if kept, err = d.plonkValuesOf(req); err != nil {
			return nil, nil, err
		}
	}
	committed := make([]*keptCommitted, (len(req.Polys)-zkaccel.PlonkNbPolys)/2)
	for j := range committed {
		if committed[j], err = d.plonkCommittedOf(req, j); err != nil {
			return nil, nil, err
		}
	}
	k, err := d.plonkProgram(req.Field, f)
	if err != nil {
		return nil, nil, err
	}
	now := nttClock.Add(1)
	es := f.ElemSize()
	n, m := req.N, req.N*req.Rho
	logn, logm := bits.TrailingZeros(uint(n)), bits.TrailingZeros(uint(m))

	// One coset's evaluations of each polynomial that is not resident,
	// L₁'s, and a commitment's Qcp and Pi.
	evals := make([]Buffer, zkaccel.PlonkNbPolys)
	for j := range evals {
		if j < len(req.Polys) && len(req.Polys[j]) == 0 {
			continue // resident (fixed)
		}
		if evals[j], err = s.alloc(n * es); err != nil {
			return nil, nil, err
		}
	}
	l1, err := s.alloc(n * es) // with Lagrange, the spare buffer until L₁ needs it
	if err != nil {
		return nil, nil, err
	}
	// The proof's polynomials go up, the fixed ones too unless resident,
	// each one's interpolation (with Lagrange) queued as soon as it is
	// written, so that (on a runtime that copies beside its kernels, as
	// CUDA does) the next one's copy overlaps it.
	canon := make([]Buffer, len(req.Polys))
	for i, c := range req.Polys {
		if len(c) == 0 {
			continue // resident (fixed)
		}
		var on Buffer // the values, where they are on the device
		if kept != nil && i >= zkaccel.PlonkL && i <= zkaccel.PlonkZ {
			on = kept.bufs[i-zkaccel.PlonkL]
		} else if i >= zkaccel.PlonkNbPolys && (i-zkaccel.PlonkNbPolys)%2 == 1 {
			if kc := committed[(i-zkaccel.PlonkNbPolys)/2]; kc != nil {
				on = kc.buf
			}
		}
		if on != nil {
			// The values are on the device: interpolate them into a
			// buffer of their own, leaving them as they are.
			if canon[i], err = s.alloc(n * es); err == nil {
				canon[i], _, err = d.plonkInterpolate(req, k, s, now, on, canon[i])
			}
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		if canon[i], err = s.upload(c); err != nil {
			return nil, nil, err
		}
		if req.Lagrange && zkaccel.PlonkIsLagrange(i) {
			if canon[i], l1, err = d.plonkInterpolate(req, k, s, now, canon[i], l1); err != nil {
				return nil, nil, err
			}
		}
	}
	var qcp, pi Buffer
	if len(req.Polys) > zkaccel.PlonkNbPolys {
		if qcp, err = s.alloc(n * es); err != nil {
			return nil, nil, err
		}
		if pi, err = s.alloc(n * es); err != nil {
			return nil, nil, err
		}
	}
	var consts []byte
	for _, c := range [][]byte{req.Alpha, req.Beta, req.Gamma, req.PermShift, req.Generator} {
		consts = append(consts, c...)
	}
	for i := range req.Rho {
		consts = append(append(append(consts, req.CosetShifts[i]...), req.Vanishing[i]...), req.VanishingInv[i]...)
	}
	cbuf, err := s.upload(consts)
	if err != nil {
		return nil, nil, err
	}
	nb := 1
	for _, b := range req.Blinding {
		nb = max(nb, len(b)/es)
	}
	blind := make([]byte, 4*nb*es) // zero-padded at the top
	for i, b := range req.Blinding {
		copy(blind[i*nb*es:], b)
	}
	bbuf, err := s.upload(blind)
	if err != nil {
		return nil, nil, err
	}
	nInv, err := s.upload(req.CardinalityInv)
	if err != nil {
		return nil, nil, err
	}
	pw, err := d.nttPowers(s, k.ntt, now, req.Field, es, "pow", req.Generator, n, 1)
	if err != nil {
		return nil, nil, err
	}
	res, err := s.alloc(m * es)
	if err != nil {
		return nil, nil, err
	}

	t := d.plonkCoset(k, s, now, req.Field, es, n, req.Generator)
	for i := range req.Rho {
		shift := req.CosetShifts[i]
		at := make([]Buffer, zkaccel.PlonkNbPolys) // coset i's evaluations
		for j := range zkaccel.PlonkNbPolys {
			if canon[j] == nil {
				at[j] = fixed.evals[i][fixed.slot(j)]
				continue
			}
			if err := t.to(evals[j], canon[j], nil, shift); err != nil {
				return nil, nil, err
			}
			at[j] = evals[j]
		}
		if err := t.to(l1, nil, nInv, shift); err != nil { // L₁ = Σ Xʲ/n
			return nil, nil, err
		}
		for j := zkaccel.PlonkNbPolys; j < len(req.Polys); j += 2 {
			q := qcp
			if canon[j] == nil {
				q = fixed.evals[i][fixed.slot(j)]
			} else if err := t.to(qcp, canon[j], nil, shift); err != nil {
				return nil, nil, err
			}
			if err := t.to(pi, canon[j+1], nil, shift); err != nil {
				return nil, nil, err
			}
			if err := d.rt.Launch(k.muladd, n, d.nttGroup(k.muladd), at[zkaccel.PlonkQk], q, pi, uint32(n)); err != nil {
				return nil, nil, err
			}
		}
		args := []any{res, uint32(logn), uint32(logm), uint32(req.Rho), uint32(i)}
		for j := range zkaccel.PlonkNbPolys {
			args = append(args, at[j])
		}
		args = append(args, l1, pw, cbuf, bbuf, uint32(nb))
		if err := d.rt.Launch(k.quotient, n, d.nttGroup(k.quotient), args...); err != nil {
			return nil, nil, err
		}
	}
	inv := zkaccel.NTTRequest{Field: req.Field, ElemSize: es, N: m, Inverse: true, Decimation: zkaccel.DIT, Coset: true,
		GeneratorInv: req.LargeGeneratorInv, CardinalityInv: req.LargeCardinalityInv, CosetShiftInv: req.LargeShiftInv}
	if err := d.nttBuffer(s, k.ntt, now, &inv, logm, res); err != nil {
		return nil, nil, err
	}
	return res, canon, nil
}

// plonkInterpolate turns the values on ⟨ω⟩ that vals holds for one of the
// proof's polynomials (zkaccel.PlonkIsLagrange) into its coefficients,
// using spare, a buffer of N elements: the values are laid out in
// bit-reversed order into spare, which an inverse DIT NTT interpolates in
// place. It returns the buffer holding the coefficients (spare) and the
// one left spare (vals).
func (d *Device) plonkInterpolate(req *zkaccel.PlonkQuotientRequest, k *plonkKernels, s *scratch, now uint64, vals, spare Buffer) (coeffs, left Buffer, err error) {
	n := req.N
	logn := bits.TrailingZeros(uint(n))
	inv := zkaccel.NTTRequest{Field: req.Field, ElemSize: req.ElemSize, N: n, Inverse: true, Decimation: zkaccel.DIT,
		GeneratorInv: req.GeneratorInv, CardinalityInv: req.CardinalityInv}
	if err := d.rt.Launch(k.copyRev, n, d.nttGroup(k.copyRev), spare, vals, uint32(logn)); err != nil {
		return nil, nil, err
	}
	if err := d.nttBuffer(s, k.ntt, now, &inv, logn, spare); err != nil {
		return nil, nil, err
	}
	return spare, vals, nil
}

// quotientProgramKey is the key of field's quotient program: the kernels
// of PLONK's and Groth16's quotients (src/plonk.cl, src/groth16.cl), which
// run beside the field's NTT program.
func quotientProgramKey(field zkaccel.Field) string { return "quotient/" + string(field) }

// quotientSource is the quotient program of field f.
func quotientSource(f FieldInfo) string {
	return Source(f.Source("f"), File("rev.cl"), File("plonk.cl"), File("groth16.cl"))
}
