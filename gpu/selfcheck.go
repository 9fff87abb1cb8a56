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

// The multiplication self-check. The field multiplication's inline PTX
// (gpu/source.go's montRowPTX) is the one part of the device code that CI
// cannot run: it runs only on an NVIDIA GPU. So before a CUDA device first
// compiles a program that multiplies in a curve field with it, the device
// multiplies a set of edge and random elements of every curve field and
// compares each product with math/big's. A difference makes every such
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

// needsMulCheck reports whether program key multiplies in a curve field
// with inline PTX on d.
func (d *Device) needsMulCheck(key string) bool {
	if d.rt.Kind() != "cuda" || strings.Contains(d.prelude, "ZK_NO_ASM") || strings.Contains(d.prelude, "ZK_MUL64") {
		return false
	}
	switch {
	case strings.HasPrefix(key, "msm/"), key == "poseidon/circom", key == "poseidon2/bn254",
		key == "ntt/bn254", key == "ntt/bls12-381", key == "ntt/bls12-377":
		return true
	}
	return false
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

// mulCheckSource is one program with a multiplication kernel per curve
// field: mulcheck_<i>(out, a, b, n) writes out[j] = a[j]·b[j].
func mulCheckSource() string {
	parts := make([]string, 0, 2*len(mulCheckFields))
	for i, f := range mulCheckFields {
		prefix := fmt.Sprintf("mc%d", i)
		parts = append(parts, FieldSource(prefix, f.p, 64), strings.ReplaceAll(`
KERNEL void mulcheck_P(GLOBAL u64* out, const GLOBAL u64* a, const GLOBAL u64* b, u32 n) {
	u32 j = GLOBAL_ID();
	if (j >= n) return;
	P_store(out, j, P_mul(P_load(a, j), P_load(b, j)));
}
`, "P", prefix))
	}
	return Source(parts...)
}

// runMulCheck compiles the check's program under prelude on rt, and
// compares every product with math/big's. corrupt, for tests, alters the
// expected products of field i before the comparison.
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
		want := make([]byte, mulCheckPairs*es)
		put := func(dst []byte, v *big.Int) {
			for k := range words {
				binary.LittleEndian.PutUint64(dst[8*k:], new(big.Int).Rsh(v, uint(64*k)).Uint64())
			}
		}
		for j := range mulCheckPairs {
			var x, y *big.Int
			if j < len(edges)*len(edges) {
				x, y = edges[j/len(edges)], edges[j%len(edges)]
			} else {
				x, y = new(big.Int).Rand(rng, f.p), new(big.Int).Rand(rng, f.p)
			}
			put(a[j*es:], x)
			put(b[j*es:], y)
			z := new(big.Int).Mul(x, y)
			put(want[j*es:], z.Mul(z, rInv).Mod(z, f.p))
		}
		if corrupt != nil {
			corrupt(i, want)
		}
		got, err := runMulKernel(rt, prog, fmt.Sprintf("mulcheck_mc%d", i), a, b)
		if err != nil {
			return fmt.Errorf("the multiplication self-check: %s: %w", f.name, err)
		}
		for j := range mulCheckPairs {
			if g, w := got[j*es:(j+1)*es], want[j*es:(j+1)*es]; !bytes.Equal(g, w) {
				return fail("%s: a·b·R⁻¹ for a = %x, b = %x (little-endian limbs) gave %x, want %x; set %s=32c or 64 for a form without inline PTX",
					f.name, a[j*es:(j+1)*es], b[j*es:(j+1)*es], g, w, EnvMul)
			}
		}
	}
	return nil
}

// runMulKernel runs one mulcheck kernel on a and b and returns its output.
func runMulKernel(rt Runtime, prog Program, name string, a, b []byte) ([]byte, error) {
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
	if err := rt.Launch(k, mulCheckPairs, 0, ob, ab, bb, uint32(mulCheckPairs)); err != nil {
		_ = rt.Finish()
		return nil, err
	}
	if err := rt.Read(out, ob, 0); err != nil {
		return nil, err
	}
	return out, rt.Finish()
}
