package ptxsim

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

const header = ".version 7.8\n.target sm_70\n.address_size 64\n\n"

// kernel wraps body in an entry k of n .u64 parameters, loaded into
// %a0…; the body also finds %tid (u32) and %tid64 (u64) set.
func kernel(n int, body string) string {
	var ps, lds []string
	for i := 0; i < n; i++ {
		ps = append(ps, fmt.Sprintf(".param .u64 k_param_%d", i))
		lds = append(lds, fmt.Sprintf("ld.param.u64 %%a%d, [k_param_%d];", i, i))
	}
	return header + ".visible .entry k(" + strings.Join(ps, ", ") + ")\n{\n" +
		".reg .pred %p<16>;\n.reg .b32 %r<64>;\n.reg .b64 %rd<64>;\n" + strings.Join(lds, "\n") +
		"\nmov.u32 %tid, %tid.x;\ncvt.u64.u32 %tid64, %tid;\n" + body + "\nret;\n}\n"
}

// launch runs entry k of src on a fresh Memory: a []byte argument becomes
// an allocation holding it, a uint64 is passed as is. It returns the
// allocations' contents afterwards and the launch's stats and error.
func launch(t *testing.T, src string, l Launch, args ...any) ([][]byte, Stats, error) {
	t.Helper()
	m, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	l.Kernel, l.Mem = "k", NewMemory()
	l.Grid, l.Block = max(l.Grid, 1), max(l.Block, 1)
	var bufs []uint64
	var sizes []int
	for _, a := range args {
		if b, ok := a.([]byte); ok {
			p := l.Mem.Alloc(len(b))
			l.Args, bufs, sizes = append(l.Args, p), append(bufs, p), append(sizes, len(b))
			_ = l.Mem.Write(p, b)
		} else {
			l.Args = append(l.Args, a.(uint64))
		}
	}
	st, err := m.Run(l)
	var out [][]byte
	for i, p := range bufs {
		b, _ := l.Mem.Read(p, sizes[i])
		out = append(out, b)
	}
	return out, st, err
}

func mustLaunch(t *testing.T, src string, l Launch, args ...any) [][]byte {
	t.Helper()
	out, _, err := launch(t, src, l, args...)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out
}

// u64s returns a copy of v's bytes (little-endian, as the device's).
func u64s(v []uint64) []byte { return append([]byte(nil), rawbytes.Of(v)...) }

func get64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
func get32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[4*i:]) }
func ones(w int) uint64            { return ^uint64(0) >> (64 - w) }

// bigLE reads a little-endian number.
func bigLE(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

// edgeVals are operands at the edges of 8-, 16-, 32- and 64-bit ranges.
var edgeVals = []uint64{0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0xfffffffe, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0), ^uint64(1), 0xffffffff00000000}

// drawOperand draws an edge value, a random 64-bit value or a
// sign-extended random 32-bit one.
func drawOperand(r *rand.Rand) uint64 {
	switch r.Intn(3) {
	case 0:
		return edgeVals[r.Intn(len(edgeVals))]
	case 1:
		return r.Uint64()
	}
	return uint64(int64(int32(r.Uint32())))
}

// limbs draws n 32-byte numbers whose 32-bit limbs are often all ones or
// zero, so that carries and borrows run far; the first is all ones.
func limbs(r *rand.Rand, n int) []byte {
	b := make([]byte, 32*n)
	for i := 0; i < len(b); i += 4 {
		switch r.Intn(4) {
		case 0:
			binary.LittleEndian.PutUint32(b[i:], 0xffffffff)
		case 1:
		default:
			binary.LittleEndian.PutUint32(b[i:], r.Uint32())
		}
	}
	copy(b, strings.Repeat("\xff", 32))
	return b
}

// TestCarryChainAddSub checks 256-bit addition and subtraction chains
// (add.cc, addc.cc, addc; sub.cc, subc.cc, subc) on u32 and u64 limbs
// against math/big: CC.CF is the carry out of add.cc and the borrow out of
// sub.cc, addc/subc add/subtract it, and an instruction without .cc (an
// addc.u32 between the links) reads it but leaves it alone.
func TestCarryChainAddSub(t *testing.T) {
	const n = 64
	r := rand.New(rand.NewSource(1))
	a, b := limbs(r, n), limbs(r, n)
	copy(b, make([]byte, 32))
	b[0] = 1 // thread 0: all ones ± 1; thread 1: a ± ^a; thread 2: 0 ± 1
	for j := 0; j < 32; j++ {
		b[32+j], a[64+j], b[64+j] = ^a[32+j], 0, byte(b2u(j == 0))
	}
	mod := new(big.Int).Lsh(big.NewInt(1), 256)
	for _, w := range []int{32, 64} {
		for _, op := range []string{"add", "sub"} {
			nl, sz, ty := 256/w, w/8, fmt.Sprintf("u%d", w)
			var s strings.Builder
			s.WriteString("mul.wide.u32 %off, %tid, 32; add.s64 %pa, %a0, %off; add.s64 %pb, %a1, %off;\n" +
				"mul.wide.u32 %off2, %tid, 40; add.s64 %po, %a2, %off2;\n")
			for i := 0; i < nl; i++ {
				fmt.Fprintf(&s, "ld.global.%s %%x%d, [%%pa+%d]; ld.global.%s %%y%d, [%%pb+%d];\n", ty, i, i*sz, ty, i, i*sz)
			}
			for i := 0; i < nl; i++ {
				name := map[bool]string{true: op + ".cc", false: op + "c.cc"}[i == 0]
				fmt.Fprintf(&s, "%s.%s %%z%d, %%x%d, %%y%d; addc.u32 %%junk, %%junk, 7;\n", name, ty, i, i, i)
			}
			fmt.Fprintf(&s, "%sc.%s %%cy, 0, 0; st.global.%s [%%po+32], %%cy;\n", op, ty, ty)
			for i := 0; i < nl; i++ {
				fmt.Fprintf(&s, "st.global.%s [%%po+%d], %%z%d;\n", ty, i*sz, i)
			}
			out := mustLaunch(t, kernel(3, s.String()), Launch{Block: n}, a, b, make([]byte, 40*n))[2]
			for i := 0; i < n; i++ {
				x, y := bigLE(a[32*i:32*i+32]), bigLE(b[32*i:32*i+32])
				want, cy := new(big.Int), uint64(0)
				if op == "sub" {
					if want.Sub(x, y); want.Sign() < 0 {
						cy = ones(w) // subc 0, 0 with a borrow: -1
					}
				} else if want.Add(x, y); want.Cmp(mod) >= 0 {
					cy = 1
				}
				want.Mod(want, mod)
				got, gotCy := bigLE(out[40*i:40*i+32]), get64(out[40*i+32:], 0)
				if got.Cmp(want) != 0 || gotCy != cy {
					t.Fatalf("%s u%d, thread %d: %x carry %x, want %x carry %x", op, w, i, got, gotCy, want, cy)
				}
			}
		}
	}
}

