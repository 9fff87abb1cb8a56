package gpu_test

import (
	"fmt"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// TestMSMPrecompute checks MSMs over resident points' window multiples
// (gpu.EnvMSMPrecompute) against gnark-crypto, for every curve group: keys
// with points at infinity, a point and its negation, and repeats; ranges
// of the key from its start, its middle and its end, in one pass and in
// several, accumulated per bucket and in tasks; random scalars, 0, 1 and
// r − 1, and one scalar repeated. It
// checks that the multiples were kept and that the full-range MSMs used
// them, and that ZKACCEL_MSM_PRECOMPUTE=0 keeps none.
func TestMSMPrecompute(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		t.Run("bn254/g1", func(t *testing.T) { testMSMPre(t, d, bind.BN254G1, 700) })
		t.Run("bn254/g2", func(t *testing.T) { testMSMPre(t, d, bind.BN254G2, 70) })
		t.Run("bls12-381/g1", func(t *testing.T) { testMSMPre(t, d, bind.BLS12381G1, 200) })
		t.Run("bls12-381/g2", func(t *testing.T) { testMSMPre(t, d, bind.BLS12381G2, 40) })
		t.Run("bls12-377/g1", func(t *testing.T) { testMSMPre(t, d, bind.BLS12377G1, 200) })
		t.Run("bls12-377/g2", func(t *testing.T) { testMSMPre(t, d, bind.BLS12377G2, 40) })
		t.Run("off", func(t *testing.T) {
			t.Setenv(gpu.EnvMSMPrecompute, "0")
			pts := inputs.BN254G1(inputs.NewRand(1), 64)
			res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(pts), len(pts))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Free()
			if c, nwin := gpu.ResidentPre(res); nwin != 0 {
				t.Errorf("ZKACCEL_MSM_PRECOMPUTE=0 kept %d windows of width %d", nwin, c)
			}
		})
		t.Run("bad-setting", func(t *testing.T) {
			t.Setenv(gpu.EnvMSMPrecompute, "yes")
			pts := inputs.BN254G1(inputs.NewRand(1), 4)
			if res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(pts), len(pts)); err == nil {
				res.Free()
				t.Error("ZKACCEL_MSM_PRECOMPUTE=yes accepted")
			}
		})
	})
}

func testMSMPre[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](t *testing.T, d *gpu.Device, b bind.MSM[J, A, S], n int) {
	t.Setenv(gpu.EnvMSMPrecompute, "1")
	rng := inputs.NewRand(devtest.Seed(t))
	key := b.Random(rng, n)
	var zero A
	key[3] = zero // the point at infinity
	PA(&key[5]).Neg(&key[4])
	for i := 10; i < 20; i++ {
		key[i] = key[9] // repeats
	}
	res, err := d.LoadPoints(b.Curve, b.Group, rawbytes.Of(key), n)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Free()
	c, nwin := gpu.ResidentPre(res)
	if nwin == 0 {
		t.Fatal("no window multiples kept with ZKACCEL_MSM_PRECOMPUTE=1")
	}
	if !gpu.MSMUsesPre(res, n) {
		t.Fatalf("an MSM of the whole key (%d points, windows of %d bits) does not use the multiples", n, c)
	}
	t.Logf("%d points: %d windows of %d bits", n, nwin, c)
	var one, minusOne S
	PS(&one).SetOne()
	PS(&minusOne).Neg(&one)
	check := func(t *testing.T, lo int, sc []S) {
		t.Helper()
		var want J
		if _, err := PJ(&want).MultiExp(key[lo:lo+len(sc)], sc, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		var got [1]J
		out := rawbytes.Of(got[:])
		rawbytes.Poison(out)
		if err := d.MSM(&zkaccel.MSMRequest{Curve: b.Curve, Group: b.Group, N: len(sc), Scalars: rawbytes.Of(sc), Result: out, Resident: res, ResidentOffset: lo}); err != nil {
			t.Fatal(err)
		}
		var ga, wa A
		PA(&ga).FromJacobian(&got[0])
		PA(&wa).FromJacobian(&want)
		if !PA(&ga).Equal(&wa) {
			t.Fatalf("points %d+%d (multiples used: %v): %s, want %s", lo, len(sc), gpu.MSMUsesPre(res, len(sc)), PA(&ga), PA(&wa))
		}
	}
	for _, r := range [][2]int{{0, n}, {0, n / 2}, {n / 3, n / 2}, {n - n/2, n / 2}, {1, 1}, {n - 1, 1}} {
		lo, cnt := r[0], r[1]
		t.Run(fmt.Sprintf("points=%d+%d", lo, cnt), func(t *testing.T) {
			sc := inputs.Elements[S, PS](rng, cnt)
			check(t, lo, sc)
			for i := range sc {
				switch i % 4 {
				case 0:
					sc[i] = one
				case 1:
					sc[i] = minusOne
				case 2:
					var z S
					sc[i] = z
				}
			}
			check(t, lo, sc)
			for i := range sc {
				sc[i] = sc[min(3, len(sc)-1)]
			}
			check(t, lo, sc)
		})
	}
	t.Run("passes=3", func(t *testing.T) {
		t.Setenv(gpu.EnvMSMPasses, "3")
		check(t, 0, inputs.Elements[S, PS](rng, n))
	})
	t.Run("tasks", func(t *testing.T) { // the GPUs' accumulation, in tasks of 3 entries
		defer gpu.SetMSMTaskLen(3)()
		sc := inputs.Elements[S, PS](rng, n)
		for i := range sc[:n/2] {
			sc[i] = one // crowded buckets: many tasks each
		}
		check(t, 0, sc)
	})
}
