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
			sb.WriteString(addSubCUDA(p, n))
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

// fieldAsmGuard opens montRowCUDA's text: a program whose source holds it
// multiplies with inline PTX under CUDA (needsMulCheck).
const fieldAsmGuard = "#if defined(ZK_CUDA) && defined(ZK_MUL32) && !defined(ZK_NO_ASM)\n"

// montRowCUDA returns, for CUDA with the 32-bit-word multiplication, its
// inline PTX, as device functions that src/field64.cl uses in place of its
// C rows (ZK_NO_ASM turns them off):
//
//   - by default, FLD_mulw: the whole multiplication in one block
//     (montMulPTX), each product's two halves one wide multiply-add;
//     FLD_ASM_MUL says it is there; and FLD_sqrw, the squaring in the
//     same form with each cross product once (montSqrPTX), unless
//     ZK_SQR_MUL (ZKACCEL_GPU_SQR=0); FLD_ASM_SQR says it is there;
//   - with ZK_MUL_ROWS (ZKACCEL_GPU_MUL=32s), FLD_row: one row of the
//     multiplication (montRowPTX), its low and high halves in split carry
//     chains; FLD_ASM_ROW says it is there.
func montRowCUDA(p *big.Int, w int) string {
	var sb strings.Builder
	// regs returns the operands "c"(name[0]) … "c"(name[w−1]).
	regs := func(c, name string) []string {
		out := make([]string, w)
		for j := range out {
			out[j] = fmt.Sprintf("%q(%s[%d])", c, name, j)
		}
		return out
	}
	sb.WriteString(fieldAsmGuard)
	sb.WriteString("#ifdef ZK_MUL_ROWS\n#define FLD_ASM_ROW 1\n")
	sb.WriteString("// FLD_row sets t (w words, < 2p) to (t + x·bi + m·p)/2^32, m = (t₀ + x₀·bi)·(−p⁻¹) mod 2^32.\n")
	sb.WriteString("DEVICE void FLD_row(u32* t, const u32* x, u32 bi) {\n")
	writeAsm(&sb, montRowPTX(p, w), regs("+r", "t"), append(regs("r", "x"), `"r"(bi)`))
	sb.WriteString("}\n#else\n#define FLD_ASM_MUL 1\n")
	sb.WriteString("// FLD_mulw sets t (w words, < 2p) to x·y·2^(−32w) mod p.\n")
	sb.WriteString("DEVICE void FLD_mulw(u32* t, const u32* x, const u32* y) {\n")
	writeAsm(&sb, montMulPTX(p, w), regs("=r", "t"), append(regs("r", "x"), regs("r", "y")...))
	sb.WriteString("}\n#ifndef ZK_SQR_MUL\n#define FLD_ASM_SQR 1\n")
	sb.WriteString("// FLD_sqrw sets t (w words, < 2p) to x²·2^(−32w) mod p.\n")
	sb.WriteString("DEVICE void FLD_sqrw(u32* t, const u32* x) {\n")
	writeAsm(&sb, montSqrPTX(p, w), regs("=r", "t"), regs("r", "x"))
	sb.WriteString("}\n#endif\n#endif\n#endif\n")
	return sb.String()
}

