package gpu

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// ptxMachine interprets the PTX instructions that montRowPTX, montMulPTX,
// montSqrPTX and addSubPTX emit, with the semantics of NVIDIA's PTX ISA: registers of
// the width their type suffix says (32 or 64 bits), predicates, and one
// carry flag that the .cc forms set and the madc/addc/subc forms consume
// (a borrow, for the subtractions). In the multiplications, a carry out
// of a 32-bit instruction that does not set the flag is an error here,
// though not in PTX: their bounds say it never happens (add.u32, montMulPTX's
// m_i mod 2^32, drops it by intent). addSubPTX's 64-bit chains drop theirs
// by design: a subtraction's borrow becomes a mask, and adding p back
// after it wraps around.
type ptxMachine struct {
	reg   map[string]uint64
	pred  map[string]bool
	carry uint64
}

func newPTXMachine() *ptxMachine {
	return &ptxMachine{reg: map[string]uint64{}, pred: map[string]bool{}}
}

func (m *ptxMachine) val(op string) uint64 {
	if strings.HasPrefix(op, "0x") {
		v, err := strconv.ParseUint(op[2:], 16, 64)
		if err != nil {
			panic(err)
		}
		return v
	}
	if v, err := strconv.ParseInt(op, 10, 64); err == nil {
		return uint64(v)
	}
	v, ok := m.reg[op]
	if !ok {
		panic("read of unset register " + op)
	}
	return v
}

// exec runs one instruction line.
func (m *ptxMachine) exec(line string) error {
	line = strings.TrimSuffix(strings.TrimSpace(line), ";")
	sp := strings.IndexByte(line, ' ')
	op, rest := line[:sp], line[sp+1:]
	if op == ".reg" {
		return nil
	}
	args := strings.Split(rest, ", ")
	d := args[0]
	src := func(i int) uint64 { return m.val(args[i]) }
	w := uint(32)
	if strings.HasSuffix(op, "64") {
		w = 64
	}
	mask := ^uint64(0) >> (64 - w)
	cin := uint64(0)
	if strings.HasPrefix(op, "madc") || strings.HasPrefix(op, "addc") || strings.HasPrefix(op, "subc") {
		cin = m.carry
	}
	var r, c uint64 // the result, and the carry (or borrow) out
	switch op {
	case "mov.u32", "mov.u64":
		m.reg[d] = src(1) & mask
		return nil
	case "mul.lo.u32":
		m.reg[d] = src(1) * src(2) & mask
		return nil
	case "add.u32":
		m.reg[d] = (src(1) + src(2)) & mask
		return nil
	case "shf.l.wrap.b32": // the high word of (b:a) << c
		c := src(3) & 31
		m.reg[d] = (src(2)<<c | src(1)>>(32-c)) & mask
		return nil
	case "shl.b32":
		m.reg[d] = src(1) << (src(2) & 31) & mask
		return nil
	case "and.b64":
		m.reg[d] = src(1) & src(2)
		return nil
	case "setp.lt.s64":
		m.pred[d] = int64(src(1)) < int64(src(2))
		return nil
	case "setp.ne.u64":
		m.pred[d] = src(1) != src(2)
		return nil
	case "selp.u64":
		p, ok := m.pred[args[3]]
		if !ok {
			return fmt.Errorf("%s: unset predicate", line)
		}
		if p {
			m.reg[d] = src(1)
		} else {
			m.reg[d] = src(2)
		}
		return nil
	case "mad.lo.cc.u32", "madc.lo.cc.u32", "madc.lo.u32":
		full := (src(1)*src(2))&mask + src(3) + cin
		r, c = full&mask, full>>32
	case "mad.hi.cc.u32", "madc.hi.cc.u32", "madc.hi.u32":
		full := (src(1)*src(2))>>32 + src(3) + cin
		r, c = full&mask, full>>32
	case "addc.u32", "addc.cc.u32", "add.cc.u32":
		full := src(1) + src(2) + cin
		r, c = full&mask, full>>32
	case "add.cc.u64", "addc.cc.u64", "addc.u64":
		r, c = bits.Add64(src(1), src(2), cin)
	case "sub.cc.u64", "subc.cc.u64", "subc.u64":
		r, c = bits.Sub64(src(1), src(2), cin)
	default:
		return fmt.Errorf("instruction %q not in the interpreter", op)
	}
	m.reg[d] = r
	switch {
	case strings.Contains(op, ".cc."):
		m.carry = c
	case c != 0 && w == 32:
		return fmt.Errorf("%s drops a carry", line)
	}
	return nil
}

