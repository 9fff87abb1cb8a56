package gpu

import (
	"math/big"

	"github.com/zkaccel/zkaccel"
)

// PLONK's copy-constraint ratio Z (zkaccel.PlonkRatioRequest) runs on the
// device in three kernels (src/plonk.cl): the indices in chunks of k, each
// chunk's running product of the numerators and suffix product of the
// denominators (plonk_ratio_chunks); the chunks' products chained by one
// work-group, which also inverts the product of every denominator, the
// one inversion (plonk_ratio_scan); and Z(ωⁱ⁺¹) = (Π_{t≤i} numₜ)·
// (Π_{t>i} denₜ)·(Π denₜ)⁻¹ (plonk_ratio_finish). The wires and σ go up,
// Z comes back: at 2^20 for BN254, 192 MiB up and 32 MiB back, where the
// host's ratio makes about 16 multiplications an element. σ's values may
// be resident, loaded with the circuit's fixed polynomials (req.Fixed):
// then only the wires go up, 96 MiB. With req.Keep the wires and Z stay on
// the device for the quotient (plonk_kept.go).

// plonkRatioChunks is the most chunks plonk_ratio_scan chains (a variable
// for the tests): its g work items take q = ⌈c/g⌉ each, one after the
// other.
var plonkRatioChunks = 1 << 16

// plonkRatioVectors is the vectors of n elements the ratio holds on the
// device: the wires, σ, ωⁱ, Z and the two products.
const plonkRatioVectors = 10

// plonkRatio runs req: see the comment above.
func (d *Device) plonkRatio(req *zkaccel.PlonkRatioRequest) error {
	if req == nil {
		return d.errorf("plonk ratio", (*zkaccel.PlonkRatioRequest)(nil).Check())
	}
	req.Kept = nil
	op := "plonk ratio " + string(req.Field)
	if err := d.switchedOn(op, EnvPlonkRatio); err != nil {
		return err
	}
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return err
	}
	es, n := f.ElemSize(), req.N
	if need, room := plonkRatioVectors*uint64(n)*uint64(es), d.room(); room > 0 && need > room {
		return d.unsupported(op, "n = %d: %s of vectors exceed the device's memory left (%s)", n, bytesStr(need), bytesStr(room))
	}
	if n == 1 { // nothing kept
		copy(req.Result, oneMont(f))
		return nil
	}
	zero, err := d.plonkRatioRun(req, f)
	if err != nil {
		return d.errorf(op, err)
	}
	if zero {
		return d.unsupported(op, "a denominator is zero")
	}
	return nil
}

// oneMont is 1 in Montgomery form, as f's elements are stored: R mod p,
// little-endian words.
func oneMont(f FieldInfo) []byte {
	es := f.ElemSize()
	r := new(big.Int).Lsh(big.NewInt(1), uint(8*es))
	return leBytesOf(r.Mod(r, f.Modulus), es)
}

