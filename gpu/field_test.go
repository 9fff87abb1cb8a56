package gpu_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	bls377fp "github.com/consensys/gnark-crypto/ecc/bls12-377/fp"
	bls377fr "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381fp "github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	bls381fr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	bn254fp "github.com/consensys/gnark-crypto/ecc/bn254/fp"
	bn254fr "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/field/babybear"
	"github.com/consensys/gnark-crypto/field/goldilocks"
	"github.com/consensys/gnark-crypto/field/koalabear"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/ptxdev"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// fieldElem is the part of a gnark-crypto field element's method set the
// field tests compare the device with.
type fieldElem[E any] interface {
	*E
	Add(x, y *E) *E
	Sub(x, y *E) *E
	Neg(x *E) *E
	Double(x *E) *E
	Mul(x, y *E) *E
	Square(x *E) *E
	Exp(x E, k *big.Int) *E
	BigInt(res *big.Int) *big.Int
	SetBigInt(v *big.Int) *E
	SetBytes(b []byte) *E
	SetOne() *E
	Equal(x *E) bool
	IsZero() bool
}

// The operations of src/fieldtest.cl's field_ops, in its output order.
var fieldOps = []string{"add", "sub", "neg", "double", "mul", "sqr", "from_mont", "to_mont", "pow", "one", "zero"}

// fieldCases are the nine fields zkaccel's kernels use, each with its
// gnark-crypto element type bound to TestField's and FuzzField's bodies.
var fieldCases = []struct {
	name string
	info func() (gpu.FieldInfo, bool)
	test func(t *testing.T, d *gpu.Device, info gpu.FieldInfo, rng *rand.Rand)
	fuzz func(t *testing.T, devs []*gpu.Device, info gpu.FieldInfo, in *stream)
}{
	{"bn254/fr", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldBN254) }, testField[bn254fr.Element], fuzzField[bn254fr.Element]},
	{"bn254/fp", func() (gpu.FieldInfo, bool) { return gpu.BaseField(zkaccel.BN254) }, testField[bn254fp.Element], fuzzField[bn254fp.Element]},
	{"bls12-381/fr", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldBLS12381) }, testField[bls381fr.Element], fuzzField[bls381fr.Element]},
	{"bls12-381/fp", func() (gpu.FieldInfo, bool) { return gpu.BaseField(zkaccel.BLS12381) }, testField[bls381fp.Element], fuzzField[bls381fp.Element]},
	{"bls12-377/fr", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldBLS12377) }, testField[bls377fr.Element], fuzzField[bls377fr.Element]},
	{"bls12-377/fp", func() (gpu.FieldInfo, bool) { return gpu.BaseField(zkaccel.BLS12377) }, testField[bls377fp.Element], fuzzField[bls377fp.Element]},
	{"goldilocks", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldGoldilocks) }, testField[goldilocks.Element], fuzzField[goldilocks.Element]},
	{"babybear", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldBabyBear) }, testField[babybear.Element], fuzzField[babybear.Element]},
	{"koalabear", func() (gpu.FieldInfo, bool) { return gpu.ScalarField(zkaccel.FieldKoalaBear) }, testField[koalabear.Element], fuzzField[koalabear.Element]},
}

// TestField runs every operation of the field templates (src/field64.cl,
// src/field32.cl) on the device for every field zkaccel uses, and compares
// each result with gnark-crypto's, on edge values (0, 1, 2, p−1, p−2,
// (p−1)/2, 2^k−1 mod p, R mod p, all pairs of them) and seeded random ones.
func TestField(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		seed := devtest.Seed(t)
		for _, f := range fieldCases {
			t.Run(f.name, func(t *testing.T) {
				info, ok := f.info()
				if !ok {
					t.Fatalf("no FieldInfo for %s", f.name)
				}
				f.test(t, d, info, inputs.NewRand(seed))
			})
		}
	})
}

// leBytes returns v as size little-endian bytes: the raw layout of a
// field element whose limbs hold v.
func leBytes(v *big.Int, size int) []byte {
	be := v.Bytes()
	out := make([]byte, size)
	for i, b := range be {
		out[len(be)-1-i] = b
	}
	return out
}