// TestMontRowPTX runs the inline PTX of every curve field's 32-bit-word
// Montgomery multiplication (montRowPTX, CUDA's FLD_row) through
// ptxMachine and compares a·b·R⁻¹ mod p with math/big's on edge and
// random operands: the check of the PTX's arithmetic that a machine
// without a GPU can make (ptxas checks its syntax in
// cuda.TestNVRTCCubin; TestField runs it on a GPU).
func TestMontRowPTX(t *testing.T) {
	for _, f := range mulCheckFields {
		t.Run(f.name, func(t *testing.T) {
			w := 2 * ((f.p.BitLen() + 63) / 64)
			prog := montRowPTX(f.p, w)
			checkMontPTX(t, f.p, w, 1, func(m *ptxMachine, b func(j int) uint32) error {
				for j := range w {
					m.reg[fmt.Sprintf("$%d", j)] = 0
				}
				for i := range w {
					m.reg[fmt.Sprintf("$%d", 2*w)] = uint64(b(i))
					for _, line := range prog {
						if err := m.exec(line); err != nil {
							return fmt.Errorf("row %d: %w", i, err)
						}
					}
				}
				return nil
			})
		})
	}
}

// checkMontPTX runs a Montgomery multiplication's PTX over w 32-bit words
// on edge and random operands a, b < p (seeded by seed) and compares the
// result with a·b·2^(−32w) mod p: run interprets the text on m, whose
// registers $w … $(2w−1) hold a; b gives b's words; the result must be in
// $0 … $(w−1), below 2p.
func checkMontPTX(t *testing.T, p *big.Int, w int, seed int64, run func(m *ptxMachine, b func(j int) uint32) error) {
	t.Helper()
	checkMontPTXOps(t, p, w, seed, false, run)
}

// checkMontPTXOps is checkMontPTX, with b = a where sq is set (a
// squaring's check).
func checkMontPTXOps(t *testing.T, p *big.Int, w int, seed int64, sq bool, run func(m *ptxMachine, b func(j int) uint32) error) {
	t.Helper()
	r := new(big.Int).Lsh(big.NewInt(1), uint(32*w))
	rInv := new(big.Int).ModInverse(r, p)
	rng := rand.New(rand.NewSource(seed))
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	edges := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), pm1, new(big.Int).Sub(p, big.NewInt(2)),
		new(big.Int).Rsh(p, 1), new(big.Int).Mod(new(big.Int).Sub(r, big.NewInt(1)), p),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(32*w-32)), big.NewInt(1))}
	as, bs := operandPairs(rng, p, edges, 2000)
	if sq {
		bs = as
	}
	word := func(v *big.Int, j int) uint32 {
		return uint32(new(big.Int).Rsh(v, uint(32*j)).Uint64())
	}
	for k := range as {
		a, b := as[k], bs[k]
		m := newPTXMachine()
		for j := range w {
			m.reg[fmt.Sprintf("$%d", w+j)] = uint64(word(a, j))
		}
		if err := run(m, func(j int) uint32 { return word(b, j) }); err != nil {
			t.Fatalf("a = %v, b = %v: %v", a, b, err)
		}
		got := new(big.Int)
		for j := w - 1; j >= 0; j-- {
			got.Lsh(got, 32).Or(got, new(big.Int).SetUint64(m.reg[fmt.Sprintf("$%d", j)]))
		}
		if got.Cmp(new(big.Int).Lsh(p, 1)) >= 0 {
			t.Fatalf("a = %v, b = %v: t = %v ≥ 2p", a, b, got)
		}
		if got.Cmp(p) >= 0 {
			got.Sub(got, p)
		}
		want := new(big.Int).Mul(a, b)
		want.Mul(want, rInv).Mod(want, p)
		if got.Cmp(want) != 0 {
			t.Fatalf("a = %v, b = %v: PTX gives %v, want %v", a, b, got, want)
		}
	}
}

// operandPairs returns the operand pairs of the PTX arithmetic tests:
// every pair of edges, then n random pairs below p.
func operandPairs(rng *rand.Rand, p *big.Int, edges []*big.Int, n int) (as, bs []*big.Int) {
	for _, a := range edges {
		for _, b := range edges {
			as, bs = append(as, a), append(bs, b)
		}
	}
	for range n {
		as = append(as, new(big.Int).Rand(rng, p))
		bs = append(bs, new(big.Int).Rand(rng, p))
	}
	return as, bs
}

