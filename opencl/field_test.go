package opencl_test

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// TestCacheFieldProgram builds a program over the BN254 scalar field from
// source and then loads it from the disk cache, logging both times, and
// checks that both compute the Montgomery product a·b·R⁻¹ mod r.
func TestCacheFieldProgram(t *testing.T) {
	rt := runtime0(t)
	t.Setenv(opencl.EnvCacheDir, t.TempDir())
	t.Setenv(opencl.EnvCache, "")
	seed := devtest.Seed(t)
	rng := rand.New(rand.NewSource(seed))
	f, _ := gpu.ScalarField(zkaccel.FieldBN254)
	src := gpu.Source(f.Source("fr"), fmt.Sprintf(`
// %d
KERNEL void fr_mul_k(GLOBAL u64* c, const GLOBAL u64* a, const GLOBAL u64* b, u32 n) {
	u32 i = GLOBAL_ID();
	if (i < n) fr_store(c, i, fr_mul(fr_load(a, i), fr_load(b, i)));
}`, seed))

	const n = 257
	p := f.Modulus
	limbs := f.Limbs
	ab := make([][]byte, 2)
	vals := make([][]*big.Int, 2)
	for j := range ab {
		for i := 0; i < n; i++ {
			x := new(big.Int).Rand(rng, p)
			vals[j] = append(vals[j], x)
			ab[j] = append(ab[j], le(x, 8*limbs)...)
		}
	}
	rInv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), uint(64*limbs)), p)
	want := make([]byte, 0, n*8*limbs)
	for i := 0; i < n; i++ {
		x := new(big.Int).Mul(vals[0][i], vals[1][i])
		x.Mul(x, rInv).Mod(x, p)
		want = append(want, le(x, 8*limbs)...)
	}

	run := func(name string) {
		t.Helper()
		opencl.ForgetPrograms(rt)
		start := time.Now()
		prog, err := rt.Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		k, err := prog.Kernel("fr_mul_k")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", name, time.Since(start))
		var bufs []gpu.Buffer
		defer func() {
			for _, b := range bufs {
				rt.Free(b)
			}
		}()
		for _, data := range [][]byte{ab[0], ab[1], bytes.Repeat([]byte{0xA5}, len(want))} {
			b, err := rt.Alloc(len(data))
			if err != nil {
				t.Fatal(err)
			}
			bufs = append(bufs, b)
			if err := rt.Write(b, 0, data); err != nil {
				t.Fatal(err)
			}
		}
		if err := rt.Launch(k, n, 0, bufs[2], bufs[0], bufs[1], uint32(n)); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(want))
		if err := rt.Read(got, bufs[2], 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: fr_mul differs from a·b·R⁻¹ mod r", name)
		}
	}
	before := opencl.GetStats(rt)
	run("build from source (and first kernel creation)")
	run("load from the disk cache")
	after := opencl.GetStats(rt)
	if after.Built-before.Built != 1 || after.Loaded-before.Loaded != 1 {
		t.Errorf("counters %+v -> %+v: want one build and one load", before, after)
	}
}

// le returns x as size little-endian bytes.
func le(x *big.Int, size int) []byte {
	b := x.FillBytes(make([]byte, size))
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}
