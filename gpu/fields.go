package gpu

import (
	"math/big"

	"github.com/consensys/gnark-crypto/field/babybear"
	"github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/koalabear"

	bls377fp "github.com/consensys/gnark-crypto/ecc/bls12-377/fp"
	bls377fr "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381fp "github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	bls381fr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	bn254fp "github.com/consensys/gnark-crypto/ecc/bn254/fp"
	bn254fr "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
)

// FieldInfo describes a prime field as the device sees it.
type FieldInfo struct {
	Modulus  *big.Int
	LimbBits int // 64 (u64 limbs) or 32 (one u32 word)
	Limbs    int // limbs per element
}

// ElemSize is the size of one element in bytes.
func (f FieldInfo) ElemSize() int { return f.Limbs * f.LimbBits / 8 }

// Source instantiates the field template for f under prefix name.
func (f FieldInfo) Source(name string) string { return FieldSource(name, f.Modulus, f.LimbBits) }

func info64(p *big.Int) FieldInfo {
	return FieldInfo{Modulus: p, LimbBits: 64, Limbs: (p.BitLen() + 63) / 64}
}

func info32(p *big.Int) FieldInfo { return FieldInfo{Modulus: p, LimbBits: 32, Limbs: 1} }

// ScalarField returns the field of an NTT request (a curve's scalar field,
// or a small field), and ok=false for a field this package does not know.
func ScalarField(f zkaccel.Field) (FieldInfo, bool) {
	switch f {
	case zkaccel.FieldBN254:
		return info64(bn254fr.Modulus()), true
	case zkaccel.FieldBLS12381:
		return info64(bls381fr.Modulus()), true
	case zkaccel.FieldBLS12377:
		return info64(bls377fr.Modulus()), true
	case zkaccel.FieldGoldilocks:
		return info64(goldilocks.Modulus()), true
	case zkaccel.FieldBabyBear:
		return info32(babybear.Modulus()), true
	case zkaccel.FieldKoalaBear:
		return info32(koalabear.Modulus()), true
	}
	return FieldInfo{}, false
}

// BaseField returns a curve's base field Fp, ok=false for an unknown curve.
func BaseField(c zkaccel.Curve) (FieldInfo, bool) {
	switch c {
	case zkaccel.BN254:
		return info64(bn254fp.Modulus()), true
	case zkaccel.BLS12381:
		return info64(bls381fp.Modulus()), true
	case zkaccel.BLS12377:
		return info64(bls377fp.Modulus()), true
	}
	return FieldInfo{}, false
}