// TestCarryChainMulAcc checks the multiply-accumulate row of a
// multi-precision product, acc + a·b for 256-bit a and acc and a one-limb
// b, built from mad.lo.cc, madc.lo.cc, addc, mad.hi.cc, madc.hi.cc and
// madc.hi (u32 and u64 limbs), against math/big.
func TestCarryChainMulAcc(t *testing.T) {
	const n = 64
	r := rand.New(rand.NewSource(2))
	a, acc, bs := limbs(r, n), limbs(r, n), make([]uint64, n)
	for i := range bs {
		bs[i] = drawOperand(r)
	}
	bs[0] = ^uint64(0) // with all-ones a and acc: the largest row
	for _, w := range []int{32, 64} {
		nl, sz, ty := 256/w, w/8, fmt.Sprintf("u%d", w)
		var s strings.Builder
		s.WriteString("mul.wide.u32 %off, %tid, 32; add.s64 %pa, %a0, %off; add.s64 %pc, %a1, %off;\n" +
			"mul.wide.u32 %off8, %tid, 8; add.s64 %pb, %a2, %off8; mul.wide.u32 %off2, %tid, 40; add.s64 %po, %a3, %off2;\n")
		fmt.Fprintf(&s, "ld.global.%s %%b, [%%pb];\n", ty)
		for i := 0; i < nl; i++ {
			fmt.Fprintf(&s, "ld.global.%s %%x%d, [%%pa+%d]; ld.global.%s %%c%d, [%%pc+%d];\n", ty, i, i*sz, ty, i, i*sz)
		}
		fmt.Fprintf(&s, "mad.lo.cc.%s %%z0, %%x0, %%b, %%c0;\n", ty)
		for i := 1; i < nl; i++ {
			fmt.Fprintf(&s, "madc.lo.cc.%s %%z%d, %%x%d, %%b, %%c%d;\n", ty, i, i, i)
		}
		fmt.Fprintf(&s, "addc.%s %%z%d, 0, 0;\nmad.hi.cc.%s %%z1, %%x0, %%b, %%z1;\n", ty, nl, ty)
		for i := 1; i < nl-1; i++ {
			fmt.Fprintf(&s, "madc.hi.cc.%s %%z%d, %%x%d, %%b, %%z%d;\n", ty, i+1, i, i+1)
		}
		fmt.Fprintf(&s, "madc.hi.%s %%z%d, %%x%d, %%b, %%z%d;\n", ty, nl, nl-1, nl)
		for i := 0; i <= nl; i++ {
			fmt.Fprintf(&s, "st.global.%s [%%po+%d], %%z%d;\n", ty, i*sz, i)
		}
		out := mustLaunch(t, kernel(4, s.String()), Launch{Block: n}, a, acc, u64s(bs), make([]byte, 40*n))[3]
		for i := 0; i < n; i++ {
			want := new(big.Int).Mul(bigLE(a[32*i:32*i+32]), new(big.Int).SetUint64(bs[i]&ones(w)))
			want.Add(want, bigLE(acc[32*i:32*i+32]))
			if got := bigLE(out[40*i : 40*i+32+sz]); got.Cmp(want) != 0 {
				t.Fatalf("u%d, thread %d: %x, want %x", w, i, got, want)
			}
		}
	}
}

// opCase is a snippet that computes %d, dw bits wide, from a thread's
// operands: %ra %rb %rc %re (their low 32 bits) and %rda %rdb %rdc %rde.
type opCase struct {
	code string
	dw   int
	want func(a, b, c, e uint64) uint64
}

func s32(x uint64) int64 { return int64(int32(x)) }

// bfeRef is bfe by the ISA: the len-bit field at pos, its top bit (the
// msb where it runs past the end; 0 for len 0) extended for signed types.
func bfeRef(x, c, e uint64, w int, signed bool) uint64 {
	pos, ln, n := int(c&0xff), int(e&0xff), 0
	x &= ones(w)
	var field uint64
	if pos < w {
		n = min(ln, w-pos)
		field = x >> pos & (1<<n - 1)
	}
	if signed && ln > 0 && x>>min(pos+ln-1, w-1)&1 == 1 {
		field |= ^(uint64(1)<<n - 1)
	}
	return field & ones(w)
}

// bfiRef is bfi by the ISA: a's low len bits replace b's from pos on.
func bfiRef(a, b, c, e uint64, w int) uint64 {
	pos, ln := c&0xff, e&0xff
	var m uint64
	if pos < uint64(w) {
		m = (uint64(1)<<min(ln, uint64(w)-pos) - 1) << pos // 1<<64 is 0 in Go
	}
	return (b&^m | a<<pos&m) & ones(w)
}

// lop3Ref is lop3 as the OR of the minterms its table names.
func lop3Ref(a, b, c, lut uint64) uint64 {
	var r uint64
	for k := 0; k < 8; k++ {
		pick := func(bit int, x uint64) uint64 {
			if k&bit != 0 {
				return x
			}
			return ^x
		}
		if lut>>k&1 == 1 {
			r |= pick(4, a) & pick(2, b) & pick(1, c)
		}
	}
	return r & 0xffffffff
}

// shfRef is the funnel shift of b:a by c (clamped to 32 or taken mod 32).
func shfRef(a, b, c uint64, left, wrap bool) uint64 {
	lo, hi, n := uint32(a), uint32(b), uint32(c)
	if wrap {
		n &= 31
	} else {
		n = min(n, 32)
	}
	switch {
	case n == 0 && left, n == 32 && !left:
		return uint64(hi)
	case n == 0, n == 32:
		return uint64(lo)
	case left:
		return uint64(hi<<n | lo>>(32-n))
	}
	return uint64(lo>>n | hi<<(32-n))
}

// prmtRef is prmt's default mode: each selector nibble picks a byte of
// {b, a}, or with its top bit set replicates that byte's sign.
func prmtRef(a, b, sel uint64) uint64 {
	var r uint64
	src := uint64(uint32(b))<<32 | uint64(uint32(a))
	for i := 0; i < 4; i++ {
		s := sel >> (4 * i) & 0xf
		by := uint8(src >> (8 * (s & 7)))
		if s&8 != 0 {
			by = uint8(int8(by) >> 7)
		}
		r |= uint64(by) << (8 * i)
	}
	return r
}

// bfindRef is bfind: the msb's position (of ~x for negative signed x), its
// distance from the top with .shiftamt, 0xffffffff where there is none.
func bfindRef(x uint64, w int, signed, shiftamt bool) uint64 {
	if x &= ones(w); signed && x>>(w-1) == 1 {
		x = ^x & ones(w)
	}
	lz := uint64(bits.LeadingZeros64(x) - (64 - w))
	switch {
	case x == 0:
		return 0xffffffff
	case shiftamt:
		return lz
	}
	return uint64(w-1) - lz
}

