package fpga

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/goldilocks/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// The flags of zkaccel_fpga_ntt_params.
const (
	nttInverse = 1 << 0
	nttDIT     = 1 << 1
	nttCoset   = 1 << 2
)

// NTT runs an NTT in place (zkaccel.NTTDevice): Goldilocks on a device with
// the ntt_goldilocks capability; every other field, and a size the driver
// answers with ZKACCEL_FPGA_UNSUPPORTED, is zkaccel.ErrUnsupported, which
// the front ends answer on the CPU. A malformed request (sizes, unreduced
// elements, an unknown decimation) is an error. req.Data is written only
// on success.
func (d *Device) NTT(req *zkaccel.NTTRequest) error {
	if req == nil {
		return d.errorf("ntt", fmt.Errorf("nil request"))
	}
	op := "ntt " + string(req.Field)
	if req.Field != zkaccel.FieldGoldilocks || d.caps&CapNTTGoldilocks == 0 {
		return d.unsupported(op)
	}
	params, data, err := nttDecode(req)
	if err != nil {
		return d.errorf(op, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ntt(params, data); err != nil {
		return d.errorf(op, err)
	}
	for i, v := range data {
		var e fgl.Element
		e.SetUint64(v)
		binary.LittleEndian.PutUint64(req.Data[8*i:], e[0])
	}
	return nil
}

// nttParams is zkaccel_fpga_ntt_params.
type nttParams struct {
	logN, flags             uint32
	root, cardInv, cosetArg uint64
}

// nttDecode checks a Goldilocks request and returns the driver's
// parameters and the data as canonical values.
func nttDecode(req *zkaccel.NTTRequest) (nttParams, []uint64, error) {
	var p nttParams
	switch {
	case req.ElemSize != 8:
		return p, nil, fmt.Errorf("ElemSize = %d, want 8", req.ElemSize)
	case req.N < 1 || req.N&(req.N-1) != 0:
		return p, nil, fmt.Errorf("N = %d is not a power of two", req.N)
	case req.Decimation != zkaccel.DIT && req.Decimation != zkaccel.DIF:
		return p, nil, fmt.Errorf("unknown decimation %d", req.Decimation)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return p, nil, fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	data, err := canonical("Data", req.Data, req.N)
	if err != nil {
		return p, nil, err
	}
	one := func(what string, b []byte) (uint64, error) {
		v, err := canonical(what, b, 1)
		if err != nil {
			return 0, err
		}
		return v[0], nil
	}
	gen, shift := req.Generator, req.CosetShift
	p.logN = uint32(bits.TrailingZeros(uint(req.N)))
	if req.Inverse {
		gen, shift = req.GeneratorInv, req.CosetShiftInv
		p.flags |= nttInverse
	}
	if req.Decimation == zkaccel.DIT {
		p.flags |= nttDIT
	}
	if req.Coset {
		p.flags |= nttCoset
	}
	if p.root, err = one("the stage root", gen); err != nil {
		return p, nil, err
	}
	if p.cardInv, err = one("CardinalityInv", req.CardinalityInv); err != nil {
		return p, nil, err
	}
	if p.cosetArg, err = one("the coset shift", shift); err != nil {
		return p, nil, err
	}
	return p, data, nil
}

// ntt runs one NTT of data (canonical, in place) through the driver,
// adding the cycles. The caller holds d.mu or has the device to itself.
func (d *Device) ntt(p nttParams, data []uint64) error {
	var ps cgo.Pins
	defer ps.Done()
	params := ps.Words(uintptr(p.logN)|uintptr(p.flags)<<32, uintptr(p.root), uintptr(p.cardInv), uintptr(p.cosetArg))
	cyc := ps.Word(0)
	if err := d.drv.call(d.drv.nttGoldilocks, d.handle, cgo.Addrs(params), ps.Bytes(rawbytes.Of(data)), cgo.Addr(cyc)); err != nil {
		return err
	}
	d.cycles += uint64(*cyc)
	return nil
}

var _ zkaccel.NTTDevice = (*Device)(nil)

// nttSelfTest runs two NTTs of 2^5 elements, a forward DIF on the default
// coset and an inverse DIT, against gnark-crypto's fft.Domain.
func (d *Device) nttSelfTest() error {
	const logN = 5
	dom := fft.NewDomain(1 << logN)
	for _, inverse := range []bool{false, true} {
		want := make([]fgl.Element, 1<<logN)
		got := make([]uint64, len(want))
		for i := range want {
			want[i].SetUint64(uint64(i*i + 3))
			got[i] = want[i].Uint64()
		}
		p := nttParams{logN: logN, root: dom.Generator.Uint64(), cardInv: dom.CardinalityInv.Uint64(), cosetArg: dom.FrMultiplicativeGen.Uint64(), flags: nttCoset}
		if inverse {
			dom.FFTInverse(want, fft.DIT)
			p.root, p.cosetArg, p.flags = dom.GeneratorInv.Uint64(), 1, nttInverse|nttDIT
		} else {
			dom.FFT(want, fft.DIF, fft.OnCoset())
		}
		if err := d.ntt(p, got); err != nil {
			return err
		}
		for i := range want {
			if got[i] != want[i].Uint64() {
				return fmt.Errorf("inverse %v: element %d = %#x, gnark-crypto %#x", inverse, i, got[i], want[i].Uint64())
			}
		}
	}
	return nil
}
