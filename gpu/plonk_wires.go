package gpu

import (
	"encoding/binary"
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// A PLONK proof's wires go up first for their commitments, then for the
// ratio (plonk_ratio.go), which may keep them for the quotient
// (plonk_kept.go). PlonkWiresMSM uploads them once: it keeps them
// (keptWires) while their commitments' MSMs read their scalars there, and
// the ratio that names them (zkaccel.PlonkRatioRequest.Wired) reads them
// there too: at 2^20 for BN254, 3 × 32 MiB less to upload per proof.

// keptWires are one proof's wires (L, R, O) kept on the device from their
// commitments for its ratio and quotient.
type keptWires struct {
	d     *Device
	field zkaccel.Field
	n     int
	bufs  [3]Buffer
	size  int64
	freed freeOnce
}

func (w *keptWires) Device() zkaccel.Device { return w.d }
func (w *keptWires) Len() int               { return len(w.bufs) }

// Free releases the wires' device memory; freeing twice does nothing.
func (w *keptWires) Free() { w.d.release(&w.freed, w.size, w.bufs[:]...) }

// PlonkWiresMSM uploads and keeps a proof's wires and commits to them
// (see zkaccel.PlonkWiresDevice).
func (d *Device) PlonkWiresMSM(req *zkaccel.PlonkWiresRequest, msms []*zkaccel.MSMRequest, from []int) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkWiresMSM(req, msms, from))
}

var _ zkaccel.PlonkWiresDevice = (*Device)(nil)

func (d *Device) plonkWiresMSM(req *zkaccel.PlonkWiresRequest, msms []*zkaccel.MSMRequest, from []int) error {
	op := "plonk wires and msm"
	if req != nil {
		op += " " + string(req.Field)
		req.Kept = nil
	}
	if err := d.switchedOn(op, EnvPlonkFuse); err != nil {
		return err
	}
	if err := zkaccel.CheckPlonkWiresMSM(req, msms, from); err != nil {
		return d.errorf(op, err)
	}
	f, err := d.quotientField(op, req.Field, req.ElemSize, func() error { return nil })
	if err != nil {
		return err
	}
	n := req.N
	held := 3 * uint64(n) * uint64(f.ElemSize())
	if room := d.room(); room > 0 && held > room {
		return d.unsupported(op, "n = %d: %s of wires exceed the device's memory left (%s)", n, bytesStr(held), bytesStr(room))
	}
	calls, err := d.msmCalls(msms, from)
	if err != nil {
		return err
	}
	if err := d.fusedFits(op, held, calls); err != nil {
		return err
	}
	keep := &scratch{rt: d.rt} // the wires, freed only on failure
	w := &keptWires{d: d, field: req.Field, n: n}
	for k, v := range req.Wires {
		if w.bufs[k], err = keep.upload(v); err != nil {
			keep.free()
			return d.errorf(op, err)
		}
	}
	for i, c := range calls {
		c.dscal, c.doff = w.bufs[from[i]/n], from[i]%n
	}
	s := d.scratch()
	defer s.free()
	// The rows read as zero: zeroed for the MSMs, their value written back
	// once they are done.
	scatter, err := d.plonkScatter(req, f, s, w)
	if err == nil {
		err = scatter(make([]byte, f.ElemSize()))
	}
	if err != nil {
		_ = d.rt.Finish()
		keep.free()
		return d.errorf(op, err)
	}
	if err := d.msmRun(calls, nil); err != nil {
		_ = d.rt.Finish()
		keep.free()
		return err
	}
	err = scatter(req.Value)
	if err == nil {
		err = d.rt.Finish()
	}
	if err != nil {
		_ = d.rt.Finish()
		keep.free()
		return d.errorf(op, err)
	}
	w.size = int64(keep.used)
	d.resident.Add(w.size)
	req.Kept = w
	return nil
}

// plonkWiredOf checks a ratio request's kept wires: this device's, not
// freed, kept for the request's field and N. The caller holds d.mu.
func (d *Device) plonkWiredOf(req *zkaccel.PlonkRatioRequest) (*keptWires, error) {
	w, ok := req.Wired.(*keptWires)
	switch {
	case !ok || w == nil:
		return nil, fmt.Errorf("%w: kept wires %T are not a GPU device's commitments'", errBadRequest, req.Wired)
	case w.d != d:
		return nil, fmt.Errorf("%w: the kept wires belong to %v", errBadRequest, w.d)
	case w.field != req.Field || w.n != req.N:
		return nil, fmt.Errorf("%w: wires kept for %s, n = %d, for a ratio of %s, n = %d", errBadRequest, w.field, w.n, req.Field, req.N)
	case w.freed.is():
		return nil, fmt.Errorf("the kept wires were freed")
	}
	return w, nil
}

