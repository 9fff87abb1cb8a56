package fpga

import (
	"encoding/binary"
	"fmt"
	"slices"

	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/internal/p2diag"
	"github.com/zkaccel/zkaccel/internal/poseidon2x"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// Poseidon2 over Goldilocks through the driver's poseidon2_goldilocks:
// zkaccel's requests hold Montgomery-form elements (gnark-crypto's
// layout); the ABI takes canonical ones, so the batch is converted on the
// way in and out.

// p2Widths are the widths of Goldilocks Poseidon2 (gnark-crypto's).
var p2Widths = []int{8, 12}

// goldilocksP is the Goldilocks prime 2^64 − 2^32 + 1.
const goldilocksP = 0xFFFFFFFF00000001

// Poseidon is zkaccel.ErrUnsupported: the ABI has no Poseidon (Circom or
// Hermez) entry.
func (d *Device) Poseidon(req *zkaccel.PoseidonRequest) error {
	op := "poseidon"
	if req != nil {
		op += " " + string(req.Variant)
	}
	return d.unsupported(op)
}

// Poseidon2 permutes a batch of states in place (zkaccel.PoseidonDevice):
// Goldilocks on a device with the poseidon2_goldilocks capability; every
// other field, and a width or round count the driver's cores do not take
// (ZKACCEL_FPGA_UNSUPPORTED), is zkaccel.ErrUnsupported, which the front
// ends answer on the CPU. A malformed request (sizes, unreduced elements)
// is an error. The states are written only on success.
func (d *Device) Poseidon2(req *zkaccel.Poseidon2Request) error {
	if req == nil {
		return d.errorf("poseidon2", fmt.Errorf("nil request"))
	}
	op := "poseidon2 " + string(req.Field)
	if req.Field != zkaccel.FieldGoldilocks || d.caps&CapPoseidon2Goldilocks == 0 {
		return d.unsupported(op)
	}
	keys, diag, states, err := p2Decode(req)
	if err != nil {
		return d.errorf(op, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.p2(req.Width, req.NbFullRounds, req.NbPartialRounds, keys, diag, states, req.N); err != nil {
		return d.errorf(op, err)
	}
	for i, v := range states {
		var e fgl.Element
		e.SetUint64(v)
		binary.LittleEndian.PutUint64(req.States[8*i:], e[0])
	}
	return nil
}

// p2Decode checks the shape of a Goldilocks request and returns its round
// keys, diagonal and states as canonical values.
func p2Decode(req *zkaccel.Poseidon2Request) (keys, diag, states []uint64, err error) {
	t, rf, rp := req.Width, req.NbFullRounds, req.NbPartialRounds
	switch {
	case !slices.Contains(p2Widths, t):
		return nil, nil, nil, fmt.Errorf("Width = %d: Goldilocks Poseidon2 has widths %v", t, p2Widths)
	case rf < 0 || rp < 0 || rf+rp > 1<<12:
		return nil, nil, nil, fmt.Errorf("NbFullRounds = %d, NbPartialRounds = %d: out of range", rf, rp)
	case req.N < 1:
		return nil, nil, nil, fmt.Errorf("N = %d, want ≥ 1", req.N)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return nil, nil, nil, fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	if keys, err = canonical("RoundKeys", req.RoundKeys, rf*t+rp); err != nil {
		return nil, nil, nil, err
	}
	if diag, err = canonical("DiagM1", req.DiagM1, t); err != nil {
		return nil, nil, nil, err
	}
	if req.N > (1<<40)/t {
		return nil, nil, nil, fmt.Errorf("N = %d states: too many", req.N)
	}
	if states, err = canonical("States", req.States, req.N*t); err != nil {
		return nil, nil, nil, err
	}
	return keys, diag, states, nil
}

// canonical decodes n Montgomery-form Goldilocks elements from raw into
// their canonical values, checking the size and that each is reduced.
func canonical(what string, raw []byte, n int) ([]uint64, error) {
	if len(raw) != 8*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d (%d elements)", what, len(raw), 8*n, n)
	}
	out := make([]uint64, n)
	for i := range out {
		var e fgl.Element
		e[0] = binary.LittleEndian.Uint64(raw[8*i:])
		if e[0] >= goldilocksP {
			return nil, fmt.Errorf("%s: element %d is not reduced", what, i)
		}
		out[i] = e.Uint64()
	}
	return out, nil
}

// p2 permutes n states (canonical, in place) through the driver, adding
// the cycles. The caller holds d.mu or has the device to itself.
func (d *Device) p2(t, rf, rp int, keys, diag, states []uint64, n int) error {
	var ps cgo.Pins
	defer ps.Done()
	addr := func(v []uint64) uintptr {
		if len(v) == 0 {
			return 0
		}
		return ps.Bytes(rawbytes.Of(v))
	}
	// zkaccel_fpga_poseidon2_params: width, full_rounds (one word), then
	// partial_rounds, reserved, then the two pointers.
	params := ps.Words(uintptr(t)|uintptr(rf)<<32, uintptr(rp), addr(keys), addr(diag))
	cyc := ps.Word(0)
	if err := d.drv.call(d.drv.poseidon2Goldilocks, d.handle, cgo.Addrs(params), addr(states), uintptr(n), cgo.Addr(cyc)); err != nil {
		return err
	}
	d.cycles += uint64(*cyc)
	return nil
}

// p2SelfTest permutes the state 0, 1, …, t−1 with gnark-crypto's default
// Goldilocks parameters (rf = 6, rp = 17) for widths 8 and 12 and compares
// it with gnark-crypto's own permutation.
func (d *Device) p2SelfTest() error {
	for _, t := range p2Widths {
		const rf, rp = 6, 17
		params := p2gl.NewParameters(t, rf, rp)
		flat, err := poseidon2x.Flatten(t, rf, rp, params.RoundKeys)
		if err != nil {
			return err
		}
		keys := make([]uint64, len(flat))
		for i := range flat {
			keys[i] = flat[i].Uint64()
		}
		diag := p2diag.Goldilocks[t]
		want := make([]fgl.Element, t)
		got := make([]uint64, t)
		for i := range t {
			want[i].SetUint64(uint64(i))
			got[i] = uint64(i)
		}
		if err := p2gl.NewPermutation(t, rf, rp).Permutation(want); err != nil {
			return err
		}
		if err := d.p2(t, rf, rp, keys, diag, got, 1); err != nil {
			return fmt.Errorf("t=%d: %w", t, err)
		}
		for i := range t {
			if got[i] != want[i].Uint64() {
				return fmt.Errorf("t=%d: element %d = %#x, gnark-crypto %#x", t, i, got[i], want[i].Uint64())
			}
		}
	}
	return nil
}

var _ zkaccel.PoseidonDevice = (*Device)(nil)
