package frontend

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
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
}

// Run computes, in place, what d.FFT(a, dec, …) (or d.FFTInverse when
// inverse is set) computes, on the device the options choose.
func (f *NTTField[Dom, E, Dec, O]) Run(d *Dom, a []E, dec Dec, inverse bool, opts []ntt.Option) error {
	op := "ntt " + string(f.Field) + " fft"
	gnarkFFT := f.FFT
	if inverse {
		op += "-inverse"
		gnarkFFT = f.FFTInverse
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
	cpu := func() error {
		var fo [2]O
		o := fo[:0]
		if cfg.Coset {
			o = append(o, f.OnCoset())
		}
		if cfg.NbTasks > 0 {
			o = append(o, f.WithNbTasks(cfg.NbTasks))
		}
		gnarkFFT(d, a, dec, o...)
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		nd, ok := dev.(zkaccel.NTTDevice)
		if !ok {
			return dispatch.Unsupported(dev, op)
		}
		one := func(e *E) []byte { return Bytes([]E{*e}) }
		req := zkaccel.NTTRequest{
			Field: f.Field, ElemSize: len(one(k.Generator)), N: len(a), Data: Bytes(a),
			Inverse: inverse, Decimation: zdec, Coset: cfg.Coset,
			Generator: one(k.Generator), GeneratorInv: one(k.GeneratorInv),
			CardinalityInv: one(k.CardinalityInv),
			CosetShift:     one(k.CosetShift), CosetShiftInv: one(k.CosetShiftInv),
			NbTasks: cfg.NbTasks,
		}
		return nd.NTT(&req)
	}
	return dispatch.Run(&cfg, op, len(a), accel, cpu)
}