// plonkScatter uploads req's rows read as zero (in s) and returns what
// writes a value (one element) at them in the kept wires w.
func (d *Device) plonkScatter(req *zkaccel.PlonkWiresRequest, f FieldInfo, s *scratch, w *keptWires) (func(v []byte) error, error) {
	var (
		idx [3]Buffer
		k   *plonkKernels
		err error
	)
	for i, z := range req.Zero {
		if len(z) == 0 {
			continue
		}
		if k == nil {
			if k, err = d.plonkProgram(req.Field, f); err != nil {
				return nil, err
			}
		}
		b := make([]byte, 4*len(z))
		for j, r := range z {
			binary.LittleEndian.PutUint32(b[4*j:], r)
		}
		if idx[i], err = s.upload(b); err != nil {
			return nil, err
		}
	}
	return func(v []byte) error {
		if k == nil {
			return nil
		}
		c, err := s.upload(v)
		if err != nil {
			return err
		}
		for i, z := range req.Zero {
			if len(z) > 0 {
				if err := d.rt.Launch(k.scatter, len(z), d.nttGroup(k.scatter), w.bufs[i], idx[i], uint32(len(z)), c); err != nil {
					return err
				}
			}
		}
		return nil
	}, nil
}

// keptCommitted are one BSB22 commitment's values (Piᵢ on ⟨ω⟩) kept on
// the device from their commitment for the proof's quotient.
type keptCommitted struct {
	d     *Device
	field zkaccel.Field
	n     int
	buf   Buffer
	size  int64
	freed freeOnce
}

func (c *keptCommitted) Device() zkaccel.Device { return c.d }
func (c *keptCommitted) Len() int               { return 1 }

// Free releases the values' device memory; freeing twice does nothing.
func (c *keptCommitted) Free() { c.d.release(&c.freed, c.size, c.buf) }

// PlonkCommittedMSM uploads and keeps a commitment's values and commits to
// them (see zkaccel.PlonkWiresDevice).
func (d *Device) PlonkCommittedMSM(field zkaccel.Field, elemSize int, values []byte, msm *zkaccel.MSMRequest) (zkaccel.ResidentPolys, error) {
	d.lock()
	defer d.mu.Unlock()
	kc, err := d.plonkCommittedMSM(field, elemSize, values, msm)
	if err != nil {
		return nil, d.forgetIfReset(err)
	}
	return kc, nil
}

func (d *Device) plonkCommittedMSM(field zkaccel.Field, elemSize int, values []byte, msm *zkaccel.MSMRequest) (*keptCommitted, error) {
	op := "plonk committed and msm " + string(field)
	if err := d.switchedOn(op, EnvPlonkFuse); err != nil {
		return nil, err
	}
	n := 0
	if elemSize > 0 {
		n = len(values) / elemSize
	}
	_, err := d.quotientField(op, field, elemSize, func() error {
		switch {
		case n < 1 || len(values) != n*elemSize:
			return fmt.Errorf("%w: %d bytes of values of %d", errBadRequest, len(values), elemSize)
		case msm == nil:
			return fmt.Errorf("%w: no MSM", errBadRequest)
		case len(msm.Scalars) != 0:
			return fmt.Errorf("%w: the MSM has %d bytes of scalars, want none (they are the values)", errBadRequest, len(msm.Scalars))
		case msm.N < 1 || msm.N > n:
			return fmt.Errorf("%w: the MSM takes %d of %d values", errBadRequest, msm.N, n)
		case string(msm.Curve) != string(field):
			return fmt.Errorf("%w: an MSM over %s for values in %s", errBadRequest, msm.Curve, field)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	held := uint64(len(values))
	if room := d.room(); room > 0 && held > room {
		return nil, d.unsupported(op, "n = %d: %s of values exceed the device's memory left (%s)", n, bytesStr(held), bytesStr(room))
	}
	calls, err := d.msmCalls([]*zkaccel.MSMRequest{msm}, []int{0})
	if err != nil {
		return nil, err
	}
	if err := d.fusedFits(op, held, calls); err != nil {
		return nil, err
	}
	keep := &scratch{rt: d.rt} // the values, freed only on failure
	buf, err := keep.upload(values)
	if err != nil {
		keep.free()
		return nil, d.errorf(op, err)
	}
	calls[0].dscal = buf
	if err := d.msmRun(calls, nil); err != nil {
		_ = d.rt.Finish()
		keep.free()
		return nil, err
	}
	kc := &keptCommitted{d: d, field: field, n: n, buf: buf, size: int64(keep.used)}
	d.resident.Add(kc.size)
	return kc, nil
}

// plonkCommittedOf checks a quotient request's kept values of commitment
// j: nil where not given, else this device's, not freed, kept for the
// request's field and N. The caller holds d.mu.
func (d *Device) plonkCommittedOf(req *zkaccel.PlonkQuotientRequest, j int) (*keptCommitted, error) {
	if j >= len(req.Committed) || req.Committed[j] == nil {
		return nil, nil
	}
	c, ok := req.Committed[j].(*keptCommitted)
	switch {
	case !ok || c == nil:
		return nil, fmt.Errorf("%w: kept values %T of commitment %d are not a GPU device's", errBadRequest, req.Committed[j], j)
	case c.d != d:
		return nil, fmt.Errorf("%w: the kept values of commitment %d belong to %v", errBadRequest, j, c.d)
	case c.field != req.Field || c.n != req.N:
		return nil, fmt.Errorf("%w: commitment %d's values kept for %s, n = %d, for a quotient of %s, n = %d", errBadRequest, j, c.field, c.n, req.Field, req.N)
	case c.freed.is():
		return nil, fmt.Errorf("the kept values of commitment %d were freed", j)
	}
	return c, nil
}
