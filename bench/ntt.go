package bench

import (
	"crypto/sha256"
	"fmt"
	"math/rand"

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
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/ntt"
	nttbb "github.com/zkaccel/zkaccel/ntt/babybear"
	ntt377 "github.com/zkaccel/zkaccel/ntt/bls12-377"
	ntt381 "github.com/zkaccel/zkaccel/ntt/bls12-381"
	nttbn "github.com/zkaccel/zkaccel/ntt/bn254"
	nttgl "github.com/zkaccel/zkaccel/ntt/goldilocks"
	nttkb "github.com/zkaccel/zkaccel/ntt/koalabear"
)

// nttWorkload returns the NTT workload of field f: a forward FFT with DIF
// decimation (natural order in, bit-reversed out) on fft.NewDomain(2^k), on
// uniform field elements.
func nttWorkload(f zkaccel.Field) (*workload, error) {
	w := &workload{op: OpNTT, target: string(f), variant: "fft-dif"}
	// Each case gives the field's root-of-unity check and its inputs.
	switch f {
	case zkaccel.FieldBN254:
		w.check = rootCheck(fftbn.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fftbn.NewDomain(1<<logN), inputs.Elements[frbn.Element](rng, 1<<logN), nttbn.FFT, fftbn.DIF)
		}
	case zkaccel.FieldBLS12381:
		w.check = rootCheck(fft381.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fft381.NewDomain(1<<logN), inputs.Elements[fr381.Element](rng, 1<<logN), ntt381.FFT, fft381.DIF)
		}
	case zkaccel.FieldBLS12377:
		w.check = rootCheck(fft377.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fft377.NewDomain(1<<logN), inputs.Elements[fr377.Element](rng, 1<<logN), ntt377.FFT, fft377.DIF)
		}
	case zkaccel.FieldGoldilocks:
		w.check = rootCheck(fftgl.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fftgl.NewDomain(1<<logN), inputs.Elements[goldilocks.Element](rng, 1<<logN), nttgl.FFT, fftgl.DIF)
		}
	case zkaccel.FieldBabyBear:
		w.check = rootCheck(fftbb.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fftbb.NewDomain(1<<logN), inputs.Elements[babybear.Element](rng, 1<<logN), nttbb.FFT, fftbb.DIF)
		}
	case zkaccel.FieldKoalaBear:
		w.check = rootCheck(fftkb.Generator)
		w.prepare = func(rng *rand.Rand, logN int) instance {
			return newNTT(fftkb.NewDomain(1<<logN), inputs.Elements[koalabear.Element](rng, 1<<logN), nttkb.FFT, fftkb.DIF)
		}
	default:
		return nil, fmt.Errorf("zkaccel bench: ntt: unknown field %q (fields: %s)", f, joinNames(Fields()))
	}
	return w, nil
}

// rootCheck turns a field's fft.Generator, which fails when the field has
// no root of unity of the domain's order, into a workload's size check.
func rootCheck[E any](generator func(m uint64) (E, error)) func(logN int) error {
	return func(logN int) error {
		if _, err := generator(uint64(1) << logN); err == nil {
			return nil
		}
		largest := logN - 1
		for ; largest > 0; largest-- {
			if _, err := generator(uint64(1) << largest); err == nil {
				break
			}
		}
		return fmt.Errorf("no NTT of size 2^%d: the field's largest power-of-two domain is 2^%d", logN, largest)
	}
}

// nttInstance is one NTT's domain, its inputs, and the buffer each run
// transforms in place.
type nttInstance[D, E any, Dec any] struct {
	domain *D
	input  []E
	work   []E
	fft    func(*D, []E, Dec, ...ntt.Option) error
	dif    Dec
}

func newNTT[D, E any, Dec any](d *D, input []E, fft func(*D, []E, Dec, ...ntt.Option) error, dif Dec) instance {
	return &nttInstance[D, E, Dec]{domain: d, input: input, work: make([]E, len(input)), fft: fft, dif: dif}
}

func (t *nttInstance[D, E, Dec]) reset() { copy(t.work, t.input) }

func (t *nttInstance[D, E, Dec]) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	return t.fft(t.domain, t.work, t.dif, ntt.WithDevice(dev), ntt.WithReport(rep))
}

func (t *nttInstance[D, E, Dec]) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(t.work))
	return sum[:]
}