// setpCases checks every comparison of setp on every type, with its |q
// destination, and its .and/.or/.xor forms with a third predicate c.
func setpCases() []opCase {
	var cs []opCase
	cmp := func(name string, x, y uint64, w int, signed bool) bool {
		lt, eq := x&ones(w) < y&ones(w), x&ones(w) == y&ones(w)
		if signed {
			lt = int64(x<<(64-w)) < int64(y<<(64-w))
		}
		return map[string]bool{"eq": eq, "ne": !eq, "lt": lt, "le": lt || eq, "gt": !lt && !eq, "ge": !lt,
			"lo": lt, "ls": lt || eq, "hi": !lt && !eq, "hs": !lt}[name]
	}
	for _, ty := range []string{"s32", "u32", "b32", "s64", "u64", "b64"} {
		w, signed, src := 32, ty[0] == 's', "%ra, %rb"
		if ty[1] == '6' {
			w, src = 64, "%rda, %rdb"
		}
		names := map[byte][]string{'s': {"eq", "ne", "lt", "le", "gt", "ge"}, 'b': {"eq", "ne"},
			'u': {"eq", "ne", "lt", "le", "gt", "ge", "lo", "ls", "hi", "hs"}}[ty[0]]
		for _, name := range names {
			for _, bop := range []string{"", "and", "or", "xor"} {
				code := fmt.Sprintf("setp.%s.%s %%p|%%q, %s;", name, ty, src)
				if bop != "" {
					if name != "lt" && name != "hs" && name != "eq" {
						continue
					}
					code = fmt.Sprintf("and.b32 %%t, %%re, 1; setp.ne.u32 %%c, %%t, 0; setp.%s.%s.%s %%p|%%q, %s, %%c;", name, bop, ty, src)
				}
				cs = append(cs, opCase{code + " selp.u32 %x, 1, 0, %p; selp.u32 %y, 2, 0, %q; or.b32 %d, %x, %y;", 32,
					func(a, b, _, e uint64) uint64 {
						p := cmp(name, a, b, w, signed)
						q, c := !p, e&1 == 1
						switch bop {
						case "and":
							p, q = p && c, q && c
						case "or":
							p, q = p || c, q || c
						case "xor":
							p, q = p != c, q != c
						}
						return b2u(p) | b2u(q)<<1
					}})
			}
		}
	}
	return cs
}

