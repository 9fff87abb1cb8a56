package gpu

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// A PLONK proof's wires go up for its ratio (plonk_ratio.go), which
// computes Z on the device; its quotient (plonk.go) then interpolates the
// wires and Z from their values. A ratio request with Keep leaves those
// four vectors on the device (keptValues), and the quotient request that
// names them (zkaccel.PlonkQuotientRequest.Values) reads them there: at
// 2^20 for BN254, 4 × 32 MiB less to upload per proof.

// keptValues are one proof's values of L, R, O and Z on ⟨ω⟩ (natural
// order), kept on the device by its ratio for its quotient.
type keptValues struct {
	d     *Device
	field zkaccel.Field
	n     int
	bufs  [4]Buffer // L, R, O, Z
	size  int64
	freed freeOnce
	// wired, where the ratio read the wires there
	// (zkaccel.PlonkRatioRequest.Wired), holds L, R and O: Free leaves
	// them to it.
	wired *keptWires
}

func (k *keptValues) Device() zkaccel.Device { return k.d }
func (k *keptValues) Len() int               { return len(k.bufs) }

// Free releases the values' device memory; freeing twice does nothing.
func (k *keptValues) Free() {
	if k.wired != nil {
		k.d.release(&k.freed, k.size, k.bufs[3])
		return
	}
	k.d.release(&k.freed, k.size, k.bufs[:]...)
}

// keepScratch returns the scratch that holds what a ratio request keeps
// (nil without Keep): its buffers outlive the call where it succeeds.
func (d *Device) keepScratch(req *zkaccel.PlonkRatioRequest) *scratch {
	if !req.Keep {
		return nil
	}
	return &scratch{rt: d.rt}
}

// keepValues hands keep's buffers, the wires and z among them, to the
// caller as req.Kept, once the ratio succeeded.
func (d *Device) keepValues(req *zkaccel.PlonkRatioRequest, keep *scratch, wires [3]Buffer, z Buffer) {
	k := &keptValues{d: d, field: req.Field, n: req.N, bufs: [4]Buffer{wires[0], wires[1], wires[2], z}, size: int64(keep.used)}
	if w, ok := req.Wired.(*keptWires); ok {
		k.wired = w // keep holds Z alone
	}
	d.resident.Add(k.size)
	req.Kept = k
}

// plonkValuesOf checks a quotient request's kept values: this device's,
// not freed, kept for the request's field and N. The caller holds d.mu.
func (d *Device) plonkValuesOf(req *zkaccel.PlonkQuotientRequest) (*keptValues, error) {
	k, ok := req.Values.(*keptValues)
	switch {
	case !ok || k == nil:
		return nil, fmt.Errorf("%w: kept values %T are not a GPU device's ratio's", errBadRequest, req.Values)
	case k.d != d:
		return nil, fmt.Errorf("%w: the kept values belong to %v", errBadRequest, k.d)
	case k.field != req.Field || k.n != req.N:
		return nil, fmt.Errorf("%w: values kept for %s, n = %d, for a quotient of %s, n = %d", errBadRequest, k.field, k.n, req.Field, req.N)
	case k.freed.is():
		return nil, fmt.Errorf("the kept values were freed")
	case k.wired != nil && k.wired.freed.is():
		return nil, fmt.Errorf("the kept wires that the kept values read were freed")
	}
	return k, nil
}