// TestAddSubPTX runs the inline PTX of every curve field's addition,
// subtraction and final reduction (addSubPTX, CUDA's FLD_addp, FLD_subp and
// FLD_redp) through ptxMachine and compares the results with math/big's on edge
// and random operands. TestPTX runs the same code as NVRTC compiles it, on
// internal/ptxsim; the self-check runs it on a GPU.
func TestAddSubPTX(t *testing.T) {
	for _, f := range mulCheckFields {
		t.Run(f.name, func(t *testing.T) {
			p := f.p
			n := (p.BitLen() + 63) / 64
			one := big.NewInt(1)
			pm1 := new(big.Int).Sub(p, one)
			edges := []*big.Int{big.NewInt(0), one, big.NewInt(2), pm1, new(big.Int).Sub(p, big.NewInt(2)),
				new(big.Int).Rsh(p, 1), new(big.Int).Add(new(big.Int).Rsh(p, 1), one),
				new(big.Int).Lsh(one, 64), new(big.Int).Sub(new(big.Int).Lsh(one, 64), one)}
			rng := rand.New(rand.NewSource(2))
			as, bs := operandPairs(rng, p, edges, 3000)
			run := func(op int, in ...*big.Int) (*big.Int, error) {
				m := newPTXMachine()
				for k, v := range in {
					for j, w := range modulusLimbs(v, n) {
						m.reg[fmt.Sprintf("$%d", (k+1)*n+j)] = w
					}
				}
				for _, line := range addSubPTX(p, n, op) {
					if err := m.exec(line); err != nil {
						return nil, err
					}
				}
				got := new(big.Int)
				for j := n - 1; j >= 0; j-- {
					w, ok := m.reg[fmt.Sprintf("$%d", j)]
					if !ok {
						return nil, fmt.Errorf("result word %d not written", j)
					}
					got.Lsh(got, 64).Or(got, new(big.Int).SetUint64(w))
				}
				return got, nil
			}
			check := func(what string, got *big.Int, err error, want *big.Int) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if got.Cmp(want) != 0 {
					t.Fatalf("%s: PTX gives %v, want %v", what, got, want)
				}
			}
			for k := range as {
				a, b := as[k], bs[k]
				got, err := run(ptxAdd, a, b)
				check(fmt.Sprintf("%v + %v", a, b), got, err, new(big.Int).Mod(new(big.Int).Add(a, b), p))
				got, err = run(ptxSub, a, b)
				check(fmt.Sprintf("%v − %v", a, b), got, err, new(big.Int).Mod(new(big.Int).Sub(a, b), p))
				// The reduction takes any value below 2p: a + b is one.
				s := new(big.Int).Add(a, b)
				got, err = run(ptxReduce, s)
				check(fmt.Sprintf("%v mod p", s), got, err, new(big.Int).Mod(s, p))
			}
		})
	}
}

// TestMontMulPTX runs the whole multiplication of CUDA's default form
// (montMulPTX) through ptxMachine for every curve field and compares
// x·y·R⁻¹ mod p with math/big's on edge and random operands. The
// interpreter fails on a carry that a non-.cc instruction would drop, so
// the text's bounds are checked too.
func TestMontMulPTX(t *testing.T) {
	for _, f := range mulCheckFields {
		t.Run(f.name, func(t *testing.T) {
			w := 2 * ((f.p.BitLen() + 63) / 64)
			prog := montMulPTX(f.p, w)
			checkMontPTX(t, f.p, w, 3, func(m *ptxMachine, b func(j int) uint32) error {
				for j := range w {
					m.reg[fmt.Sprintf("$%d", 2*w+j)] = uint64(b(j))
				}
				return runMontPTX(m, prog)
			})
		})
	}
}

// runMontPTX runs montPTX's text on m and checks that every carry out of
// the top word (zk_drop) is zero.
func runMontPTX(m *ptxMachine, prog []string) error {
	drops := 0
	for _, line := range prog {
		if err := m.exec(line); err != nil {
			return err
		}
		if strings.HasPrefix(line, "addc.u32 zk_drop,") {
			drops++
			if m.reg["zk_drop"] != 0 {
				return fmt.Errorf("a carry out of the top word: %s", line)
			}
		}
	}
	if drops == 0 {
		return fmt.Errorf("no carry out of the top word checked")
	}
	return nil
}

// TestMontSqrPTX runs CUDA's squaring (montSqrPTX, FLD_sqrw) through
// ptxMachine for every curve field and compares x²·R⁻¹ mod p with
// math/big's on edge and random operands, its bounds checked as
// TestMontMulPTX checks the multiplication's. It also checks that the
// squaring makes w(w+1)/2 + w² products, the point of it.
func TestMontSqrPTX(t *testing.T) {
	for _, f := range mulCheckFields {
		t.Run(f.name, func(t *testing.T) {
			w := 2 * ((f.p.BitLen() + 63) / 64)
			prog := montSqrPTX(f.p, w)
			products := 0
			for _, line := range prog {
				if strings.Contains(line, ".lo.cc.u32 ") && strings.HasPrefix(line, "mad") {
					products++
				}
			}
			if want := w*(w+1)/2 + w*w; products != want {
				t.Errorf("%d products, want %d", products, want)
			}
			checkMontPTXOps(t, f.p, w, 4, true, func(m *ptxMachine, _ func(j int) uint32) error {
				return runMontPTX(m, prog)
			})
		})
	}
}