// fromLE reads little-endian bytes as an integer.
func fromLE(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i, x := range b {
		be[len(b)-1-i] = x
	}
	return new(big.Int).SetBytes(be)
}

func testField[E any, PE fieldElem[E]](t *testing.T, d *gpu.Device, info gpu.FieldInfo, rng *rand.Rand) {
	p := info.Modulus
	es := info.ElemSize()
	var one [1]E
	if got := len(rawbytes.Of(one[:])); got != es {
		t.Fatalf("ElemSize = %d, gnark-crypto's element has %d bytes", es, got)
	}
	elem := func(v *big.Int) E {
		var e E
		PE(&e).SetBigInt(new(big.Int).Mod(v, p))
		return e
	}

	// Edge values, then every pair of them, then random pairs.
	var edges []E
	for _, v := range []int64{0, 1, 2, -1, -2} {
		edges = append(edges, elem(big.NewInt(v)))
	}
	half := new(big.Int).Rsh(p, 1) // (p−1)/2
	edges = append(edges, elem(half), elem(new(big.Int).Add(half, big.NewInt(1))))
	for _, k := range []uint{31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 381, 384} {
		v := new(big.Int).Lsh(big.NewInt(1), k)
		edges = append(edges, elem(v.Sub(v, big.NewInt(1))))
	}
	r := new(big.Int).Lsh(big.NewInt(1), uint(info.Limbs*info.LimbBits))
	edges = append(edges, elem(r), elem(new(big.Int).Neg(r))) // R mod p, −R mod p
	var a, b []E
	for i := range edges {
		for j := range edges {
			a = append(a, edges[i])
			b = append(b, edges[j])
		}
	}
	const nRandom = 256
	a = append(a, inputs.Elements[E, PE](rng, nRandom)...)
	b = append(b, inputs.Elements[E, PE](rng, nRandom)...)
	n := len(a)
	exps := make([]uint64, n)
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	edgeExps := []uint64{0, 1, 2, 3, ^uint64(0), 1 << 63}
	if pm1.IsUint64() {
		edgeExps = append(edgeExps, pm1.Uint64(), pm1.Uint64()-1) // a^(p−1) = 1, a^(p−2) = a⁻¹
	}
	for i := range exps {
		if i < len(edgeExps) {
			exps[i] = edgeExps[i]
		} else if i >= n-nRandom && i%3 == 0 && len(edgeExps) > 6 {
			exps[i] = edgeExps[6+i%2]
		} else {
			exps[i] = rng.Uint64()
		}
	}

	want, wantFlags := fieldOpsWant[E, PE](a, b, exps)
	for _, v := range fieldVariants {
		if !v.runsOn(d) {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			start := time.Now()
			out, flags, err := runFieldOps(d, info, v.prelude, rawbytes.Of(a), rawbytes.Of(b), exps)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d elements of %d bytes: compile and run %v", v.name, n, es, time.Since(start).Round(time.Millisecond))
			for _, e := range fieldOpsDiff[E, PE](a, b, exps, out, flags, want, wantFlags) {
				t.Error(e)
			}
		})
	}
}

// fieldVariants are the forms of the multiplication that the field tests
// run: both forms in fields of 64-bit limbs (gpu.EnvMul), whatever the
// runtime would choose, and under CUDA the rows and the C form too.
var fieldVariants = []fieldVariant{
	{"ZK_MUL32", "#define ZK_MUL32 1\n"},
	{"ZK_MUL32+ZK_MUL_ROWS", "#define ZK_MUL32 1\n#define ZK_MUL_ROWS 1\n"},
	{"ZK_MUL32+ZK_NO_ASM", "#define ZK_MUL32 1\n#define ZK_NO_ASM 1\n"},
	{"ZK_MUL64", "#define ZK_MUL64 1\n"},
}

// fieldVariant is a form of the multiplication: its name and the source
// prelude that selects it.
type fieldVariant struct{ name, prelude string }

// runsOn says whether v differs from the other variants on d: OpenCL has
// no inline PTX, so ZK_MUL32 is already its C form, without rows.
func (v fieldVariant) runsOn(d *gpu.Device) bool {
	return d.Kind() == "cuda" || !strings.Contains(v.prelude, "NO_ASM") && !strings.Contains(v.prelude, "ROWS")
}

