package gpu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"strings"

	"github.com/zkaccel/zkaccel"
)

// The multiplication self-check. The curve fields' arithmetic in inline
// PTX (gpu/source.go: the multiplication, montMulPTX or montRowPTX's rows,
// the squaring, montSqrPTX, and the addition, subtraction and final
// reduction, addSubPTX) runs only on an
// NVIDIA GPU, through its driver's own compiler; CI checks it only on an
// interpreter of the PTX (internal/ptxsim). So before a CUDA device first
// compiles a program that uses it, the device multiplies, adds,
// subtracts and squares a set of edge and random elements of every curve field and
// compares each result with math/big's. A difference makes every such
// program unavailable on the device (an error wrapping
// zkaccel.ErrUnsupported, so calls fall back to the CPU, visibly, and
// conformance fails) rather than give a wrong answer; ZKACCEL_GPU_MUL=32c
// or 64 chooses a form without inline PTX.

// mulCheckField is a curve field the check multiplies in.
type mulCheckField struct {
	name string
	p    *big.Int
}

// mulCheckFields are the fields of 64-bit limbs: each curve's scalar and
// base fields.
var mulCheckFields = func() []mulCheckField {
	var out []mulCheckField
	for _, c := range []zkaccel.Curve{zkaccel.BN254, zkaccel.BLS12381, zkaccel.BLS12377} {
		fr, _ := ScalarField(zkaccel.Field(c))
		fp, _ := BaseField(c)
		out = append(out, mulCheckField{string(c) + "/fr", fr.Modulus}, mulCheckField{string(c) + "/fp", fp.Modulus})
	}
	return out
}()

// mulCheckKey is the device cache's key of the check's outcome.
const mulCheckKey = "selfcheck/mul"

// mulCheckPairs is the number of products checked per field.
const mulCheckPairs = 256

// needsMulCheck reports whether program key, whose source is src,
// multiplies in a curve field with inline PTX on d: whether src holds a
// curve field's inline PTX (montRowCUDA's text, under fieldAsmGuard), so
// that no program added later escapes the check.
func (d *Device) needsMulCheck(key, src string) bool {
	if d.rt.Kind() != "cuda" || strings.Contains(d.prelude, "ZK_NO_ASM") || strings.Contains(d.prelude, "ZK_MUL64") {
		return false
	}
	return key != mulCheckKey && strings.Contains(src, fieldAsmGuard)
}

// mulCheck runs the check once per device and returns its outcome. The
// caller holds d.mu.
func (d *Device) mulCheck() error {
	if v, ok := d.cache[mulCheckKey]; ok {
		err, _ := v.(error)
		return err
	}
	err := runMulCheck(d.rt, d.prelude, nil)
	if err != nil {
		zkaccel.Debugf("gpu: %s: %v", d, err)
	}
	// Keep a verdict (a pass, or a wrong product); an error that kept the
	// check from running (a reset, memory) is not one: the next program
	// runs it again.
	if err == nil || errors.Is(err, zkaccel.ErrUnsupported) {
		d.cache[mulCheckKey] = err
	}
	return err
}

// mulCheckSource is one program with an arithmetic kernel per curve
// field: mulcheck_<i>(out, a, b, n, op) writes out[j] = a[j]·b[j] (op 0),
// a[j] + b[j] (op 1), a[j] − b[j] (op 2) or a[j]² (op 3), each mod p.
func mulCheckSource() string {
	parts := make([]string, 0, 2*len(mulCheckFields))
	for i, f := range mulCheckFields {
		prefix := fmt.Sprintf("mc%d", i)
		parts = append(parts, FieldSource(prefix, f.p, 64), strings.ReplaceAll(`
KERNEL void mulcheck_P(GLOBAL u64* out, const GLOBAL u64* a, const GLOBAL u64* b, u32 n, u32 op) {
	u32 j = GLOBAL_ID();
	if (j >= n) return;
	P_t x = P_load(a, j), y = P_load(b, j);
	P_store(out, j, op == 0 ? P_mul(x, y) : op == 1 ? P_add(x, y) : op == 2 ? P_sub(x, y) : P_sqr(x));
}
`, "P", prefix))
	}
	return Source(parts...)
}

// mulCheckOps are the check's operations, by their kernel argument op.
var mulCheckOps = []struct {
	name string
	f    func(x, y, p, rInv *big.Int) *big.Int
}{
	{"a·b·R⁻¹", func(x, y, p, rInv *big.Int) *big.Int {
		z := new(big.Int).Mul(x, y)
		return z.Mul(z, rInv).Mod(z, p)
	}},
	{"a + b", func(x, y, p, _ *big.Int) *big.Int { z := new(big.Int).Add(x, y); return z.Mod(z, p) }},
	{"a − b", func(x, y, p, _ *big.Int) *big.Int { z := new(big.Int).Sub(x, y); return z.Mod(z, p) }},
	{"a²·R⁻¹", func(x, _, p, rInv *big.Int) *big.Int {
		z := new(big.Int).Mul(x, x)
		return z.Mul(z, rInv).Mod(z, p)
	}},
}

