package gpu

import (
	"embed"
	"fmt"
	"math/big"
	"strings"
)

//go:embed src/*
var srcFS embed.FS

// File returns the text of one file of the device source (src/name).
func File(name string) string {
	b, err := srcFS.ReadFile("src/" + name)
	if err != nil {
		// The names are constants of this package; a missing one is a bug
		// that every test of the op would show.
		panic(fmt.Sprintf("gpu: no device source file %q", name))
	}
	return string(b)
}

// Source composes a complete program: the portability header, then parts
// in order (field instances from [FieldSource], op files from [File]).
func Source(parts ...string) string {
	var sb strings.Builder
	sb.WriteString(File("common.h"))
	for _, p := range parts {
		sb.WriteString("\n")
		sb.WriteString(p)
	}
	return sb.String()
}

// FieldSource instantiates the field template for modulus p under the
// identifier prefix name ("fr", "fp"): 64-bit limbs (src/field64.cl) when
// limbBits is 64, one 32-bit word (src/field32.cl) when it is 32. The
// constants (p, −p⁻¹, R mod p, R² mod p) are computed here from p.
func FieldSource(name string, p *big.Int, limbBits int) string {
	var sb strings.Builder
	switch limbBits {
	case 64:
		n := (p.BitLen() + 63) / 64
		r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
		fmt.Fprintf(&sb, "#define FLD_N %d\n", n)
		fmt.Fprintf(&sb, "#define FLD_INV 0x%xULL\n", negInv(p, 64))
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_P[%d] = {%s};\n", n, limbs64(p, n))
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_ONE[%d] = {%s};\n", n, limbs64(new(big.Int).Mod(r, p), n))
		r2 := new(big.Int).Mul(r, r)
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_R2[%d] = {%s};\n", n, limbs64(r2.Mod(r2, p), n))
		sb.WriteString(File("field64.cl"))
	case 32:
		if p.BitLen() > 31 {
			panic("gpu: 32-bit field template needs p < 2^31")
		}
		r := new(big.Int).Lsh(big.NewInt(1), 32)
		fmt.Fprintf(&sb, "#define FLD_N 1\n")
		fmt.Fprintf(&sb, "#define FLD_P32 0x%xU\n", p.Uint64())
		fmt.Fprintf(&sb, "#define FLD_INV32 0x%xU\n", negInv(p, 32))
		fmt.Fprintf(&sb, "#define FLD_ONE32 0x%xU\n", new(big.Int).Mod(r, p).Uint64())
		r2 := new(big.Int).Mul(r, r)
		fmt.Fprintf(&sb, "#define FLD_R2_32 0x%xU\n", r2.Mod(r2, p).Uint64())
		sb.WriteString(File("field32.cl"))
	default:
		panic(fmt.Sprintf("gpu: field template for %d-bit limbs", limbBits))
	}
	return strings.ReplaceAll(sb.String(), "FLD", name)
}

// negInv returns −p⁻¹ mod 2^bits.
func negInv(p *big.Int, bits uint) uint64 {
	m := new(big.Int).Lsh(big.NewInt(1), bits)
	inv := new(big.Int).ModInverse(p, m)
	inv.Sub(m, inv)
	return inv.Uint64()
}

// limbs64 formats x as n little-endian 64-bit C literals.
func limbs64(x *big.Int, n int) string {
	words := make([]string, n)
	mask := new(big.Int).SetUint64(^uint64(0))
	t := new(big.Int).Set(x)
	for i := range words {
		words[i] = fmt.Sprintf("0x%016xULL", new(big.Int).And(t, mask).Uint64())
		t.Rsh(t, 64)
	}
	return strings.Join(words, ", ")
}