// fieldOpsWant is what src/fieldtest.cl's field_ops must write for the
// pairs (a[i], b[i]) and exponents exps[i], computed with gnark-crypto:
// each operation's n results in fieldOps order, and the eq and is_zero
// flags of each pair.
func fieldOpsWant[E any, PE fieldElem[E]](a, b []E, exps []uint64) ([]E, []uint32) {
	n := len(a)
	es := len(rawbytes.Of(a[:1]))
	want := make([]E, len(fieldOps)*n)
	wantFlags := make([]uint32, 2*n)
	for i := range n {
		x, y := &a[i], &b[i]
		PE(&want[0*n+i]).Add(x, y)
		PE(&want[1*n+i]).Sub(x, y)
		PE(&want[2*n+i]).Neg(x)
		PE(&want[3*n+i]).Double(x)
		PE(&want[4*n+i]).Mul(x, y)
		PE(&want[5*n+i]).Square(x)
		// from_mont: the canonical value of x, as raw limbs.
		copy(rawbytes.Of(want[6*n+i:6*n+i+1]), leBytes(PE(x).BigInt(new(big.Int)), es))
		// to_mont: the element whose value is the integer y's raw limbs hold.
		PE(&want[7*n+i]).SetBigInt(fromLE(rawbytes.Of(b[i : i+1])))
		PE(&want[8*n+i]).Exp(*x, new(big.Int).SetUint64(exps[i]))
		PE(&want[9*n+i]).SetOne()
		if PE(x).Equal(y) {
			wantFlags[2*i] = 1
		}
		if PE(x).IsZero() {
			wantFlags[2*i+1] = 1
		}
	}
	return want, wantFlags
}

// runFieldOps runs src/fieldtest.cl's field_ops on d, under prelude, for
// the raw elements a and b (len(exps) of each) and the exponents exps,
// and returns what it wrote: the results, and the flags.
func runFieldOps(d *gpu.Device, info gpu.FieldInfo, prelude string, a, b []byte, exps []uint64) (out, flags []byte, err error) {
	rt := d.Runtime()
	n := len(exps)
	prog, err := rt.Compile(prelude + gpu.Source(info.Source("f"), gpu.File("rev.cl"), gpu.File("fieldtest.cl")))
	if err != nil {
		return nil, nil, err
	}
	k, err := prog.Kernel("field_ops")
	if err != nil {
		return nil, nil, err
	}
	var bufs []gpu.Buffer
	defer func() {
		for _, b := range bufs {
			rt.Free(b)
		}
	}()
	upload := func(data []byte) gpu.Buffer {
		if err != nil {
			return nil
		}
		var buf gpu.Buffer
		if buf, err = rt.Alloc(len(data)); err != nil {
			return nil
		}
		bufs = append(bufs, buf)
		err = rt.Write(buf, 0, data)
		return buf
	}
	out = make([]byte, len(fieldOps)*n*info.ElemSize())
	flags = make([]byte, 2*n*4)
	rawbytes.Poison(out)
	rawbytes.Poison(flags)
	ebytes := make([]byte, 8*n)
	for i, e := range exps {
		binary.LittleEndian.PutUint64(ebytes[8*i:], e)
	}
	outBuf, flagBuf := upload(out), upload(flags)
	aBuf, bBuf, eBuf := upload(a), upload(b), upload(ebytes)
	if err != nil {
		return nil, nil, err
	}
	group := 64 // or the kernel's own limit, where lower (faultcl.c's FAULTCL_KERNEL_GROUP)
	if m := k.MaxGroupSize(); m > 0 && m < group {
		group = m
	}
	if err := rt.Launch(k, n, group, outBuf, flagBuf, aBuf, bBuf, eBuf, uint32(n)); err != nil {
		return nil, nil, err
	}
	if err := rt.Read(out, outBuf, 0); err != nil {
		return nil, nil, err
	}
	if err := rt.Read(flags, flagBuf, 0); err != nil {
		return nil, nil, err
	}
	return out, flags, nil
}