// runMulCheck compiles the check's program under prelude on rt, and
// compares every product, sum, difference and square with math/big's. corrupt,
// for tests, alters the expected products of field i before the
// comparison.
func runMulCheck(rt Runtime, prelude string, corrupt func(i int, want []byte)) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: the multiplication self-check: %s", zkaccel.ErrUnsupported, fmt.Sprintf(format, args...))
	}
	prog, err := rt.Compile(prelude + mulCheckSource())
	if err != nil {
		return fmt.Errorf("the multiplication self-check: %w", err)
	}
	rng := rand.New(rand.NewSource(0x5eed))
	for i, f := range mulCheckFields {
		words := (f.p.BitLen() + 63) / 64
		es := 8 * words
		r := new(big.Int).Lsh(big.NewInt(1), uint(64*words))
		rInv := new(big.Int).ModInverse(r, f.p)
		pm1 := new(big.Int).Sub(f.p, big.NewInt(1))
		edges := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), pm1, new(big.Int).Rsh(f.p, 1),
			new(big.Int).Mod(new(big.Int).Sub(r, big.NewInt(1)), f.p)}
		a := make([]byte, mulCheckPairs*es)
		b := make([]byte, mulCheckPairs*es)
		put := func(dst []byte, v *big.Int) {
			for k := range words {
				binary.LittleEndian.PutUint64(dst[8*k:], new(big.Int).Rsh(v, uint(64*k)).Uint64())
			}
		}
		xs, ys := make([]*big.Int, mulCheckPairs), make([]*big.Int, mulCheckPairs)
		for j := range mulCheckPairs {
			if j < len(edges)*len(edges) {
				xs[j], ys[j] = edges[j/len(edges)], edges[j%len(edges)]
			} else {
				xs[j], ys[j] = new(big.Int).Rand(rng, f.p), new(big.Int).Rand(rng, f.p)
			}
			put(a[j*es:], xs[j])
			put(b[j*es:], ys[j])
		}
		for op, o := range mulCheckOps {
			want := make([]byte, mulCheckPairs*es)
			for j := range mulCheckPairs {
				put(want[j*es:], o.f(xs[j], ys[j], f.p, rInv))
			}
			if corrupt != nil && op == 0 {
				corrupt(i, want)
			}
			got, err := runMulKernel(rt, prog, fmt.Sprintf("mulcheck_mc%d", i), a, b, uint32(op))
			if err != nil {
				return fmt.Errorf("the multiplication self-check: %s: %w", f.name, err)
			}
			for j := range mulCheckPairs {
				if g, w := got[j*es:(j+1)*es], want[j*es:(j+1)*es]; !bytes.Equal(g, w) {
					operands := fmt.Sprintf("a = %x, b = %x", a[j*es:(j+1)*es], b[j*es:(j+1)*es])
					remedy := fmt.Sprintf("set %s=32c or 64 for a form without inline PTX", EnvMul)
					if op == 3 {
						operands = fmt.Sprintf("a = %x", a[j*es:(j+1)*es])
						remedy = fmt.Sprintf("set %s=0 to square by multiplying, or %s", EnvSqr, remedy)
					}
					return fail("%s: %s for %s (little-endian limbs) gave %x, want %x; %s",
						f.name, o.name, operands, g, w, remedy)
				}
			}
		}
	}
	return nil
}

// runMulKernel runs one mulcheck kernel's operation op on a and b and
// returns its output.
func runMulKernel(rt Runtime, prog Program, name string, a, b []byte, op uint32) ([]byte, error) {
	k, err := prog.Kernel(name)
	if err != nil {
		return nil, err
	}
	var bufs []Buffer
	defer func() {
		for _, buf := range bufs {
			rt.Free(buf)
		}
	}()
	alloc := func(data []byte) (Buffer, error) {
		buf, err := rt.Alloc(len(data))
		if err != nil {
			return nil, err
		}
		bufs = append(bufs, buf)
		return buf, rt.Write(buf, 0, data)
	}
	ab, err := alloc(a)
	if err != nil {
		return nil, err
	}
	bb, err := alloc(b)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(a))
	ob, err := alloc(out)
	if err != nil {
		return nil, err
	}
	if err := rt.Launch(k, mulCheckPairs, 0, ob, ab, bb, uint32(mulCheckPairs), op); err != nil {
		_ = rt.Finish()
		return nil, err
	}
	if err := rt.Read(out, ob, 0); err != nil {
		return nil, err
	}
	return out, rt.Finish()
}
