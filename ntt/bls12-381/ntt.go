// Package bls12381 is the NTT front end for BLS12-381's scalar field: drop-in
// replacements for gnark-crypto's Domain.FFT and Domain.FFTInverse that run
// on any zkaccel device.
package bls12381

import (
	field "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/frontend"
	"github.com/zkaccel/zkaccel/ntt"
)

var impl = frontend.NTTField[fft.Domain, field.Element, fft.Decimation, fft.Option]{
	Field:       zkaccel.FieldBLS12381,
	FFT:         (*fft.Domain).FFT,
	FFTInverse:  (*fft.Domain).FFTInverse,
	OnCoset:     fft.OnCoset,
	WithNbTasks: fft.WithNbTasks,
	DIT:         fft.DIT,
	DIF:         fft.DIF,
	Consts: func(d *fft.Domain) frontend.DomainConsts[field.Element] {
		return frontend.DomainConsts[field.Element]{
			Cardinality: d.Cardinality, Generator: &d.Generator, GeneratorInv: &d.GeneratorInv,
			CardinalityInv: &d.CardinalityInv, CosetShift: &d.FrMultiplicativeGen, CosetShiftInv: &d.FrMultiplicativeGenInv,
		}
	},
}

// FFT transforms a in place, exactly as d.FFT(a, dec) does — or, with
// ntt.OnCoset(), as d.FFT(a, dec, fft.OnCoset()) does, evaluating on the
// coset shifted by d.FrMultiplicativeGen. With fft.DIT the input is in
// bit-reversed order and the output natural; with fft.DIF the input is
// natural and the output bit-reversed. len(a) must equal d.Cardinality. It
// runs on the device of ntt.WithDevice, else on zkaccel.Default(), and falls
// back to the CPU where that device lacks the operation. Not constant-time.
func FFT(d *fft.Domain, a []field.Element, dec fft.Decimation, opts ...ntt.Option) error {
	return impl.Run(d, a, dec, false, opts)
}

// FFTInverse is the inverse of [FFT], exactly as d.FFTInverse(a, dec[,
// fft.OnCoset()]) computes it (scaled by 1/n, and by the coset's inverse
// shift with ntt.OnCoset()).
func FFTInverse(d *fft.Domain, a []field.Element, dec fft.Decimation, opts ...ntt.Option) error {
	return impl.Run(d, a, dec, true, opts)
}