// fieldOpsDiff describes where field_ops's output (out, flags) differs
// from gnark-crypto's (want, wantFlags): at most ten mismatches, then
// their count.
func fieldOpsDiff[E any, PE fieldElem[E]](a, b []E, exps []uint64, out, flags []byte, want []E, wantFlags []uint32) []string {
	n := len(a)
	es := len(rawbytes.Of(a[:1]))
	var errs []string
	bad := 0
	wantBytes := rawbytes.Of(want)
	for op := range fieldOps {
		for i := range n {
			off := (op*n + i) * es
			if g, w := out[off:off+es], wantBytes[off:off+es]; !bytes.Equal(g, w) {
				if bad++; bad <= 10 {
					errs = append(errs, fmt.Sprintf("%s(a[%d] = %s, b = %s, e = %d) = raw %s, want raw %s", fieldOps[op], i,
						PE(&a[i]).BigInt(new(big.Int)), PE(&b[i]).BigInt(new(big.Int)), exps[i], fromLE(g), fromLE(w)))
				}
			}
		}
	}
	for i, w := range wantFlags {
		if g := binary.LittleEndian.Uint32(flags[4*i:]); g != w {
			if bad++; bad <= 10 {
				errs = append(errs, fmt.Sprintf("%s(element %d) = %d, want %d", []string{"eq", "is_zero"}[i%2], i/2, g, w))
			}
		}
	}
	if bad > 10 {
		errs = append(errs, fmt.Sprintf("%d mismatches in all", bad))
	}
	return errs
}

// TestNeedsMulCheck checks which programs a CUDA device checks its
// multiplication for (the source-based rule of needsMulCheck) against a
// hand-made list: every program that works in a curve field (BN254,
// BLS12-381, BLS12-377), and none other.
func TestNeedsMulCheck(t *testing.T) {
	d, _ := ptxdev.NewDevice(1)
	curveField := func(key string) bool {
		for _, p := range []string{"msm/", "msmpre/", "quotient/"} {
			if strings.HasPrefix(key, p) {
				return true
			}
		}
		switch key {
		case "ntt/bn254", "ntt/bls12-381", "ntt/bls12-377", "poseidon2/bn254", "poseidon/circom":
			return true
		}
		return false
	}
	n := 0
	for _, key := range gpu.Programs() {
		got := gpu.NeedsMulCheck(d, key)
		if want := curveField(key); got != want {
			t.Errorf("NeedsMulCheck(%s) = %v, want %v", key, got, want)
		}
		if got {
			n++
		}
	}
	if n < 15 {
		t.Errorf("%d programs checked, want at least the 12 MSM programs and 3 quotients", n)
	}
	t.Setenv(gpu.EnvMul, "32c")
	if d, _ := ptxdev.NewDevice(1); gpu.NeedsMulCheck(d, "msm/bn254/g1") {
		t.Errorf("%s=32c: the check runs without inline PTX", gpu.EnvMul)
	}
}

// TestMulCheck runs the multiplication self-check (gpu/selfcheck.go) in each
// form (the squaring as its own PTX and as a multiplication included) on every device, and checks that a wrong product fails it with an
// error that wraps ErrUnsupported and names the field and the remedy.
func TestMulCheck(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		for _, prelude := range []string{"#define ZK_MUL32 1\n", "#define ZK_MUL32 1\n#define ZK_MUL_ROWS 1\n", "#define ZK_MUL32 1\n#define ZK_SQR_MUL 1\n", "#define ZK_MUL32 1\n#define ZK_NO_ASM 1\n", "#define ZK_MUL64 1\n"} {
			if (strings.Contains(prelude, "ROWS") || strings.Contains(prelude, "SQR")) && d.Kind() != zkaccel.CUDA {
				continue // no inline PTX outside CUDA: the same program as ZK_MUL32
			}
			if err := gpu.RunMulCheck(d, prelude, nil); err != nil {
				t.Errorf("%q: %v", prelude, err)
			}
		}
		err := gpu.RunMulCheck(d, "", func(i int, want []byte) {
			if i == 3 {
				want[5*48+7] ^= 0x10
			}
		})
		if !errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), "bls12-381/fp") || !strings.Contains(err.Error(), gpu.EnvMul+"=32c") {
			t.Errorf("a wrong product: err = %v", err)
		}
		env := os.Getenv(gpu.EnvMul)
		if want := d.Kind() == zkaccel.CUDA && (env == "" || env == "32" || env == "32s"); gpu.NeedsMulCheck(d, "msm/bn254/g1") != want || gpu.NeedsMulCheck(d, "keccak") {
			t.Errorf("NeedsMulCheck(msm/bn254/g1) = %v, want %v; keccak: %v", gpu.NeedsMulCheck(d, "msm/bn254/g1"), want, gpu.NeedsMulCheck(d, "keccak"))
		}
	})
}

