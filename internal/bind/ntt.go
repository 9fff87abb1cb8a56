package bind

import (
	fr377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	fft377 "github.com/consensys/gnark-crypto/ecc/bls12-377/fr/fft"
	fr381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	fft381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/fft"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	fftbn "github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark-crypto/field/babybear"
	fftbb "github.com/consensys/gnark-crypto/field/babybear/fft"
	"github.com/consensys/gnark-crypto/field/goldilocks"
	fftgl "github.com/consensys/gnark-crypto/field/goldilocks/fft"
	"github.com/consensys/gnark-crypto/field/koalabear"
	fftkb "github.com/consensys/gnark-crypto/field/koalabear/fft"

	"github.com/zkaccel/zkaccel"
)

// Consts are the constants of a gnark-crypto fft.Domain, copied out of it.
type Consts[E any] struct {
	Cardinality                                                        uint64
	Generator, GeneratorInv, CardinalityInv, CosetShift, CosetShiftInv E
}

// NTT binds one field's gnark-crypto fft package: Dom is its Domain, E its
// element, Dec its Decimation, O its Option and DO its DomainOption.
type NTT[Dom, E any, Dec ~uint8, O, DO any] struct {
	Field zkaccel.Field
	// NewDomain, WithShift, WithoutPrecompute and WithCache are fft's.
	NewDomain         func(m uint64, opts ...DO) *Dom
	WithShift         func(shift E) DO
	WithoutPrecompute func() DO
	WithCache         func() DO
	// Generator is fft.Generator: the generator of the domain of size m, or
	// an error where the field has no such domain.
	Generator func(m uint64) (E, error)
	// FFT and FFTInverse are (*fft.Domain).FFT and FFTInverse.
	FFT, FFTInverse func(d *Dom, a []E, dec Dec, opts ...O)
	// OnCoset and WithNbTasks are fft's.
	OnCoset     func() O
	WithNbTasks func(n int) O
	DIT, DIF    Dec
	// Consts reads a domain's constants.
	Consts func(d *Dom) Consts[E]
}

// The six fields zkaccel's NTT front ends cover.
var (
	BN254 = NTT[fftbn.Domain, frbn.Element, fftbn.Decimation, fftbn.Option, fftbn.DomainOption]{
		zkaccel.FieldBN254, fftbn.NewDomain, fftbn.WithShift, fftbn.WithoutPrecompute, fftbn.WithCache,
		fftbn.Generator, (*fftbn.Domain).FFT, (*fftbn.Domain).FFTInverse, fftbn.OnCoset, fftbn.WithNbTasks,
		fftbn.DIT, fftbn.DIF, func(d *fftbn.Domain) Consts[frbn.Element] {
			return Consts[frbn.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
	BLS12381 = NTT[fft381.Domain, fr381.Element, fft381.Decimation, fft381.Option, fft381.DomainOption]{
		zkaccel.FieldBLS12381, fft381.NewDomain, fft381.WithShift, fft381.WithoutPrecompute, fft381.WithCache,
		fft381.Generator, (*fft381.Domain).FFT, (*fft381.Domain).FFTInverse, fft381.OnCoset, fft381.WithNbTasks,
		fft381.DIT, fft381.DIF, func(d *fft381.Domain) Consts[fr381.Element] {
			return Consts[fr381.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
	BLS12377 = NTT[fft377.Domain, fr377.Element, fft377.Decimation, fft377.Option, fft377.DomainOption]{
		zkaccel.FieldBLS12377, fft377.NewDomain, fft377.WithShift, fft377.WithoutPrecompute, fft377.WithCache,
		fft377.Generator, (*fft377.Domain).FFT, (*fft377.Domain).FFTInverse, fft377.OnCoset, fft377.WithNbTasks,
		fft377.DIT, fft377.DIF, func(d *fft377.Domain) Consts[fr377.Element] {
			return Consts[fr377.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
	Goldilocks = NTT[fftgl.Domain, goldilocks.Element, fftgl.Decimation, fftgl.Option, fftgl.DomainOption]{
		zkaccel.FieldGoldilocks, fftgl.NewDomain, fftgl.WithShift, fftgl.WithoutPrecompute, fftgl.WithCache,
		fftgl.Generator, (*fftgl.Domain).FFT, (*fftgl.Domain).FFTInverse, fftgl.OnCoset, fftgl.WithNbTasks,
		fftgl.DIT, fftgl.DIF, func(d *fftgl.Domain) Consts[goldilocks.Element] {
			return Consts[goldilocks.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
	BabyBear = NTT[fftbb.Domain, babybear.Element, fftbb.Decimation, fftbb.Option, fftbb.DomainOption]{
		zkaccel.FieldBabyBear, fftbb.NewDomain, fftbb.WithShift, fftbb.WithoutPrecompute, fftbb.WithCache,
		fftbb.Generator, (*fftbb.Domain).FFT, (*fftbb.Domain).FFTInverse, fftbb.OnCoset, fftbb.WithNbTasks,
		fftbb.DIT, fftbb.DIF, func(d *fftbb.Domain) Consts[babybear.Element] {
			return Consts[babybear.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
	KoalaBear = NTT[fftkb.Domain, koalabear.Element, fftkb.Decimation, fftkb.Option, fftkb.DomainOption]{
		zkaccel.FieldKoalaBear, fftkb.NewDomain, fftkb.WithShift, fftkb.WithoutPrecompute, fftkb.WithCache,
		fftkb.Generator, (*fftkb.Domain).FFT, (*fftkb.Domain).FFTInverse, fftkb.OnCoset, fftkb.WithNbTasks,
		fftkb.DIT, fftkb.DIF, func(d *fftkb.Domain) Consts[koalabear.Element] {
			return Consts[koalabear.Element]{d.Cardinality, d.Generator, d.GeneratorInv, d.CardinalityInv, d.FrMultiplicativeGen, d.FrMultiplicativeGenInv}
		}}
)
