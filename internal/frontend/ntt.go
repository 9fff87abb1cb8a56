package frontend

import (
	"fmt"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/ntt"
)

// DomainConsts are the constants of a gnark-crypto fft.Domain.
type DomainConsts[E any] struct {
	Cardinality                             uint64
	Generator, GeneratorInv, CardinalityInv *E
	CosetShift, CosetShiftInv               *E
}

// NTTField binds the NTT front end to one field's gnark-crypto fft package:
// Dom is its Domain type, E its element, Dec its Decimation and O its Option.
type NTTField[Dom, E any, Dec ~uint8, O any] struct {
	Field       zkaccel.Field
	FFT         func(d *Dom, a []E, dec Dec, opts ...O) // (*fft.Domain).FFT
	FFTInverse  func(d *Dom, a []E, dec Dec, opts ...O) // (*fft.Domain).FFTInverse
	OnCoset     func() O                                // fft.OnCoset
	WithNbTasks func(int) O                             // fft.WithNbTasks
	Consts      func(d *Dom) DomainConsts[E]
	DIT, DIF    Dec // fft.DIT, fft.DIF

	opsOnce      sync.Once
	opFFT, opInv string
}

// ops returns the operation names, "ntt FIELD fft" and "ntt FIELD fft-inverse",
// built once rather than on every call.
func (f *NTTField[Dom, E, Dec, O]) ops() (fwd, inv string) {
	f.opsOnce.Do(func() {
		f.opFFT = "ntt " + string(f.Field) + " fft"
		f.opInv = f.opFFT + "-inverse"
	})
	return f.opFFT, f.opInv
}

// Run computes, in place, what d.FFT(a, dec, …) (or d.FFTInverse when
// inverse is set) computes, on the device the options choose.
func (f *NTTField[Dom, E, Dec, O]) Run(d *Dom, a []E, dec Dec, inverse bool, opts []ntt.Option) error {
	op, opInv := f.ops()
	gnarkFFT := f.FFT
	if inverse {
		op, gnarkFFT = opInv, f.FFTInverse
	}
	cfg := dispatch.Apply(opts)
	if d == nil {
		return fmt.Errorf("zkaccel: %s: nil domain", op)
	}
	k := f.Consts(d)
	if uint64(len(a)) != k.Cardinality {
		return fmt.Errorf("zkaccel: %s: len(a) = %d, but the domain's cardinality is %d", op, len(a), k.Cardinality)
	}
	var zdec zkaccel.Decimation
	switch dec {
	case f.DIT:
		zdec = zkaccel.DIT
	case f.DIF:
		zdec = zkaccel.DIF
	default:
		return fmt.Errorf("zkaccel: %s: unknown decimation %d (want fft.DIT or fft.DIF)", op, dec)
	}
	coset, nbTasks := cfg.Coset, cfg.NbTasks
	cpu := func() error {
		switch {
		case !coset && nbTasks == 0:
			gnarkFFT(d, a, dec) // no option slice to allocate
		case nbTasks == 0:
			gnarkFFT(d, a, dec, f.OnCoset())
		case !coset:
			gnarkFFT(d, a, dec, f.WithNbTasks(nbTasks))
		default:
			gnarkFFT(d, a, dec, f.OnCoset(), f.WithNbTasks(nbTasks))
		}
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		nd, ok := dev.(zkaccel.NTTDevice)
		if !ok {
			return dispatch.Unsupported(dev, op)
		}
		one := func(e *E) []byte { return rawbytes.Of([]E{*e}) }
		req := zkaccel.NTTRequest{
			Field: f.Field, ElemSize: len(one(k.Generator)), N: len(a), Data: rawbytes.Of(a),
			Inverse: inverse, Decimation: zdec, Coset: coset,
			Generator: one(k.Generator), GeneratorInv: one(k.GeneratorInv),
			CardinalityInv: one(k.CardinalityInv),
			CosetShift:     one(k.CosetShift), CosetShiftInv: one(k.CosetShiftInv),
			NbTasks: nbTasks,
		}
		return nd.NTT(&req)
	}
	return dispatch.Run(&cfg, op, len(a), accel, cpu)
}