// FuzzField runs field_ops (every operation of the field templates) on
// every GPU device, and on ptx:0 where ZKACCEL_TEST_PTX=1, against
// gnark-crypto, on eight pairs of elements built limb by limb: the input's
// first byte picks the field (fieldCases's nine, in its order), then each
// limb of each element is a code byte, 0 for 0, 1 for 1, 2 for all ones, 3
// for the top bit alone, 4, 5, 6 for the modulus's limb, minus one, plus
// one, 7 for the limb's bytes from the input, the value reduced modulo p;
// then each pair's exponent, 8 bytes. Such limbs drive the carries of the
// additions and of the Montgomery reduction to their ends, which random
// elements almost never do.
func FuzzField(f *testing.F) {
	for fld := range byte(9) {
		f.Add([]byte{fld, 2, 2, 2, 2, 4, 4, 4, 5})
		f.Add([]byte{fld, 5, 4, 4, 4, 3, 3, 3, 3, 7, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x80, 1, 0, 6})
	}
	devs := gpuDevices()
	if os.Getenv("ZKACCEL_TEST_PTX") == "1" {
		d, _ := ptxdev.NewDevice(1)
		devs = append(devs, d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(devs) == 0 {
			t.Skip("no GPU-runtime device")
		}
		in := stream(data)
		f := fieldCases[int(in.byte())%len(fieldCases)]
		info, ok := f.info()
		if !ok {
			t.Fatalf("no FieldInfo for %s", f.name)
		}
		f.fuzz(t, devs, info, &in)
	})
}

// fuzzField builds FuzzField's pairs of one field from in and compares
// field_ops on each device, in each form of the multiplication, with
// gnark-crypto.
func fuzzField[E any, PE fieldElem[E]](t *testing.T, devs []*gpu.Device, info gpu.FieldInfo, in *stream) {
	const pairs = 8
	p := info.Modulus
	lb := info.LimbBits
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(lb)), big.NewInt(1))
	elem := func() E {
		v := new(big.Int)
		for j := info.Limbs - 1; j >= 0; j-- {
			pj := new(big.Int).And(new(big.Int).Rsh(p, uint(j*lb)), mask)
			var l *big.Int
			switch in.byte() % 8 {
			case 0:
				l = new(big.Int)
			case 1:
				l = big.NewInt(1)
			case 2:
				l = new(big.Int).Set(mask)
			case 3:
				l = new(big.Int).Lsh(big.NewInt(1), uint(lb-1))
			case 4:
				l = pj
			case 5:
				l = pj.Sub(pj, big.NewInt(1))
			case 6:
				l = pj.Add(pj, big.NewInt(1))
			default:
				l = fromLE(in.bytes(lb / 8))
			}
			v.Lsh(v, uint(lb)).Add(v, l.And(l, mask))
		}
		var e [1]E
		copy(rawbytes.Of(e[:]), leBytes(v.Mod(v, p), info.ElemSize()))
		return e[0]
	}
	a, b := make([]E, pairs), make([]E, pairs)
	exps := make([]uint64, pairs)
	for i := range pairs {
		a[i], b[i] = elem(), elem()
		exps[i] = binary.LittleEndian.Uint64(in.bytes(8))
	}
	want, wantFlags := fieldOpsWant[E, PE](a, b, exps)
	for _, d := range devs {
		for _, v := range fieldVariants {
			if !v.runsOn(d) {
				continue
			}
			out, flags, err := runFieldOps(d, info, v.prelude, rawbytes.Of(a), rawbytes.Of(b), exps)
			if err != nil {
				t.Fatalf("%v %s: %v", d.Runtime(), v.name, err)
			}
			for _, e := range fieldOpsDiff[E, PE](a, b, exps, out, flags, want, wantFlags) {
				t.Errorf("%v %s: %s", d.Runtime(), v.name, e)
			}
		}
	}
}