// scalarCases lists the integer arithmetic, logic and conversion rules.
func scalarCases() []opCase {
	type f = func(a, b, c, e uint64) uint64
	nz := func(b uint64, w int) uint64 { // the divisor the snippet uses
		if b&ones(w) == 0 {
			return 7
		}
		return b & ones(w)
	}
	const div32 = "setp.eq.u32 %p, %rb, 0; selp.u32 %t, 7, %rb, %p; "
	const div64 = "setp.eq.u64 %p, %rdb, 0; selp.u64 %t, 7, %rdb, %p; "
	amt := func(c uint64) uint32 { return uint32(c) } // Go's shifts clamp as PTX's do
	cs := []opCase{
		{"add.s32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return a + b }},
		{"sub.u64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { return a - b }},
		{"neg.s32 %d, %ra;", 32, func(a, _, _, _ uint64) uint64 { return -a }},
		{"not.b64 %d, %rda;", 64, func(a, _, _, _ uint64) uint64 { return ^a }},
		{"xor.b32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return a ^ b }},
		{"mul.lo.u32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return a * b }},
		{"mul.lo.s32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return a * b }},
		{"mul.hi.u32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return a & ones(32) * (b & ones(32)) >> 32 }},
		{"mul.hi.s32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return uint64(s32(a) * s32(b) >> 32) }},
		{"mul.wide.u32 %d, %ra, %rb;", 64, func(a, b, _, _ uint64) uint64 { return a & ones(32) * (b & ones(32)) }},
		{"mul.wide.s32 %d, %ra, %rb;", 64, func(a, b, _, _ uint64) uint64 { return uint64(s32(a) * s32(b)) }},
		{"mul.lo.u64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { return a * b }},
		{"mul.lo.s64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { return a * b }},
		{"mul.hi.u64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { h, _ := bits.Mul64(a, b); return h }},
		{"mul.hi.s64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 {
			p := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b)))
			return uint64(p.Rsh(p, 64).Int64()) // Rsh of a negative big.Int floors, as an arithmetic shift
		}},
		{"mad.lo.u32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return a*b + c }},
		{"mad.hi.s32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return uint64(s32(a)*s32(b)>>32) + c }},
		{"mad.wide.u32 %d, %ra, %rb, %rdc;", 64, func(a, b, c, _ uint64) uint64 { return a&ones(32)*(b&ones(32)) + c }},
		{"mad.wide.s32 %d, %ra, %rb, %rdc;", 64, func(a, b, c, _ uint64) uint64 { return uint64(s32(a)*s32(b)) + c }},
		{div32 + "div.u32 %d, %ra, %t;", 32, func(a, b, _, _ uint64) uint64 { return a & ones(32) / nz(b, 32) }},
		{div32 + "rem.u32 %d, %ra, %t;", 32, func(a, b, _, _ uint64) uint64 { return a & ones(32) % nz(b, 32) }},
		{div32 + "div.s32 %d, %ra, %t;", 32, func(a, b, _, _ uint64) uint64 { return uint64(int32(a) / int32(nz(b, 32))) }},
		{div32 + "rem.s32 %d, %ra, %t;", 32, func(a, b, _, _ uint64) uint64 { return uint64(int32(a) % int32(nz(b, 32))) }},
		{div64 + "div.u64 %d, %rda, %t;", 64, func(a, b, _, _ uint64) uint64 { return a / nz(b, 64) }},
		{div64 + "rem.s64 %d, %rda, %t;", 64, func(a, b, _, _ uint64) uint64 { return uint64(int64(a) % int64(nz(b, 64))) }},
		{div64 + "div.s64 %d, %rda, %t;", 64, func(a, b, _, _ uint64) uint64 { return uint64(int64(a) / int64(nz(b, 64))) }},
		{"min.u32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return uint64(min(uint32(a), uint32(b))) }},
		{"max.u32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return uint64(max(uint32(a), uint32(b))) }},
		{"min.s32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return uint64(min(int32(a), int32(b))) }},
		{"max.s32 %d, %ra, %rb;", 32, func(a, b, _, _ uint64) uint64 { return uint64(max(int32(a), int32(b))) }},
		{"min.s64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { return uint64(min(int64(a), int64(b))) }},
		{"max.u64 %d, %rda, %rdb;", 64, func(a, b, _, _ uint64) uint64 { return max(a, b) }},
		// shifts: the amount is a u32, and amounts past the width clamp to it
		{"shl.b32 %d, %ra, %rc;", 32, func(a, _, c, _ uint64) uint64 { return uint64(uint32(a) << amt(c)) }},
		{"shr.u32 %d, %ra, %rc;", 32, func(a, _, c, _ uint64) uint64 { return uint64(uint32(a) >> amt(c)) }},
		{"shr.b32 %d, %ra, %rc;", 32, func(a, _, c, _ uint64) uint64 { return uint64(uint32(a) >> amt(c)) }},
		{"shr.s32 %d, %ra, %rc;", 32, func(a, _, c, _ uint64) uint64 { return uint64(int32(a) >> amt(c)) }},
		{"shl.b64 %d, %rda, %rc;", 64, func(a, _, c, _ uint64) uint64 { return a << amt(c) }},
		{"shr.u64 %d, %rda, %rc;", 64, func(a, _, c, _ uint64) uint64 { return a >> amt(c) }},
		{"shr.b64 %d, %rda, %rc;", 64, func(a, _, c, _ uint64) uint64 { return a >> amt(c) }},
		{"shr.s64 %d, %rda, %rc;", 64, func(a, _, c, _ uint64) uint64 { return uint64(int64(a) >> amt(c)) }},
		// bit fields, counts and permutes
		{"bfi.b32 %d, %ra, %rb, %rc, %re;", 32, func(a, b, c, e uint64) uint64 { return bfiRef(a, b, c, e, 32) }},
		{"bfi.b64 %d, %rda, %rdb, %rc, %re;", 64, func(a, b, c, e uint64) uint64 { return bfiRef(a, b, c, e, 64) }},
		{"bfe.u32 %d, %ra, %rc, %re;", 32, func(a, _, c, e uint64) uint64 { return bfeRef(a, c, e, 32, false) }},
		{"bfe.s32 %d, %ra, %rc, %re;", 32, func(a, _, c, e uint64) uint64 { return bfeRef(a, c, e, 32, true) }},
		{"bfe.u64 %d, %rda, %rc, %re;", 64, func(a, _, c, e uint64) uint64 { return bfeRef(a, c, e, 64, false) }},
		{"bfe.s64 %d, %rda, %rc, %re;", 64, func(a, _, c, e uint64) uint64 { return bfeRef(a, c, e, 64, true) }},
		{"brev.b32 %d, %ra;", 32, func(a, _, _, _ uint64) uint64 { return uint64(bits.Reverse32(uint32(a))) }},
		{"brev.b64 %d, %rda;", 64, func(a, _, _, _ uint64) uint64 { return bits.Reverse64(a) }},
		{"popc.b32 %d, %ra;", 32, func(a, _, _, _ uint64) uint64 { return uint64(bits.OnesCount32(uint32(a))) }},
		{"popc.b64 %d, %rda;", 32, func(a, _, _, _ uint64) uint64 { return uint64(bits.OnesCount64(a)) }},
		{"clz.b32 %d, %ra;", 32, func(a, _, _, _ uint64) uint64 { return uint64(bits.LeadingZeros32(uint32(a))) }},
		{"clz.b64 %d, %rda;", 32, func(a, _, _, _ uint64) uint64 { return uint64(bits.LeadingZeros64(a)) }},
		{"shf.l.wrap.b32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return shfRef(a, b, c, true, true) }},
		{"shf.r.wrap.b32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return shfRef(a, b, c, false, true) }},
		{"shf.l.clamp.b32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return shfRef(a, b, c, true, false) }},
		{"shf.r.clamp.b32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return shfRef(a, b, c, false, false) }},
		{"prmt.b32 %d, %ra, %rb, %rc;", 32, func(a, b, c, _ uint64) uint64 { return prmtRef(a, b, c) }},
		{"prmt.b32 %d, %ra, %rb, 0x8888;", 32, func(a, b, _, _ uint64) uint64 { return prmtRef(a, b, 0x8888) }},
		{"prmt.b32 %d, %ra, %rb, 0x5140;", 32, func(a, b, _, _ uint64) uint64 { return prmtRef(a, b, 0x5140) }},
		// predicate guards, predicate logic and selp
		{"mov.u32 %d, 5; setp.lt.u32 %p, %ra, %rb; @%p add.u32 %d, %d, 1; @!%p add.u32 %d, %d, 16;", 32,
			func(a, b, _, _ uint64) uint64 { return 5 + map[bool]uint64{true: 1, false: 16}[uint32(a) < uint32(b)] }},
		{"setp.lt.u32 %p1, %ra, %rb; setp.lt.u32 %p2, %rc, %re; and.pred %p3, %p1, %p2; or.pred %p4, %p1, %p2; " +
			"xor.pred %p5, %p1, %p2; not.pred %p6, %p1; selp.u32 %x3, 1, 0, %p3; selp.u32 %x4, 2, 0, %p4; " +
			"selp.u32 %x5, 4, 0, %p5; selp.u32 %x6, 8, 0, %p6; or.b32 %y1, %x3, %x4; or.b32 %y2, %x5, %x6; or.b32 %d, %y1, %y2;", 32,
			func(a, b, c, e uint64) uint64 {
				p, q := uint32(a) < uint32(b), uint32(c) < uint32(e)
				return b2u(p && q) | b2u(p || q)<<1 | b2u(p != q)<<2 | b2u(!p)<<3
			}},
		{"setp.ne.u64 %p, %rdc, 0; selp.b64 %d, %rda, %rdb, %p;", 64, func(a, b, c, _ uint64) uint64 {
			return map[bool]uint64{true: a, false: b}[c != 0]
		}},
	}
	// cvt: truncation, and zero or sign extension of the source by its type
	for _, cv := range []string{"u32.u8", "s32.s8", "u32.u16", "s32.s16", "u16.u32", "u64.u32", "s64.s32", "u64.s32",
		"s64.u32", "s64.s8", "s64.s16", "u64.u16", "u32.u64", "s32.s64", "u64.s64"} {
		dw, _ := typeBits(cv[:3])
		sw, _ := typeBits(cv[4:])
		src := map[bool]string{true: "%rda", false: "%ra"}[sw == 64]
		cs = append(cs, opCase{"cvt." + cv + " %d, " + src + ";", dw, func(a, _, _, _ uint64) uint64 {
			if cv[4] == 's' {
				return uint64(int64(a<<(64-sw)) >> (64 - sw))
			}
			return a & ones(sw)
		}})
	}
	for _, v := range []struct {
		ty       string
		w        int
		signed   bool
		shiftamt bool
	}{{"u32", 32, false, false}, {"s32", 32, true, false}, {"u64", 64, false, false}, {"s64", 64, true, false},
		{"shiftamt.u32", 32, false, true}, {"shiftamt.s32", 32, true, true}, {"shiftamt.u64", 64, false, true}} {
		src := map[int]string{32: "%ra", 64: "%rda"}[v.w]
		cs = append(cs, opCase{fmt.Sprintf("bfind.%s %%d, %s;", v.ty, src), 32,
			f(func(a, _, _, _ uint64) uint64 { return bfindRef(a, v.w, v.signed, v.shiftamt) })})
	}
	for _, lut := range []uint64{0x96, 0xe8, 0xca, 0x80, 0x01, 0xf0, 0xcc, 0xaa, 0x5a, 0x3c} {
		cs = append(cs, opCase{fmt.Sprintf("lop3.b32 %%d, %%ra, %%rb, %%rc, %#x;", lut), 32,
			func(a, b, c, _ uint64) uint64 { return lop3Ref(a, b, c, lut) }})
	}
	return append(cs, setpCases()...)
}

// TestScalarOps runs each opCase for 256 threads of drawn operands (b often
// equal to a; c a shift amount or bit position, e a field length, both
// sometimes huge) and compares every thread's result with Go's.
func TestScalarOps(t *testing.T) {
	const n = 256
	r := rand.New(rand.NewSource(3))
	in := make([][]uint64, 4)
	for i := 0; i < n; i++ {
		a, b, c, e := drawOperand(r), drawOperand(r), uint64(r.Intn(70)), uint64(r.Intn(300))
		if r.Intn(6) == 0 {
			b = a
		}
		if r.Intn(4) == 0 {
			c = drawOperand(r)
		}
		if r.Intn(4) == 0 {
			e = drawOperand(r)
		}
		for j, v := range []uint64{a, b, c, e} {
			in[j] = append(in[j], v)
		}
	}
	pre := "mul.wide.u32 %off, %tid, 8;\n"
	for j, x := range []string{"a", "b", "c", "e"} {
		pre += fmt.Sprintf("add.s64 %%p%s, %%a%d, %%off; ld.global.u64 %%rd%s, [%%p%s]; cvt.u32.u64 %%r%s, %%rd%s;\n", x, j, x, x, x, x)
	}
	for _, c := range scalarCases() {
		t.Run(c.code, func(t *testing.T) {
			src := kernel(5, pre+c.code+fmt.Sprintf("\nadd.s64 %%po, %%a4, %%off; st.global.u%d [%%po], %%d;", c.dw))
			out := mustLaunch(t, src, Launch{Block: n}, u64s(in[0]), u64s(in[1]), u64s(in[2]), u64s(in[3]), make([]byte, 8*n))[4]
			for i := 0; i < n; i++ {
				want := c.want(in[0][i], in[1][i], in[2][i], in[3][i]) & ones(c.dw)
				if got := get64(out, i); got != want {
					t.Fatalf("a=%#x b=%#x c=%#x e=%#x: got %#x, want %#x", in[0][i], in[1][i], in[2][i], in[3][i], got, want)
				}
			}
		})
	}
}

// TestLoadStore checks ld/st.global of u8/s8/u16/s16/u32/s32/u64 (signed
// loads sign-extend), .v2 and .v4 vectors, ld.const of a module's
// initialised .const table by symbol and through the address mov gives,
// that a module's .global variable lives in the Memory across launches,
// and that the state space may follow other qualifiers (ld.volatile.shared,
// atom.relaxed.cta.shared).
func TestLoadStore(t *testing.T) {
	src := header + `.const .align 8 .b8 tab[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
.global .align 4 .u32 counter[2] = {40, 7};
.visible .entry k(.param .u64 k_param_0, .param .u64 k_param_1)
{
	.shared .align 4 .b8 sm[8];
	ld.param.u64 %a0, [k_param_0];    ld.param.u64 %a1, [k_param_1];
	ld.global.u8 %rs1, [%a0+3];       st.global.u8 [%a1+0], %rs1;
	ld.global.s8 %r2, [%a0+3];        st.global.u32 [%a1+4], %r2;
	ld.global.u16 %rs3, [%a0+10];     st.global.u16 [%a1+8], %rs3;
	ld.global.s16 %r4, [%a0+10];      st.global.u32 [%a1+12], %r4;
	ld.global.u32 %r5, [%a0+12];      st.global.u32 [%a1+16], %r5;
	ld.global.s32 %rd5, [%a0+12];     st.global.u64 [%a1+24], %rd5;
	ld.global.u64 %rd6, [%a0+24];     st.global.u64 [%a1+32], %rd6;
	ld.global.v2.u32 {%r7, %r8}, [%a0+32];                st.global.v2.u32 [%a1+40], {%r8, %r7};
	ld.global.v4.u32 {%r9, %r10, %r11, %r12}, [%a0+48];   st.global.v4.u32 [%a1+48], {%r12, %r11, %r10, %r9};
	ld.global.v2.u64 {%rd13, %rd14}, [%a0+32];            st.global.v2.u64 [%a1+64], {%rd14, %rd13};
	mov.u64 %rd15, tab;               ld.const.u32 %r16, [%rd15+4];     st.global.u32 [%a1+80], %r16;
	ld.const.u64 %rd17, [tab+8];      st.global.u64 [%a1+88], %rd17;
	mov.u64 %rd18, counter;           atom.global.add.u32 %r19, [%rd18+4], 1;
	ld.global.u32 %r20, [counter];    add.u32 %r21, %r20, %r19;         st.global.u32 [%a1+96], %r21;
	st.volatile.shared.u32 [sm+4], %r5;                   atom.relaxed.cta.shared.add.u32 %r22, [sm+4], 3;
	ld.volatile.shared.u32 %r23, [sm+4];                  add.u32 %r24, %r23, %r22;         st.global.u32 [%a1+100], %r24;
	ret;
}
`
	in := make([]byte, 64)
	for i := range in {
		in[i] = byte(i*37 + 11)
	}
	in[3], in[11], in[15] = 0x9c, 0x81, 0xf0 // negative s8, s16 and s32
	m, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	mem := NewMemory()
	pin, pout := mem.Alloc(64), mem.Alloc(104)
	if err := mem.Write(pin, in); err != nil {
		t.Fatal(err)
	}
	le16 := func(o int) uint64 { return uint64(binary.LittleEndian.Uint16(in[o:])) }
	le32 := func(o int) uint64 { return uint64(get32(in[o:], 0)) }
	for run := 0; run < 2; run++ {
		if _, err := m.Run(Launch{Kernel: "k", Grid: 1, Block: 1, Args: []uint64{pin, pout}, Mem: mem}); err != nil {
			t.Fatal(err)
		}
		out, _ := mem.Read(pout, 104)
		for _, c := range []struct {
			off, w int
			want   uint64
		}{
			{0, 8, 0x9c}, {4, 32, 0xffffff9c}, {8, 16, le16(10)}, {12, 32, uint64(uint32(int16(le16(10))))},
			{16, 32, le32(12)}, {24, 64, uint64(int32(le32(12)))}, {32, 64, get64(in, 3)}, {40, 32, le32(36)},
			{44, 32, le32(32)}, {48, 32, le32(60)}, {52, 32, le32(56)}, {56, 32, le32(52)}, {60, 32, le32(48)},
			{64, 64, get64(in, 5)}, {72, 64, get64(in, 4)}, {80, 32, 0x08070605}, {88, 64, 0x100f0e0d0c0b0a09},
			{96, 32, 40 + 7 + uint64(run)}, // counter[1] grows by one a launch
			{100, 32, (2*le32(12) + 3) & ones(32)},
		} {
			if got := get64(append(out[c.off:], make([]byte, 8)...), 0) & ones(c.w); got != c.want {
				t.Errorf("launch %d, offset %d: got %#x, want %#x", run, c.off, got, c.want)
			}
		}
	}
}

// TestAccessErrors checks that accesses outside every allocation, outside
// shared, local or parameter space, or misaligned for their size, fail the
// launch with an error rather than a panic, and so do division by zero and
// a kernel parameter wider than Launch.Args' uint64.
func TestAccessErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"ld.global.u32 %r1, [%a0+64];", "outside"},
		{"st.global.u8 [%a0+64], %r1;", "outside"},
		{"ld.global.u32 %r1, [%a0+-4];", "outside"},
		{"ld.global.u64 %rd1, [%a0+56];", "outside"}, // 4 of its 8 bytes are past the end
		{"mov.u64 %rd1, 0; ld.u32 %r1, [%rd1];", "outside"},
		{".shared .align 4 .b8 sm[16]; mov.u64 %rd1, sm; ld.shared.u32 %r1, [%rd1+16];", "outside"},
		{".local .align 4 .b8 dep[8]; mov.u64 %rd1, dep; st.local.u32 [%rd1+8], %r1;", "outside"},
		{"ld.param.u64 %rd1, [k_param_0+8];", "outside"},
		{"ld.global.u32 %r1, [%a0+2];", "misaligned"},
		{"ld.global.u64 %rd1, [%a0+4];", "misaligned"},
		{"ld.global.v2.u32 {%r1, %r2}, [%a0+4];", "misaligned"},
		{"st.global.v4.u32 [%a0+8], {%r1, %r2, %r3, %r4};", "misaligned"},
		{"ld.global.u16 %rs1, [%a0+1];", "misaligned"},
		{"mov.u32 %r2, 0; div.u32 %r1, %r1, %r2;", "division by zero"},
	} {
		_, _, err := launch(t, kernel(1, c.body), Launch{Block: 2}, make([]byte, 60))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", c.body, err, c.want)
		}
	}
	_, _, err := launch(t, header+".visible .entry k(.param .align 8 .b8 k_param_0[16])\n{\nret;\n}\n", Launch{}, uint64(0))
	if err == nil {
		t.Error("a kernel with a 16-byte parameter ran")
	}
}

// neighbour is a kernel of 96 threads: each writes tid*7+1 to shared
// memory, runs sync, then reads its neighbour's slot (through a generic
// address from cvta.shared) and stores it.
func neighbour(sync string) string {
	return kernel(1, `.shared .align 4 .b8 sm[384];
mov.u64 %rds, sm; mul.wide.u32 %rdo, %tid, 4; add.s64 %rda, %rds, %rdo;
mad.lo.s32 %v, %tid, 7, 1; st.shared.u32 [%rda], %v;
`+sync+`
add.u32 %n1, %tid, 1; rem.u32 %n, %n1, 96; mul.wide.u32 %rdn, %n, 4; add.s64 %rdb, %rds, %rdn;
cvta.shared.u64 %rdg, %rdb; ld.u32 %w, [%rdg]; add.s64 %po, %a0, %rdo; st.global.u32 [%po], %w;`)
}

// TestBarrier checks that bar.sync 0 orders shared-memory writes before
// reads across the 3 warps of a block under every seed, and that without
// it the adversarial scheduler lets readers run before writers, in
// different ways for different seeds; exited threads do not hold it up.
func TestBarrier(t *testing.T) {
	right := func(out []byte) bool {
		for i := 0; i < 96; i++ {
			if get32(out, i) != uint32((i+1)%96*7+1) {
				return false
			}
		}
		return true
	}
	wrong, outcomes := 0, map[string]bool{}
	for seed := int64(1); seed <= 20; seed++ {
		if out := mustLaunch(t, neighbour("bar.sync 0;"), Launch{Block: 96, Seed: seed}, make([]byte, 4*96))[0]; !right(out) {
			t.Fatalf("seed %d: with bar.sync, %v", seed, out)
		}
		out := mustLaunch(t, neighbour(""), Launch{Block: 96, Seed: seed}, make([]byte, 4*96))[0]
		if !right(out) {
			wrong++
		}
		outcomes[string(out)] = true
	}
	if wrong == 0 || len(outcomes) < 2 {
		t.Errorf("without bar.sync: %d of 20 seeds wrong, %d outcomes: the scheduler does not interleave", wrong, len(outcomes))
	}
	// Threads that exit release a barrier they alone hold up (PTX ISA, exit).
	early := kernel(0, "setp.ge.u32 %p1, %tid, 90; @%p1 ret; bar.sync 0; bar.sync 0;")
	if _, _, err := launch(t, early, Launch{Block: 96, Seed: 3}); err != nil {
		t.Errorf("bar.sync after some threads exited: %v", err)
	}
}

// TestLockstepAndMaxSteps checks that Lockstep runs whole warps (no
// splits, one result whatever the seed, activemask naming exactly the
// threads of a branch, where the adversarial scheduler names a subset that
// holds the thread itself) and that a kernel that does not end fails after
// MaxSteps instead of hanging.
func TestLockstepAndMaxSteps(t *testing.T) {
	var first []byte
	for seed := int64(1); seed <= 5; seed++ {
		out, st, err := launch(t, neighbour(""), Launch{Block: 96, Seed: seed, Lockstep: true}, make([]byte, 4*96))
		if err != nil || st.Splits != 0 || first != nil && string(out[0]) != string(first) {
			t.Fatalf("seed %d: %v, %d splits, result %v after %v", seed, err, st.Splits, out[0], first)
		}
		first = out[0]
	}
	src := kernel(1, `mov.u32 %lane, %laneid; mov.u32 %m, 0; setp.ge.u32 %p1, %lane, 10; @%p1 bra $L__skip;
activemask.b32 %m;
$L__skip:
mul.wide.u32 %rdo, %tid, 4; add.s64 %po, %a0, %rdo; st.global.u32 [%po], %m;`)
	for _, lock := range []bool{true, false} {
		out := mustLaunch(t, src, Launch{Block: 64, Seed: 7, Lockstep: lock}, make([]byte, 4*64))[0]
		for i := 0; i < 64; i++ {
			if m, lane := get32(out, i), i%32; lane >= 10 && m != 0 || lane < 10 && lock && m != 0x3ff ||
				lane < 10 && (m&(1<<lane) == 0 || m&^0x3ff != 0) {
				t.Fatalf("lockstep %v, thread %d: activemask %#x", lock, i, m)
			}
		}
	}
	loop := kernel(0, "mov.u32 %i, 0;\n$L__top:\nadd.u32 %i, %i, 1; setp.lt.u32 %p1, %i, 100; @%p1 bra $L__top;")
	if _, _, err := launch(t, loop, Launch{Block: 32, MaxSteps: 100000}); err != nil {
		t.Fatalf("a loop of 100 trips: %v", err)
	}
	_, _, err := launch(t, kernel(0, "$L__top:\nbra.uni $L__top;"), Launch{Block: 32, MaxSteps: 10000})
	if err == nil || !strings.Contains(err.Error(), "does not end") {
		t.Fatalf("an endless loop: %v", err)
	}
}

// shflRef is CUDA's __shfl*_sync over segments of width lanes: the source
// lane, and whether it lay inside the segment (PTX's p).
func shflRef(mode string, lane, b, width int) (int, bool) {
	base, j := lane&^(width-1), lane
	switch mode {
	case "idx":
		return base + b&31%width, true
	case "up":
		j = lane - b
	case "down":
		j = lane + b
	case "bfly":
		j = lane ^ b
	}
	if mode == "up" && j >= base || mode != "up" && j < base+width {
		return j, true
	}
	return lane, false
}

// TestShfl checks shfl.sync in its four modes, with the c operand CUDA
// passes (segment mask (32-width)<<8, clamp 31, but 0 for .up), a constant
// or per-lane b, the |p destination, and a member mask of half a warp.
func TestShfl(t *testing.T) {
	for _, c := range []struct {
		mode, b     string
		width, mask int
	}{
		{"idx", "0", 32, -1}, {"idx", "5", 32, -1}, {"idx", "%lb", 32, -1}, {"idx", "%lb", 16, -1}, {"idx", "3", 8, -1},
		{"up", "1", 32, -1}, {"up", "3", 16, -1}, {"up", "16", 32, -1},
		{"down", "1", 32, -1}, {"down", "5", 8, -1}, {"down", "16", 32, -1},
		{"bfly", "1", 32, -1}, {"bfly", "16", 32, -1}, {"bfly", "5", 8, -1}, {"bfly", "6", 16, 0xffff},
	} {
		cv := (32-c.width)<<8 | 0x1f
		if c.mode == "up" {
			cv = (32 - c.width) << 8
		}
		src := kernel(1, fmt.Sprintf(`mov.u32 %%lane, %%laneid; mul.lo.u32 %%lb, %%lane, 7; mad.lo.s32 %%x, %%tid, 3, 100;
shr.u32 %%t, %d, %%lane; and.b32 %%t1, %%t, 1; setp.eq.u32 %%pout, %%t1, 0; @%%pout bra $L__end;
shfl.sync.%s.b32 %%v|%%q, %%x, %s, %d, %d; selp.u32 %%qv, 1, 0, %%q;
mul.wide.u32 %%rdo, %%tid, 8; add.s64 %%po, %%a0, %%rdo; st.global.v2.u32 [%%po], {%%v, %%qv};
$L__end:`, uint32(c.mask), c.mode, c.b, cv, c.mask))
		for seed := int64(1); seed <= 3; seed++ {
			out := mustLaunch(t, src, Launch{Block: 64, Seed: seed}, make([]byte, 8*64))[0]
			for i := 0; i < 64; i++ {
				lane, b := i%32, i%32*7
				if uint32(c.mask)>>lane&1 == 0 {
					continue
				}
				if c.b != "%lb" {
					b, _ = strconv.Atoi(c.b)
				}
				j, ok := shflRef(c.mode, lane, b, c.width)
				if v, q := get32(out, 2*i), get32(out, 2*i+1); v != uint32((i-lane+j)*3+100) || q != uint32(b2u(ok)) {
					t.Fatalf("%+v seed %d thread %d: got %d,%d; want lane %d's, %v", c, seed, i, v, q, j, ok)
				}
			}
		}
	}
}

// TestVoteMatch checks vote.sync ballot/any/all/uni, match.any.sync and
// match.all.sync (with its |p), and %lanemask_lt/gt, over two full warps.
func TestVoteMatch(t *testing.T) {
	src := kernel(1, `mov.u32 %lane, %laneid; rem.u32 %m3, %lane, 3; setp.eq.u32 %p1, %m3, 0;
setp.lt.u32 %p2, %tid, 48; setp.gt.u32 %p3, %tid, 1000;
vote.sync.ballot.b32 %o0, %p1, -1; vote.sync.any.pred %q1, %p1, -1; vote.sync.any.pred %q2, %p3, -1;
vote.sync.all.pred %q3, %p2, -1; vote.sync.uni.pred %q4, %p2, -1;
selp.u32 %t1, 1, 0, %q1; selp.u32 %t2, 2, 0, %q2; selp.u32 %t3, 4, 0, %q3; selp.u32 %t4, 8, 0, %q4;
or.b32 %t5, %t1, %t2; or.b32 %t6, %t3, %t4; or.b32 %o1, %t5, %t6;
rem.u32 %key, %tid, 5; match.any.sync.b32 %o2, %key, -1; shr.u32 %wk, %tid, 5;
match.all.sync.b32 %o3|%q5, %wk, -1; match.all.sync.b32 %o4|%q6, %key, -1;
selp.u32 %t7, 1, 0, %q5; selp.u32 %t8, 2, 0, %q6; or.b32 %o5, %t7, %t8;
mov.u32 %lm1, %lanemask_lt; mov.u32 %lm2, %lanemask_gt;
mul.wide.u32 %rdo, %tid, 32; add.s64 %po, %a0, %rdo;
st.global.v4.u32 [%po], {%o0, %o1, %lm1, %lm2}; st.global.v4.u32 [%po+16], {%o2, %o3, %o4, %o5};`)
	for seed := int64(1); seed <= 3; seed++ {
		out := mustLaunch(t, src, Launch{Block: 64, Seed: seed}, make([]byte, 32*64))[0]
		for i := 0; i < 64; i++ {
			w, lane := i/32, uint32(i%32)
			var ballot, peers uint32
			for l := 0; l < 32; l++ {
				ballot |= uint32(b2u(l%3 == 0)) << l
				peers |= uint32(b2u((32*w+l)%5 == i%5)) << l
			}
			flags := uint32(1 | b2u(w == 0)*12) // any(p1); all(p2) and uni(p2) in warp 0 only
			want := []uint32{ballot, flags, 1<<lane - 1, ^(2<<lane - 1), peers, 0xffffffff, 0, 1}
			for k, x := range want {
				if got := get32(out, 8*i+k); got != x {
					t.Fatalf("seed %d thread %d, result %d: got %#x, want %#x", seed, i, k, got, x)
				}
			}
		}
	}
}

// TestWarpAggregatedAtomic runs the warp-aggregated atomic idiom of the
// kernels, as NVRTC emits it (activemask; match.any.sync on a key; leader =
// lowest lane of the match by brev + bfind.shiftamt; the leader alone adds
// popc(peers) with atom.global.add; shfl.sync.idx of the base from the
// leader; rank = popc(peers & lanemask_lt)) in a branch that only some
// lanes take, over 2 blocks and several seeds: every thread must get its
// own slot of its key, and each counter the number of its threads.
func TestWarpAggregatedAtomic(t *testing.T) {
	src := kernel(2, `mov.u32 %cta, %ctaid.x; mad.lo.s32 %gid, %cta, 64, %tid;
mad.lo.s32 %t7, %tid, 7, %cta; rem.u32 %m5, %t7, 5; setp.eq.u32 %p1, %m5, 0; @%p1 bra $L__done;
div.u32 %k3, %gid, 3; rem.u32 %key, %k3, 4; mov.u32 %lane, %laneid;
activemask.b32 %am;
match.any.sync.b32 %peers, %key, %am; brev.b32 %rev, %peers; bfind.shiftamt.u32 %leader, %rev;
setp.ne.s32 %p2, %lane, %leader; mov.u32 %base, 0; @%p2 bra $L__shfl;
mul.wide.u32 %rdk, %key, 4; add.s64 %pk, %a0, %rdk; popc.b32 %cnt, %peers; atom.global.add.u32 %base, [%pk], %cnt;
$L__shfl:
mov.u32 %c31, 31; shfl.sync.idx.b32 %b2|%p3, %base, %leader, %c31, %peers;
mov.u32 %m1, -1; shl.b32 %m2, %m1, %lane; not.b32 %lt, %m2; and.b32 %below, %peers, %lt; popc.b32 %rank, %below;
add.s32 %slot, %b2, %rank; add.s32 %slot1, %slot, 1;
mul.wide.u32 %rdo, %gid, 4; add.s64 %po, %a1, %rdo; st.global.u32 [%po], %slot1;
$L__done:`)
	var splits int64
	for seed := int64(1); seed <= 10; seed++ {
		out, st, err := launch(t, src, Launch{Grid: 2, Block: 64, Seed: seed}, make([]byte, 16), make([]byte, 4*128))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		splits += st.Splits
		seen, count := map[[2]uint32]bool{}, make([]uint32, 4)
		for g := 0; g < 128; g++ {
			key, slot := uint32(g/3%4), get32(out[1], g)
			if (g%64*7+g/64)%5 == 0 {
				if slot != 0 {
					t.Fatalf("seed %d: thread %d skipped the branch but got slot %d", seed, g, slot-1)
				}
				continue
			}
			if count[key]++; slot == 0 || seen[[2]uint32{key, slot}] {
				t.Fatalf("seed %d: thread %d, key %d: slot %d missing or taken twice", seed, g, key, int(slot)-1)
			}
			seen[[2]uint32{key, slot}] = true
		}
		for k := uint32(0); k < 4; k++ {
			if c := get32(out[0], int(k)); c != count[k] {
				t.Fatalf("seed %d: counter %d is %d, want %d", seed, k, c, count[k])
			}
			for s := uint32(1); s <= count[k]; s++ {
				if !seen[[2]uint32{k, s}] {
					t.Fatalf("seed %d: key %d: slot %d unused", seed, k, s-1)
				}
			}
		}
	}
	if splits == 0 {
		t.Error("the scheduler never split a warp's group")
	}
}

// TestWarpErrors checks that a warp instruction whose member mask names a
// thread that never arrives (it waits at another warp instruction or at
// bar.sync), whose threads' masks disagree, that leaves out the thread
// itself, or that reads a lane outside the mask or one that has exited,
// fails the launch (a deadlock is an error, not a hang); and that members
// that have exited hold up none of them, as the PTX ISA says.
func TestWarpErrors(t *testing.T) {
	exitedOK := "mov.u32 %lane, %laneid; setp.eq.u32 %p1, %lane, 1; @%p1 ret; " +
		"shfl.sync.idx.b32 %v, %tid, 0, 31, -1; bar.warp.sync -1; vote.sync.ballot.b32 %w, %p1, -1; match.any.sync.b32 %x, 7, -1;"
	for seed := int64(1); seed <= 4; seed++ {
		if _, _, err := launch(t, kernel(0, exitedOK), Launch{Block: 32, Seed: seed}); err != nil {
			t.Errorf("seed %d: warp instructions after a member exited: %v", seed, err)
		}
	}
	pre := "mov.u32 %lane, %laneid; setp.eq.u32 %p1, %lane, 1; setp.lt.u32 %p2, %lane, 16; setp.gt.u32 %p3, %lane, 2;\n"
	for _, body := range []string{
		"@%p1 ret; shfl.sync.idx.b32 %v, %tid, 1, 31, -1;",
		"@%p2 bra $L__a; shfl.sync.idx.b32 %v, %tid, 0, 31, -1; ret;\n$L__a:\nshfl.sync.idx.b32 %v, %tid, 0, 31, -1;",
		"@%p2 bra $L__a; bar.sync 0;\n$L__a:\nvote.sync.ballot.b32 %v, %p1, -1;",
		"@%p3 ret; setp.eq.u32 %p4, %lane, 0; selp.b32 %m, 3, 6, %p4; match.any.sync.b32 %v, %lane, %m;",
		"@%p3 ret; shl.b32 %m, 2, %lane; and.b32 %m1, %m, 7; vote.sync.any.pred %p5, %p1, %m1;",
		"@%p3 ret; shfl.sync.idx.b32 %v, %tid, 5, 31, 7;",
	} {
		for seed := int64(1); seed <= 4; seed++ {
			_, _, err := launch(t, kernel(0, pre+body), Launch{Block: 32, Seed: seed})
			if err == nil || !strings.Contains(err.Error(), "deadlock") && !strings.Contains(err.Error(), "mask") {
				t.Errorf("seed %d: %q: error %v, want a deadlock or mask error", seed, body, err)
			}
		}
	}
}

// TestCalls checks device-function calls in NVRTC's call sequence: .param
// declarations at the call site, st.param/ld.param of arguments and
// results (scalars and 16-byte aggregates), call.uni with and without a
// result, a callee known first by its prototype, nested calls, and .local
// stack frames (__local_depot, %SPL, cvta.local to %SP, generic and .local
// ld/st) that each call gets anew, in both scheduling modes.
func TestCalls(t *testing.T) {
	src := header + `.func (.param .align 8 .b8 func_retval0[16]) g(.param .align 8 .b8 g_param_0[16]);

.func (.param .b64 func_retval0) f(.param .b64 f_param_0, .param .b32 f_param_1)
{
	.local .align 8 .b8 __local_depot0[16];
	.reg .b64 %SP;  .reg .b64 %SPL;
	mov.u64 %SPL, __local_depot0;  cvta.local.u64 %SP, %SPL;
	ld.param.u64 %rd1, [f_param_0];  ld.param.u32 %r1, [f_param_1];
	st.u64 [%SP+0], %rd1;  add.u64 %rd9, %SPL, 8;  st.local.u32 [%rd9], %r1;
	mul.wide.u32 %rd2, %r1, 3;  add.s64 %rd3, %rd1, %rd2;
	{ // callseq 0
	.reg .b32 temp_param_reg;
	.param .align 8 .b8 param0[16];
	st.param.b64 [param0+0], %rd3;
	st.param.b64 [param0+8], %rd1;
	.param .align 8 .b8 retval0[16];
	call.uni (retval0),
	g,
	(
	param0
	);
	ld.param.b64 %rd4, [retval0+0];
	ld.param.b64 %rd10, [retval0+8];
	} // callseq 0
	ld.u64 %rd5, [%SP+0];  ld.local.u32 %r2, [%rd9];  cvt.u64.u32 %rd6, %r2;
	xor.b64 %rd7, %rd4, %rd5;  add.s64 %rd8, %rd7, %rd6;  add.s64 %rd11, %rd8, %rd10;
	st.param.b64 [func_retval0+0], %rd11;
	ret;
}

.func (.param .align 8 .b8 func_retval0[16]) g(.param .align 8 .b8 g_param_0[16])
{
	.local .align 16 .b8 __local_depot1[32];
	mov.u64 %SPL, __local_depot1;  cvta.local.u64 %SP, %SPL;
	ld.param.u64 %rd1, [g_param_0];  add.s64 %rd2, %rd1, 1;  shl.b64 %rd3, %rd1, 1;  not.b64 %rd4, %rd1;
	st.local.v2.u64 [%SPL], {%rd1, %rd2};  st.u64 [%SP+16], %rd3;  st.u64 [%SP+24], %rd4;
	ld.local.v2.u64 {%rd5, %rd6}, [%SPL+16];  ld.u64 %rd7, [%SP+0];  ld.u64 %rd8, [%SP+8];
	add.s64 %rd9, %rd5, %rd6;  add.s64 %rd10, %rd7, %rd8;  add.s64 %rd11, %rd9, %rd10;
	ld.param.u64 %rd12, [g_param_0+8];  mul.lo.s64 %rd13, %rd12, 3;
	st.param.v2.b64 [func_retval0+0], {%rd11, %rd13};
	ret;
}

.func h(.param .b64 h_param_0, .param .b64 h_param_1)
{
	ld.param.u64 %rd1, [h_param_0];  ld.param.u64 %rd2, [h_param_1];  st.global.u64 [%rd1], %rd2;
	ret;
}

.visible .entry k(.param .u64 k_param_0, .param .u64 k_param_1)
{
	ld.param.u64 %rd1, [k_param_0];  ld.param.u64 %rd2, [k_param_1];
	mov.u32 %r1, %tid.x;  mul.wide.u32 %rd3, %r1, 8;  add.s64 %rd4, %rd1, %rd3;  ld.global.u64 %rd5, [%rd4];
	{ .param .b64 param0;  st.param.b64 [param0+0], %rd5;  .param .b32 param1;  st.param.b32 [param1+0], %r1;
	.param .b64 retval0;  call.uni (retval0), f, (param0, param1);  ld.param.b64 %rd6, [retval0+0]; }
	add.s64 %rd7, %rd2, %rd3;
	{ .param .b64 param0;  st.param.b64 [param0+0], %rd7;  .param .b64 param1;  st.param.b64 [param1+0], %rd6;
	call.uni h, (param0, param1); }
	ret;
}
`
	const n = 40
	r := rand.New(rand.NewSource(4))
	in := make([]uint64, n)
	for i := range in {
		in[i] = drawOperand(r)
	}
	for _, lock := range []bool{false, true} {
		out := mustLaunch(t, src, Launch{Block: n, Seed: 5, Lockstep: lock}, u64s(in), make([]byte, 8*n))[1]
		for i, x := range in {
			y := x + 3*uint64(i) // g(y, x) = (y + y+1 + 2y + ^y, 3x); f = (g₀ ^ x) + i + g₁
			if got, want := get64(out, i), (y+(y+1)+y<<1+^y)^x+uint64(i)+3*x; got != want {
				t.Fatalf("lockstep %v, thread %d: got %#x, want %#x", lock, i, got, want)
			}
		}
	}
}