// writeAsm writes one inline-PTX statement: the PTX lines (operands
// $0 … written %0 …) in a block of their own, with the output and input
// operand lists (each item such as "=r"(t[0])).
func writeAsm(sb *strings.Builder, lines, outs, ins []string) {
	sb.WriteString("\tasm(\"{\\n\\t\"\n")
	for _, l := range lines {
		fmt.Fprintf(sb, "\t    \"%s\\n\\t\"\n", strings.ReplaceAll(l, "$", "%"))
	}
	sb.WriteString("\t    \"}\"\n\t    : ")
	sb.WriteString(strings.Join(outs, ", "))
	sb.WriteString("\n\t    : ")
	sb.WriteString(strings.Join(ins, ", "))
	sb.WriteString(");\n")
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
// again. ptxas makes each of these multiply-adds a multiply and a
// separate addition for the carry, because a product's two halves are in
// different chains; montMulPTX, the default, avoids that. TestMontRowPTX
// runs this text through an interpreter of the PTX instructions it uses
// against math/big.
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

// montMulPTX returns the PTX of a whole Montgomery multiplication mod p
// over w 32-bit words (w even), CUDA's default form (FLD_mulw), one
// instruction per line, with operands
// $0 … $(w−1) the result t (written only, last), $w … $(2w−1) the
// multiplicand x and $(2w) … $(3w−1) the multiplier y (montRowCUDA
// writes them as %0 …):
//
//	t ≡ x·y·2^(−32w) (mod p), t < 2p
//
// It makes the same sum as w rows of montRowPTX, T = x·y + M·p with M's
// words m_i chosen so that T's low w words are zero, but without shifting
// T down after each row: the rows write at absolute word positions,
// which the compiler's registers name without moves. Each product u·v
// lands at words k and k+1 (its low and high halves, adjacent in one
// carry chain, which ptxas makes one wide multiply-add); those with k even
// go into accumulator E and those with k odd into O, so a product's two
// words always sit in one aligned register pair of one accumulator, and T
// = E + O. Row i adds x·y_i at word i, then m_i·p, with m_i = (T's word
// i)·(−p⁻¹) mod 2^32. T's word i is E_i + O_i + c mod 2^32, where c
// (0, 1 or 2) is the carry out of the words below i of E + O, which the
// row then updates. A chain's carry out lands in a word that holds at most
// a few earlier carries, so it never overflows, and nothing reaches word
// 2w: E and O are each below T < 2^(64w). The result is E + O + c from word
// w up. On sm_90, ptxas makes a BN254 multiplication of it 237 machine
// instructions, 128 of them IMAD.WIDE.U32(.X), against 556 for montRowPTX's
// rows (BENCHMARKS.md). TestMontMulPTX runs it against math/big.
func montMulPTX(p *big.Int, w int) []string { return montPTX(p, w, false) }

// montSqrPTX returns the PTX of a Montgomery squaring mod p over w 32-bit
// words (w even), CUDA's FLD_sqrw, with operands $0 … $(w−1) the result t
// and $w … $(2w−1) x:
//
//	t ≡ x²·2^(−32w) (mod p), t < 2p, for x < p < 2^(32w−1)
//
// It is montMulPTX's sum with y = x, less the products that appear twice:
// row i adds x_i² at word 2i and 2x_i·x_j at word i+j for each j > i, as
// x_i·d_j with d = 2x (w words, since x < 2^(32w−1); one funnel shift a
// word). One correction: d's word i+1 holds x_i's top bit, which belongs
// to x_i's own square, so row i takes h_(i+1) = x_(i+1) << 1 (one shift)
// in its place. That is w(w+1)/2 products for x² instead of w², and the
// same w² for M·p: for BN254 100 wide multiply-adds instead of 128. Row i
// touches no word below 2i ≥ i, so T's word i is complete when m_i is
// taken, as in the multiplication, and every word and carry position is
// one the multiplication also writes, so its bounds hold. M, and with it
// T, is the multiplication's for y = x. TestMontSqrPTX runs it against
// math/big.
func montSqrPTX(p *big.Int, w int) []string { return montPTX(p, w, true) }

// montPTX writes montMulPTX (sq false) or montSqrPTX (sq true).
func montPTX(p *big.Int, w int, sq bool) []string {
	if w%2 != 0 {
		panic("gpu: montMulPTX needs an even word count")
	}
	if sq && p.BitLen() >= 32*w {
		panic("gpu: montSqrPTX needs p < 2^(32w−1), so that 2x fits in w words")
	}
	pw := make([]string, w)
	for i, v := range split32(p, w) {
		pw[i] = fmt.Sprintf("0x%08x", v)
	}
	out := func(j int) string { return fmt.Sprintf("$%d", j) }
	x := func(j int) string { return fmt.Sprintf("$%d", w+j) }
	y := func(j int) string { return fmt.Sprintf("$%d", 2*w+j) }
	d := func(j int) string { return fmt.Sprintf("zk_d%d", j) }
	h := func(j int) string { return fmt.Sprintf("zk_h%d", j) }
	e := func(k int) string { return fmt.Sprintf("zk_e%d", k) }
	o := func(k int) string { return fmt.Sprintf("zk_o%d", k) }
	var l []string
	add := func(f string, a ...any) { l = append(l, fmt.Sprintf(f, a...)) }
	var regs []string
	for k := range 2 * w {
		regs = append(regs, e(k), o(k))
	}
	if sq {
		for j := 1; j < w; j++ {
			regs = append(regs, d(j), h(j))
		}
	}
	add(".reg .u32 zk_z, zk_m, zk_s, zk_k, zk_c, zk_drop, %s;", strings.Join(regs, ", "))
	add("mov.u32 zk_z, 0;")
	add("mov.u32 zk_c, 0;")
	if sq {
		// d_j = 2x's word j = x_j << 1 | x_(j−1) >> 31, and h_j = x_j << 1
		// (d_0 and h_0 are not needed).
		for j := 1; j < w; j++ {
			add("shf.l.wrap.b32 %s, %s, %s, 1;", d(j), x(j-1), x(j))
			add("shl.b32 %s, %s, 1;", h(j), x(j))
		}
	}
	// An accumulator word is zero until first written: rd reads it as
	// zk_z until then, so no word needs setting to zero.
	written := map[string]bool{}
	rd := func(r string) string {
		if written[r] {
			return r
		}
		return "zk_z"
	}
	wr := func(r string) string { written[r] = true; return r }
	// chains adds u_j·v_j at words i+j, i+j+1 for every j from j0 to w−1:
	// those with i+j even into E, the others into O, one carry chain each.
	chains := func(i, j0 int, u, v func(int) string) {
		for par := range 2 {
			arr := e
			if par == 1 {
				arr = o
			}
			top := -1
			for j := j0; j < w; j++ {
				if (i+j)%2 != par {
					continue
				}
				lo := "madc.lo.cc.u32"
				if top < 0 {
					lo = "mad.lo.cc.u32"
				}
				in := rd(arr(i + j))
				add("%s %s, %s, %s, %s;", lo, wr(arr(i+j)), u(j), v(j), in)
				in = rd(arr(i + j + 1))
				add("madc.hi.cc.u32 %s, %s, %s, %s;", wr(arr(i+j+1)), u(j), v(j), in)
				top = i + j + 1
			}
			switch {
			case top >= 0 && top+1 < 2*w:
				in := rd(arr(top + 1))
				add("addc.u32 %s, %s, zk_z;", wr(arr(top+1)), in)
			case top >= 0:
				// The carry out of word 2w − 1 is zero (see above). This
				// keeps it where TestMontMulPTX checks that it is; ptxas
				// drops the unread register.
				add("addc.u32 zk_drop, zk_z, zk_z;")
			}
		}
	}
	for i := range w {
		if sq {
			// x_i·x_i at word 2i, x_i·h_(i+1) at word 2i+1, then x_i·d_j
			// for j > i+1.
			chains(i, i, func(j int) string {
				switch j {
				case i:
					return x(i)
				case i + 1:
					return h(j)
				}
				return d(j)
			}, func(int) string { return x(i) })
		} else {
			chains(i, 0, x, func(int) string { return y(i) })
		}
		add("add.u32 zk_s, %s, %s;", rd(e(i)), rd(o(i)))
		add("add.u32 zk_s, zk_s, zk_c;")
		add("mul.lo.u32 zk_m, zk_s, 0x%08x;", negInv(p, 32))
		chains(i, 0, func(int) string { return "zk_m" }, func(j int) string { return pw[j] })
		// c ← (E_i + O_i + c) >> 32; the low word is zero.
		add("add.cc.u32 zk_s, %s, %s;", rd(e(i)), rd(o(i)))
		add("addc.u32 zk_k, zk_z, zk_z;")
		add("add.cc.u32 zk_s, zk_s, zk_c;")
		add("addc.u32 zk_c, zk_k, zk_z;")
	}
	for k := range w {
		op := "addc.cc.u32"
		switch {
		case k == 0:
			op = "add.cc.u32"
		case k == w-1:
			op = "addc.u32"
		}
		add("%s %s, %s, %s;", op, out(k), rd(e(w+k)), rd(o(w+k)))
	}
	for k := range w {
		op, b := "addc.cc.u32", "zk_z"
		switch {
		case k == 0:
			op, b = "add.cc.u32", "zk_c"
		case k == w-1:
			op = "addc.u32"
		}
		add("%s %s, %s, %s;", op, out(k), out(k), b)
	}
	return l
}

// The addition, subtraction and final reduction in inline PTX. In C, a
// carry is a comparison (s < a) and a reduction a compare of all limbs
// with p and a branch: about a hundred machine instructions each for
// BN254's four limbs. PTX has the carry flag (add.cc, addc, sub.cc, subc),
// and a choice without a branch (selp), so each becomes about 3n 64-bit
// operations. They come with the multiplication's row, under the same
// switch: ZK_NO_ASM (ZKACCEL_GPU_MUL=32c) or ZK_MUL64 turns all of them
// off, and the multiplication self-check checks them too.

// Addition and subtraction operand kinds of addSubPTX.
const (
	ptxAdd    = iota // $0… ← (a + b) mod p, a and b < p
	ptxSub           // $0… ← (a − b) mod p, a and b < p
	ptxReduce        // $0… ← a mod p, a < 2p
)

// addSubCUDA returns, for CUDA with inline PTX (FLD_ASM_ROW's
// condition), the device functions FLD_addp, FLD_subp (r ← a ± b mod p)
// and FLD_redp (r ← a mod p for a < 2p) over n 64-bit limbs, each one block
// of addSubPTX, and defines FLD_ASM_ADD, which makes src/field64.cl use
// them.
func addSubCUDA(p *big.Int, n int) string {
	var sb strings.Builder
	sb.WriteString("#if defined(ZK_CUDA) && defined(ZK_MUL32) && !defined(ZK_NO_ASM)\n#define FLD_ASM_ADD 1\n")
	for _, f := range []struct {
		name, doc string
		op, ins   int
	}{
		{"FLD_addp", "r ← (a + b) mod p for a, b < p", ptxAdd, 2},
		{"FLD_subp", "r ← (a − b) mod p for a, b < p", ptxSub, 2},
		{"FLD_redp", "r ← a mod p for a < 2p", ptxReduce, 1},
	} {
		params := "u64* r, const u64* a"
		if f.ins == 2 {
			params += ", const u64* b"
		}
		fmt.Fprintf(&sb, "// %s: %s.\nDEVICE void %s(%s) {\n", f.name, f.doc, f.name, params)
		var outs, ins []string
		for j := range n {
			outs = append(outs, fmt.Sprintf(`"=l"(r[%d])`, j))
		}
		for _, arr := range []string{"a", "b"}[:f.ins] {
			for j := range n {
				ins = append(ins, fmt.Sprintf(`"l"(%s[%d])`, arr, j))
			}
		}
		writeAsm(&sb, addSubPTX(p, n, f.op), outs, ins)
		sb.WriteString("}\n")
	}
	sb.WriteString("#endif\n")
	return sb.String()
}

// addSubPTX returns the PTX of one addition (op ptxAdd), subtraction
// (ptxSub) or reduction (ptxReduce) mod p over n 64-bit limbs, one
// instruction per line, with operands $0 … $(n−1) the result (written
// only), $n … $(2n−1) a and, for the two with two inputs, $2n … $(3n−1) b
// (addSubCUDA writes them as %0 …). The results are written last, from
// the block's own registers, so the code is right whichever registers the
// compiler gives the operands.
//
//	add:    r = a + b (carry c), s = r − p (borrow); a + b < p exactly when
//	        c − borrow is negative: then the result is r, else s.
//	sub:    r = a − b (borrow); m = −borrow (0 or all ones); r + (p AND m).
//	reduce: s = a − p (borrow); the result is a on a borrow, else s.
//
// TestAddSubPTX runs this text through an interpreter against math/big.
func addSubPTX(p *big.Int, n int, op int) []string {
	pw := make([]string, n)
	for i, x := range modulusLimbs(p, n) {
		pw[i] = fmt.Sprintf("0x%016x", x)
	}
	out := func(j int) string { return fmt.Sprintf("$%d", j) }
	a := func(j int) string { return fmt.Sprintf("$%d", n+j) }
	b := func(j int) string { return fmt.Sprintf("$%d", 2*n+j) }
	reg := func(r string, j int) string { return fmt.Sprintf("zk_%s%d", r, j) }
	var l []string
	add := func(f string, args ...any) { l = append(l, fmt.Sprintf(f, args...)) }
	var regs []string
	for j := range n {
		regs = append(regs, reg("r", j), reg("s", j))
	}
	add(".reg .u64 zk_z, zk_c, %s;", strings.Join(regs, ", "))
	add(".reg .pred zk_lt;")
	add("mov.u64 zk_z, 0;")
	// chain runs op over the limbs with the carry flag: first op.cc, then
	// opc.cc, and the last without .cc when last is set.
	chain := func(opname string, dst, x, y func(int) string, last bool) {
		for j := range n {
			switch {
			case j == 0:
				add("%s.cc.u64 %s, %s, %s;", opname, dst(j), x(j), y(j))
			case j == n-1 && last:
				add("%sc.u64 %s, %s, %s;", opname, dst(j), x(j), y(j))
			default:
				add("%sc.cc.u64 %s, %s, %s;", opname, dst(j), x(j), y(j))
			}
		}
	}
	r := func(j int) string { return reg("r", j) }
	s := func(j int) string { return reg("s", j) }
	pj := func(j int) string { return pw[j] }
	switch op {
	case ptxAdd:
		chain("add", r, a, b, false)
		add("addc.u64 zk_c, zk_z, zk_z;")
		chain("sub", s, r, pj, false)
		add("subc.u64 zk_c, zk_c, zk_z;")
		add("setp.lt.s64 zk_lt, zk_c, 0;")
		for j := range n {
			add("selp.u64 %s, %s, %s, zk_lt;", out(j), r(j), s(j))
		}
	case ptxSub:
		chain("sub", r, a, b, false)
		add("subc.u64 zk_c, zk_z, zk_z;")
		for j := range n {
			add("and.b64 %s, zk_c, %s;", s(j), pw[j])
		}
		chain("add", out, r, s, true)
	case ptxReduce:
		chain("sub", s, a, pj, false)
		add("subc.u64 zk_c, zk_z, zk_z;")
		add("setp.ne.u64 zk_lt, zk_c, 0;")
		for j := range n {
			add("selp.u64 %s, %s, %s, zk_lt;", r(j), a(j), s(j))
		}
		for j := range n {
			add("mov.u64 %s, %s;", out(j), r(j))
		}
	default:
		panic(fmt.Sprintf("gpu: addSubPTX op %d", op))
	}
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
