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
		fmt.Fprintf(&sb, "#define FLD_INV 0x%xUL\n", negInv(p, 64))
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_P[%d] = {%s};\n", n, limbs64(p, n))
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_ONE[%d] = {%s};\n", n, limbs64(new(big.Int).Mod(r, p), n))
		r2 := new(big.Int).Mul(r, r)
		fmt.Fprintf(&sb, "CONSTANT u64 FLD_R2[%d] = {%s};\n", n, limbs64(r2.Mod(r2, p), n))
		// The 32-bit-word multiplication (ZK_MUL32): −p⁻¹ mod 2^32 and p's words.
		fmt.Fprintf(&sb, "#define FLD_NINV32 0x%xU\n", negInv(p, 32))
		fmt.Fprintf(&sb, "CONSTANT u32 FLD_PW[%d] = {%s};\n", 2*n, words32(p, 2*n))
		if top := new(big.Int).Rsh(p, uint(64*n-32)); top.Uint64() < 0x7FFFFFFE {
			sb.WriteString("#define FLD_NOCARRY32 1\n")
			sb.WriteString(montRowCUDA(p, 2*n))
		}
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

// montRowCUDA returns, for CUDA with the 32-bit-word multiplication, the
// function FLD_row: one row of the Montgomery multiplication mod p over w
// words as one block of inline PTX (montRowPTX), whose carry chains are the
// multiply-add-with-carry instructions the hardware has. src/field64.cl
// uses it in place of its C row where FLD_ASM_ROW is defined; ZK_NO_ASM
// turns it off.
func montRowCUDA(p *big.Int, w int) string {
	var sb strings.Builder
	sb.WriteString("#if defined(ZK_CUDA) && defined(ZK_MUL32) && !defined(ZK_NO_ASM)\n#define FLD_ASM_ROW 1\n")
	sb.WriteString("// FLD_row sets t (w words, < 2p) to (t + x·bi + m·p)/2^32, m = (t₀ + x₀·bi)·(−p⁻¹) mod 2^32.\n")
	sb.WriteString("DEVICE void FLD_row(u32* t, const u32* x, u32 bi) {\n\tasm(\"{\\n\\t\"\n")
	for _, l := range montRowPTX(p, w) {
		fmt.Fprintf(&sb, "\t    \"%s\\n\\t\"\n", strings.ReplaceAll(l, "$", "%"))
	}
	sb.WriteString("\t    \"}\"\n\t    :")
	for j := range w {
		if j > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, " \"+r\"(t[%d])", j)
	}
	sb.WriteString("\n\t    :")
	for j := range w {
		fmt.Fprintf(&sb, " \"r\"(x[%d]),", j)
	}
	sb.WriteString(" \"r\"(bi));\n}\n#endif\n")
	return sb.String()
}

// montRowPTX returns the PTX of one row of the Montgomery multiplication
// mod p over w 32-bit words, one instruction per line, with operands
// $0 … $(w−1) the row's t (read and written), $w … $(2w−1) the
// multiplicand x and $(2w) the multiplier's word bi (montRowCUDA writes
// them as %0 …):
//
//	t ← (t + x·bi + m·p) / 2^32,  m = (t₀ + x₀·bi)·(−p⁻¹) mod 2^32
//
// It adds x·bi in two carry chains (the low halves of the products into
// t₀ … t_(w−1) and a top word h, then the high halves one word up), then
// m·p the same way (t₀ becomes 0), and shifts down by one word. With
// t < 2p and p < 2^(32w−1), no sum exceeds w+1 words and the new t < 2p
// again. TestMontRowPTX runs this text through an interpreter of the PTX
// instructions it uses against math/big.
func montRowPTX(p *big.Int, w int) []string {
	pw := make([]string, w)
	for i, x := range split32(p, w) {
		pw[i] = fmt.Sprintf("0x%08x", x)
	}
	t := func(j int) string { return fmt.Sprintf("$%d", j) }
	x := func(j int) string { return fmt.Sprintf("$%d", w+j) }
	bi := fmt.Sprintf("$%d", 2*w)
	var l []string
	add := func(f string, a ...any) { l = append(l, fmt.Sprintf(f, a...)) }
	add(".reg .u32 zk_z, zk_m, zk_h;")
	add("mov.u32 zk_z, 0;")
	// chain adds lo(u_j·v_j) into t_j (j < w), its carry into h; then
	// hi(u_j·v_j) into t_(j+1) and the last into h.
	chain := func(u func(int) string, v func(int) string, first bool) {
		for j := range w {
			op := "madc.lo.cc.u32"
			if j == 0 {
				op = "mad.lo.cc.u32"
			}
			add("%s %s, %s, %s, %s;", op, t(j), u(j), v(j), t(j))
		}
		if first {
			add("addc.u32 zk_h, zk_z, zk_z;")
		} else {
			add("addc.u32 zk_h, zk_h, zk_z;")
		}
		for j := range w - 1 {
			op := "madc.hi.cc.u32"
			if j == 0 {
				op = "mad.hi.cc.u32"
			}
			add("%s %s, %s, %s, %s;", op, t(j+1), u(j), v(j), t(j+1))
		}
		add("madc.hi.u32 zk_h, %s, %s, zk_h;", u(w-1), v(w-1))
	}
	chain(x, func(int) string { return bi }, true)
	add("mul.lo.u32 zk_m, %s, 0x%08x;", t(0), negInv(p, 32))
	chain(func(int) string { return "zk_m" }, func(j int) string { return pw[j] }, false)
	for j := range w - 1 {
		add("mov.u32 %s, %s;", t(j), t(j+1))
	}
	add("mov.u32 %s, zk_h;", t(w-1))
	return l
}

// split32 returns the n low 32-bit words of x, least significant first.
func split32(x *big.Int, n int) []uint32 {
	out := make([]uint32, n)
	mask := big.NewInt(0xFFFFFFFF)
	v := new(big.Int).Set(x)
	for i := range out {
		out[i] = uint32(new(big.Int).And(v, mask).Uint64())
		v.Rsh(v, 32)
	}
	return out
}

// words32 formats x as n little-endian 32-bit C literals.
func words32(x *big.Int, n int) string {
	parts := make([]string, n)
	for i, w := range split32(x, n) {
		parts[i] = fmt.Sprintf("0x%xU", w)
	}
	return strings.Join(parts, ", ")
}

// limbs64 formats x as n little-endian 64-bit C literals.
func limbs64(x *big.Int, n int) string {
	words := make([]string, n)
	mask := new(big.Int).SetUint64(^uint64(0))
	t := new(big.Int).Set(x)
	for i := range words {
		words[i] = fmt.Sprintf("0x%016xUL", new(big.Int).And(t, mask).Uint64())
		t.Rsh(t, 64)
	}
	return strings.Join(words, ", ")
}