// leBytesOf returns v (below 2^(8·size)) as size little-endian bytes.
func leBytesOf(v *big.Int, size int) []byte {
	out := make([]byte, size)
	b := v.Bytes() // big-endian
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// bigOfLE returns the integer of little-endian bytes b.
func bigOfLE(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

// plonkRatioRun uploads req's vectors, runs the three kernels and reads Z
// into req.Result unless a denominator is zero (zero); with req.Keep it
// then keeps the wires and Z (req.Kept).
func (d *Device) plonkRatioRun(req *zkaccel.PlonkRatioRequest, f FieldInfo) (zero bool, err error) {
	s, keep := d.scratch(), d.keepScratch(req)
	defer s.free()
	z, wires, zero, err := d.plonkRatioQueue(req, f, s, keep)
	if err == nil && !zero {
		err = d.rt.Read(req.Result, z, 0)
	}
	if err != nil || zero {
		keep.free()
		return zero, err
	}
	if keep != nil {
		d.keepValues(req, keep, wires, z)
	}
	return false, nil
}

// plonkRatioQueue allocates req's buffers in s (the wires and Z in keep
// where not nil), uploads its vectors, runs the three kernels, and returns
// the buffers that hold Z, once they are done, and the wires, having
// waited for the kernels, unless a denominator is zero (zero).
func (d *Device) plonkRatioQueue(req *zkaccel.PlonkRatioRequest, f FieldInfo, s, keep *scratch) (zbuf Buffer, wires [3]Buffer, zero bool, err error) {
	var (
		fixed *residentPolys
		wired *keptWires
	)
	if req.Fixed != nil {
		if fixed, err = d.plonkSigmaOf(req); err != nil {
			return nil, wires, false, err
		}
	}
	if req.Wired != nil {
		if wired, err = d.plonkWiredOf(req); err != nil {
			return nil, wires, false, err
		}
	}
	if keep == nil {
		keep = s
	}
	k, err := d.plonkProgram(req.Field, f)
	if err != nil {
		return nil, wires, false, err
	}
	p, err := d.program(quotientProgramKey(req.Field))
	if err != nil {
		return nil, wires, false, err
	}
	ks, err := kernels(p, "plonk_ratio_chunks", "plonk_ratio_scan", "plonk_ratio_finish")
	if err != nil {
		return nil, wires, false, err
	}
	es, n := f.ElemSize(), req.N
	m := n - 1
	chunk := max(1, (m+plonkRatioChunks-1)/plonkRatioChunks)
	c := (m + chunk - 1) / chunk
	var in [6]Buffer // the wires, then σ
	for i, v := range req.Wires {
		if wired != nil {
			in[i] = wired.bufs[i]
		} else if in[i], err = keep.upload(v); err != nil {
			return nil, wires, false, err
		}
	}
	for i, v := range req.Sigma {
		if fixed != nil {
			in[3+i] = fixed.sigma[i]
		} else if in[3+i], err = s.upload(v); err != nil {
			return nil, wires, false, err
		}
	}
	copy(wires[:], in[:3])
	cbuf, err := s.upload(append(append(append([]byte(nil), req.Beta...), req.Gamma...), req.PermShift...))
	if err != nil {
		return nil, wires, false, err
	}
	pw, err := d.nttPowers(s, k.ntt, nttClock.Add(1), req.Field, es, "pow", req.Generator, n, 1)
	if err != nil {
		return nil, wires, false, err
	}
	var zn, zs, tn, td, z, inv, flag Buffer
	for _, b := range []struct {
		dst  *Buffer
		size int
	}{{&zn, m * es}, {&zs, m * es}, {&tn, c * es}, {&td, c * es}, {&inv, es}, {&flag, 4}} {
		if *b.dst, err = s.alloc(b.size); err != nil {
			return nil, wires, false, err
		}
	}
	if z, err = keep.alloc(n * es); err != nil {
		return nil, wires, false, err
	}
	g := d.groupFor(ks[1], min(256, c)) // the scan's work items, one group: a power of two, at most c
	seg, err := s.alloc(2 * g * es)
	if err != nil {
		return nil, wires, false, err
	}
	if err := d.rt.Launch(ks[0], c, d.nttGroup(ks[0]), zn, zs, tn, td, in[0], in[1], in[2], in[3], in[4], in[5], pw, cbuf, uint32(m), uint32(chunk)); err != nil {
		return nil, wires, false, err
	}
	if err := d.rt.Launch(ks[1], g, g, tn, td, seg, inv, flag, uint32(c), uint32((c+g-1)/g)); err != nil {
		return nil, wires, false, err
	}
	if err := d.rt.Launch(ks[2], m, d.nttGroup(ks[2]), z, zn, zs, tn, td, inv, uint32(m), uint32(chunk)); err != nil {
		return nil, wires, false, err
	}
	if err := d.rt.Finish(); err != nil {
		return nil, wires, false, err
	}
	fl := make([]byte, 4)
	if err := d.rt.Read(fl, flag, 0); err != nil {
		return nil, wires, false, err
	}
	return z, wires, fl[0] != 0, nil
}

// plonkRatioMSM runs req and then msms as one call
// (zkaccel.PlonkRatioMSMDevice): the ratio's kernels, then, unless a
// denominator is zero, the MSMs as msmBatch runs a batch, those with an
// offset in from reading their scalars from Z where the ratio left it. Z
// comes back while the first MSM computes where the runtime reads beside
// later kernels, else once the MSMs are done.
func (d *Device) plonkRatioMSM(req *zkaccel.PlonkRatioRequest, msms []*zkaccel.MSMRequest, from []int) error {
	op := "plonk ratio and msm"
	if req != nil {
		op += " " + string(req.Field)
		req.Kept = nil
	}
	if err := d.switchedOn(op, EnvPlonkFuse, EnvPlonkRatio); err != nil {
		return err
	}
	if err := zkaccel.CheckPlonkRatioMSM(req, msms, from); err != nil {
		return d.errorf(op, err)
	}
	f, err := d.quotientField(op, req.Field, req.ElemSize, func() error { return nil })
	if err != nil {
		return err
	}
	if req.N < 2 {
		return d.unsupported(op, "n = %d", req.N)
	}
	held := plonkRatioVectors * uint64(req.N) * uint64(f.ElemSize())
	if room := d.room(); room > 0 && held > room {
		return d.unsupported(op, "n = %d: %s of vectors exceed the device's memory left (%s)", req.N, bytesStr(held), bytesStr(room))
	}
	calls, err := d.msmCalls(msms, from)
	if err != nil {
		return err
	}
	if err := d.fusedFits(op, held, calls); err != nil {
		return err
	}
	s, keep := d.scratch(), d.keepScratch(req)
	defer s.free()
	z, wires, zero, err := d.plonkRatioQueue(req, f, s, keep)
	switch {
	case err != nil:
		_ = d.rt.Finish()
		keep.free()
		return d.errorf(op, err)
	case zero:
		keep.free()
		return d.unsupported(op, "a denominator is zero")
	}
	err = d.msmRunReading(op, "Z", calls, z,
		func(br besideReader, m Mark) error { return br.ReadAfter(m, req.Result, z, 0) },
		func() error { return d.rt.Read(req.Result, z, 0) })
	if err != nil {
		keep.free()
		return err
	}
	if keep != nil {
		d.keepValues(req, keep, wires, z)
	}
	return nil
}
