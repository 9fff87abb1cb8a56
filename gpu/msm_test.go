package gpu_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/msm"
	msmbn254 "github.com/zkaccel/zkaccel/msm/bn254"
)

// The MSM is checked against gnark-crypto's MultiExp on seeded random
// inputs and on the edge cases of the bucket method: zero scalars, 1 and
// r − 1, duplicate points (one big bucket, doublings inside a bucket),
// P and −P (cancellation), points at infinity, sizes that are no power of
// two, every window width, and several device passes (chunks).

// deviceMSM runs Σ scalars[i]·points[i] on d into a poisoned result.
func deviceMSM[J, A, S any](d *gpu.Device, b bind.MSM[J, A, S], points []A, scalars []S) (J, error) {
	var res [1]J
	out := rawbytes.Of(res[:])
	rawbytes.Poison(out)
	err := d.MSM(&zkaccel.MSMRequest{
		Curve: b.Curve, Group: b.Group, N: len(points),
		Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: out,
	})
	return res[0], err
}

// checkMSM compares the device's MSM with gnark-crypto's as points, and
// checks that the point at infinity is written byte for byte as
// gnark-crypto's MultiExp writes it, (0, 0, 0).
func checkMSM[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J]](t *testing.T, d *gpu.Device, b bind.MSM[J, A, S], points []A, scalars []S) {
	t.Helper()
	var want J
	if _, err := PJ(&want).MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
		t.Fatalf("gnark-crypto MultiExp: %v", err)
	}
	got, err := deviceMSM(d, b, points, scalars)
	if err != nil {
		t.Fatalf("MSM of %d points: %v", len(points), err)
	}
	var ga, wa A
	PA(&ga).FromJacobian(&got)
	PA(&wa).FromJacobian(&want)
	if !PA(&ga).Equal(&wa) {
		t.Fatalf("MSM of %d points = %s, want %s", len(points), PA(&ga), PA(&wa))
	}
	if PA(&wa).IsInfinity() {
		if g, w := rawbytes.Of([]J{got}), rawbytes.Of([]J{want}); !bytes.Equal(g, w) {
			t.Fatalf("the point at infinity is written as %x, want gnark-crypto's %x", g, w)
		}
	} else if !PA(&ga).IsOnCurve() {
		t.Fatalf("MSM result %s is not on the curve", PA(&ga))
	}
}

func TestMSM(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		t.Run("bn254/g1", func(t *testing.T) { testMSMGroup(t, d, bind.BN254G1) })
		t.Run("bn254/g2", func(t *testing.T) { testMSMGroup(t, d, bind.BN254G2) })
		t.Run("bls12-381/g1", func(t *testing.T) { testMSMGroup(t, d, bind.BLS12381G1) })
		t.Run("bls12-381/g2", func(t *testing.T) { testMSMGroup(t, d, bind.BLS12381G2) })
		t.Run("bls12-377/g1", func(t *testing.T) { testMSMGroup(t, d, bind.BLS12377G1) })
		t.Run("bls12-377/g2", func(t *testing.T) { testMSMGroup(t, d, bind.BLS12377G2) })
	})
}

func testMSMGroup[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](t *testing.T, d *gpu.Device, b bind.MSM[J, A, S]) {
	rng := inputs.NewRand(devtest.Seed(t))
	check := func(t *testing.T, points []A, scalars []S) {
		t.Helper()
		checkMSM[J, A, S, PJ, PA](t, d, b, points, scalars)
	}
	scalars := func(n int) []S { return inputs.Elements[S, PS](rng, n) }
	one, minusOne := func() (o, m S) {
		PS(&o).SetOne()
		PS(&m).Neg(&o)
		return
	}()

	start := time.Now()
	check(t, b.Random(rng, 1), scalars(1)) // compiles the program
	t.Logf("first MSM (program build included): %v", time.Since(start))

	sizes := []int{1, 2, 3, 100, 1000}
	if !testing.Short() {
		sizes = append(sizes, 1<<12)
	}
	for _, n := range sizes {
		t.Run(fmt.Sprintf("random/n=%d", n), func(t *testing.T) {
			pts, sc := b.Random(rng, n), scalars(n)
			start := time.Now()
			check(t, pts, sc)
			t.Logf("n=%d: %v", n, time.Since(start))
		})
	}
	t.Run("zero-scalars", func(t *testing.T) {
		check(t, b.Random(rng, 5), make([]S, 5))
	})
	t.Run("one-and-r-1", func(t *testing.T) {
		sc := scalars(9)
		for i := range sc {
			switch i % 3 {
			case 0:
				sc[i] = one
			case 1:
				sc[i] = minusOne
			}
		}
		check(t, b.Random(rng, 9), sc)
		check(t, b.Random(rng, 1), []S{minusOne})
		check(t, b.Random(rng, 1), []S{one})
	})
	t.Run("duplicates", func(t *testing.T) {
		const n = 64
		pts := make([]A, n)
		p := b.Random(rng, 1)[0]
		for i := range pts {
			pts[i] = p
		}
		sc := make([]S, n)
		s := scalars(1)[0]
		for i := range sc {
			sc[i] = s
		}
		check(t, pts, sc)         // one big bucket per window, doublings in it
		check(t, pts, scalars(n)) // the same point in many buckets
		check(t, pts[:2], []S{minusOne, minusOne})
	})
	t.Run("negations", func(t *testing.T) {
		const n = 10
		pts, sc := b.Random(rng, n), scalars(n)
		for i := 1; i < n; i += 2 {
			PA(&pts[i]).Neg(&pts[i-1])
			sc[i] = sc[i-1]
		}
		check(t, pts, sc) // cancels: the point at infinity
		sc[3] = scalars(1)[0]
		check(t, pts, sc)
		check(t, pts[:2], []S{one, minusOne}) // P − (−P) = 2P
	})
	t.Run("infinity", func(t *testing.T) {
		const n = 20
		pts, sc := b.Random(rng, n), scalars(n)
		for i := 0; i < n; i += 3 {
			pts[i] = *new(A)
		}
		check(t, pts, sc)
		check(t, make([]A, 3), scalars(3))
	})
	t.Run("chunks", func(t *testing.T) {
		defer gpu.SetMSMMaxChunk(7)()
		const n = 30 // 5 passes of 6 points
		pts, sc := b.Random(rng, n), scalars(n)
		check(t, pts, sc)
		for i := 6; i < 12; i++ {
			PS(&sc[i]).SetZero() // one pass is the point at infinity
		}
		check(t, pts, sc)
		check(t, pts[:5], make([]S, 5)) // every pass is
	})
	t.Run("windows", func(t *testing.T) {
		const n = 40
		pts, sc := b.Random(rng, n), scalars(n)
		sc[0] = minusOne
		// Window widths where the scalar's bit length is a multiple of c
		// (BLS12-381: 5, 15; BLS12-377: 11) need the extra carry window.
		for _, c := range []int{5, 11, 15, 16} {
			t.Run(fmt.Sprintf("c=%d", c), func(t *testing.T) {
				defer gpu.SetMSMWindow(c)()
				check(t, pts, sc)
			})
		}
	})
	t.Run("tasks", func(t *testing.T) {
		// The accumulation in tasks (the GPU path), with tasks of 1 to 5
		// entries: random scalars, and scalars that repeat (0, 1, −1 and one
		// value many times), which fill a few buckets with most points.
		const n = 60
		pts, sc := b.Random(rng, n), scalars(n)
		skew := scalars(n)
		rep := scalars(1)[0]
		for i := range skew {
			switch i % 4 {
			case 0:
				skew[i] = one
			case 1:
				skew[i] = rep
			case 2:
				skew[i] = minusOne
			}
		}
		for _, T := range []int{1, 2, 5, 256} {
			for _, c := range []int{4, 8} {
				t.Run(fmt.Sprintf("T=%d/c=%d", T, c), func(t *testing.T) {
					defer gpu.SetMSMTaskLen(T)()
					defer gpu.SetMSMWindow(c)()
					check(t, pts, sc)
					check(t, pts, skew)
				})
			}
		}
	})
	t.Run("scan", func(t *testing.T) {
		// The counts' prefix sum with small work-groups: many blocks and
		// several levels of block totals, uneven last blocks included.
		const n = 40
		pts, sc := b.Random(rng, n), scalars(n)
		for _, c := range []int{4, 9} {
			for _, group := range []int{1, 2, 8} {
				t.Run(fmt.Sprintf("c=%d/group=%d", c, group), func(t *testing.T) {
					defer gpu.SetMSMWindow(c)()
					defer gpu.SetMSMScanGroup(group)()
					check(t, pts, sc)
				})
			}
		}
	})
	t.Run("segments", func(t *testing.T) {
		// The bucket reduction's segments, one to all of a window's buckets
		// (tree sums of every depth, including none).
		const n = 40
		pts, sc := b.Random(rng, n), scalars(n)
		for _, c := range []int{4, 7} {
			for _, seglen := range []int{1, 2, 8, 1 << 10} {
				t.Run(fmt.Sprintf("c=%d/seglen=%d", c, seglen), func(t *testing.T) {
					defer gpu.SetMSMWindow(c)()
					defer gpu.SetMSMSeglen(seglen)()
					check(t, pts, sc)
				})
			}
		}
	})
}

// TestMSMShape checks the window plan: the signed digits' last carry always
// has room (nwin·c exceeds the scalar's bit length).
func TestMSMShape(t *testing.T) {
	for _, c := range []zkaccel.Curve{zkaccel.BN254, zkaccel.BLS12381, zkaccel.BLS12377} {
		fr, _ := gpu.ScalarField(zkaccel.Field(c))
		bits := fr.Modulus.BitLen()
		for _, n := range []int{1, 2, 100, 1 << 10, 1 << 14, 1 << 20, 1 << 26} {
			w, nwin, ok := gpu.MSMShape(c, zkaccel.G1, n)
			if !ok {
				t.Fatalf("%s: unknown", c)
			}
			if w < 4 || w > 16 || nwin*w <= bits || (nwin-1)*w > bits {
				t.Errorf("%s n=%d: c=%d, %d windows for %d-bit scalars", c, n, w, nwin, bits)
			}
		}
	}
}

func TestMSMBadRequest(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		pts := rawbytes.Of(inputs.BN254G1(rng, 4))
		sc := rawbytes.Of(inputs.Elements[frbn.Element](rng, 4))
		good := func() zkaccel.MSMRequest {
			return zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 4, Points: pts, Scalars: sc, Result: make([]byte, 96)}
		}
		for _, tc := range []struct {
			name        string
			edit        func(r *zkaccel.MSMRequest)
			unsupported bool
		}{
			{"unknown-curve", func(r *zkaccel.MSMRequest) { r.Curve = "secp256k1" }, true},
			{"unknown-group", func(r *zkaccel.MSMRequest) { r.Group = 3 }, true},
			{"n=0", func(r *zkaccel.MSMRequest) { r.N = 0 }, false},
			{"n<0", func(r *zkaccel.MSMRequest) { r.N = -1 }, false},
			{"n-too-large", func(r *zkaccel.MSMRequest) { r.N = 5 }, false},
			{"short-points", func(r *zkaccel.MSMRequest) { r.Points = pts[:len(pts)-1] }, false},
			{"long-scalars", func(r *zkaccel.MSMRequest) { r.Scalars = append(append([]byte{}, sc...), 0) }, false},
			{"short-result", func(r *zkaccel.MSMRequest) { r.Result = make([]byte, 64) }, false},
			{"g2-sizes", func(r *zkaccel.MSMRequest) { r.Group = zkaccel.G2 }, false},
			{"bls-sizes", func(r *zkaccel.MSMRequest) { r.Curve = zkaccel.BLS12381 }, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := good()
				tc.edit(&r)
				rawbytes.Poison(r.Result)
				before := append([]byte{}, r.Result...)
				err := d.MSM(&r)
				if err == nil {
					t.Fatal("no error")
				}
				t.Log(err)
				if got := errors.Is(err, zkaccel.ErrUnsupported); got != tc.unsupported {
					t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tc.unsupported)
				}
				if !bytes.Equal(r.Result, before) {
					t.Error("the result was written")
				}
			})
		}
	})
}

// bn254Inputs draws n BN254 G1 points and scalars from the test's seed,
// with their MSM computed by gnark-crypto.
func bn254Inputs(t *testing.T, n int) ([]bn254.G1Affine, []frbn.Element, bn254.G1Jac) {
	t.Helper()
	rng := inputs.NewRand(devtest.Seed(t))
	pts := inputs.BN254G1(rng, n)
	sc := inputs.Elements[frbn.Element](rng, n)
	var want bn254.G1Jac
	var wantAff bn254.G1Affine
	if _, err := wantAff.MultiExp(pts, sc, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	want.FromAffine(&wantAff)
	return pts, sc, want
}

// TestMSMWindowEnv: ZKACCEL_MSM_WINDOW sets the window width (the result
// stays gnark-crypto's), and a bad value is an error that names it.
func TestMSMWindowEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		const n = 50
		pts, sc, want := bn254Inputs(t, n)
		for _, v := range []string{"4", "17"} {
			t.Setenv(gpu.EnvMSMWindow, v)
			r := zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: make([]byte, 96)}
			if err := d.MSM(&r); err != nil {
				t.Fatalf("%s=%s: %v", gpu.EnvMSMWindow, v, err)
			}
			var got [1]bn254.G1Jac
			copy(rawbytes.Of(got[:]), r.Result)
			if !got[0].Equal(&want) {
				t.Errorf("%s=%s: the MSM differs from gnark-crypto's", gpu.EnvMSMWindow, v)
			}
		}
		for _, v := range []string{"3", "21", "x"} {
			t.Setenv(gpu.EnvMSMWindow, v)
			r := zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: make([]byte, 96)}
			if err := d.MSM(&r); err == nil || !strings.Contains(err.Error(), gpu.EnvMSMWindow) {
				t.Errorf("%s=%s: err = %v, want one naming the variable", gpu.EnvMSMWindow, v, err)
			}
		}
	})
}

// crowdedScalars returns n scalars that crowd one bucket per window, as a
// witness's boolean wires do: two thirds 1, the rest 0.
func crowdedScalars(n int) []frbn.Element {
	bits := make([]frbn.Element, n)
	for i := range bits {
		if i%3 != 0 {
			bits[i].SetOne()
		}
	}
	return bits
}

// TestWarpEnv checks ZKACCEL_GPU_WARP: with the warp-level primitives off
// or on (on CUDA; elsewhere the one form), the MSM (whose counts and
// counting sort they aggregate under CUDA) gives gnark-crypto's result, on
// scalars that crowd a few buckets (0 and 1, which fill whole warps with
// one key) and on random ones; a bad value is an error naming the
// variable.
func TestWarpEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		const n = 300
		pts, sc, _ := bn254Inputs(t, n)
		bits := crowdedScalars(n)
		settings := []string{"0", "1"}
		if d.Kind() != zkaccel.CUDA {
			// OpenCL has one form: the setting changes only the source's
			// text (and so makes a runtime such as POCL compile it again).
			settings = []string{"1"}
		}
		for _, v := range settings {
			t.Setenv(gpu.EnvWarp, v)
			d2 := gpu.NewDevice(d.Runtime())
			checkMSM(t, d2, bind.BN254G1, pts, sc)
			checkMSM(t, d2, bind.BN254G1, pts, bits)
		}
		t.Setenv(gpu.EnvWarp, "yes")
		d2 := gpu.NewDevice(d.Runtime())
		if _, err := deviceMSM(d2, bind.BN254G1, pts, sc); err == nil || !strings.Contains(err.Error(), `ZKACCEL_GPU_WARP="yes": want 0 or 1`) {
			t.Errorf("%s=yes: err = %v, want one naming the variable", gpu.EnvWarp, err)
		}
	})
}

// TestMSMBlockEnv checks ZKACCEL_MSM_BLOCK and ZKACCEL_MSM_MIN_BLOCKS: the
// bucket kernels launched in smaller blocks, one work item per bucket and
// in tasks, and (on CUDA, whose source they change) compiled under launch
// bounds, give gnark-crypto's result on random and on crowded scalars; bad
// values are errors naming the variable.
func TestMSMBlockEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		const n = 300
		pts, sc, _ := bn254Inputs(t, n)
		bits := crowdedScalars(n)
		type setting struct{ block, min string }
		settings := []setting{{"64", ""}}
		if d.Kind() == zkaccel.CUDA {
			// The bounds change CUDA's code only.
			settings = append(settings, setting{"128", "6"}, setting{"", "3"})
		} else {
			settings = append(settings, setting{"", "3"}) // validated, no source change
		}
		// Which bucket kernel each path launches, and the kernel's own
		// block limit, from runs with the knobs unset.
		type bucket struct {
			name  string
			limit int
		}
		paths := map[int]bucket{}
		t.Setenv(gpu.EnvMSMBlock, "")
		t.Setenv(gpu.EnvMSMMinBlocks, "")
		for _, T := range []int{0, 16} { // the device's default path, then tasks of 16 entries
			rec := devtest.NewFaultyAsGPU(d)
			restore := gpu.SetMSMTaskLen(T)
			checkMSM(t, rec.Device, bind.BN254G1, pts, sc)
			restore()
			for _, k := range []string{"msm_accumulate", "msm_task_accumulate"} {
				if l, ok := rec.Limit(k); ok {
					paths[T] = bucket{k, l}
				}
			}
		}
		t.Logf("bucket kernels by task length: %v", paths)
		for _, v := range settings {
			t.Setenv(gpu.EnvMSMBlock, v.block)
			t.Setenv(gpu.EnvMSMMinBlocks, v.min)
			want := 0 // the runtime's default
			if v.block != "" {
				want, _ = strconv.Atoi(v.block)
			}
			rec := devtest.NewFaultyAsGPU(d) // records the launches' block sizes
			d2 := rec.Device
			tasks := false // msm_task_accumulate ran
			for _, T := range []int{0, 16} {
				restore := gpu.SetMSMTaskLen(T)
				if b := paths[T]; b.limit > 0 && want > b.limit {
					// A kernel that runs smaller blocks than the knob asks
					// (as faultcl.c's FAULTCL_KERNEL_GROUP makes them on
					// POCL) refuses it, naming both.
					msg := fmt.Sprintf("%s=%d: %s runs blocks of at most %d threads", gpu.EnvMSMBlock, want, b.name, b.limit)
					if _, err := deviceMSM(d2, bind.BN254G1, pts, sc); err == nil || !strings.Contains(err.Error(), msg) {
						t.Errorf("err = %v, want one containing %q", err, msg)
					}
				} else {
					checkMSM(t, d2, bind.BN254G1, pts, sc)
					checkMSM(t, d2, bind.BN254G1, pts, bits)
					tasks = tasks || T > 0
				}
				restore()
			}
			// The tasks of 16 ran msm_task_accumulate; msm_accumulate runs
			// where the device's default path is one work item per bucket.
			if _, ok := rec.Local("msm_task_accumulate"); tasks && !ok {
				t.Errorf("msm_task_accumulate was not launched")
			}
			for _, k := range []string{"msm_accumulate", "msm_task_accumulate"} {
				if got, ok := rec.Local(k); ok && got != want {
					t.Errorf("%s=%q: %s launched in blocks of %d, want %d", gpu.EnvMSMBlock, v.block, k, got, want)
				}
			}
		}
		for _, bad := range []struct{ env, val, want string }{
			{gpu.EnvMSMBlock, "100", `ZKACCEL_MSM_BLOCK="100": want a multiple of 32 from 32 to 256`},
			{gpu.EnvMSMBlock, "512", `ZKACCEL_MSM_BLOCK="512"`},
			{gpu.EnvMSMMinBlocks, "0", `ZKACCEL_MSM_MIN_BLOCKS="0": want a number of blocks from 1 to 32`},
			{gpu.EnvMSMMinBlocks, "x", `ZKACCEL_MSM_MIN_BLOCKS="x"`},
		} {
			t.Setenv(gpu.EnvMSMBlock, "")
			t.Setenv(gpu.EnvMSMMinBlocks, "")
			t.Setenv(bad.env, bad.val)
			d2 := gpu.NewDevice(d.Runtime())
			if _, err := deviceMSM(d2, bind.BN254G1, pts, sc); err == nil || !strings.Contains(err.Error(), bad.want) {
				t.Errorf("%s=%s: err = %v, want one containing %q", bad.env, bad.val, err, bad.want)
			}
		}
	})
}

// TestMSMPassesEnv checks ZKACCEL_MSM_PASSES: an MSM split into that many
// passes (each staged while the one before computes) gives gnark-crypto's
// result, from host and from resident points; a bad value is an error
// naming the variable.
func TestMSMPassesEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		const n = 50
		pts, sc, want := bn254Inputs(t, n)
		res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(pts), n)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Free()
		for _, v := range []string{"1", "3", "64"} {
			t.Setenv(gpu.EnvMSMPasses, v)
			k, _ := strconv.Atoi(v)
			if c := gpu.MSMChunk(d, zkaccel.BN254, zkaccel.G1, n); c != (n+k-1)/k {
				t.Errorf("%s=%s: %d points a pass, want %d", gpu.EnvMSMPasses, v, c, (n+k-1)/k)
			}
			for _, resident := range []bool{false, true} {
				r := zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: make([]byte, 96)}
				if resident {
					r.Points, r.Resident = nil, res
				}
				if err := d.MSM(&r); err != nil {
					t.Fatalf("%s=%s: %v", gpu.EnvMSMPasses, v, err)
				}
				var got [1]bn254.G1Jac
				copy(rawbytes.Of(got[:]), r.Result)
				if !got[0].Equal(&want) {
					t.Errorf("%s=%s (resident %v): the MSM differs from gnark-crypto's", gpu.EnvMSMPasses, v, resident)
				}
			}
		}
		for _, v := range []string{"0", "65", "x"} {
			t.Setenv(gpu.EnvMSMPasses, v)
			r := zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: make([]byte, 96)}
			if err := d.MSM(&r); err == nil || !strings.Contains(err.Error(), gpu.EnvMSMPasses) {
				t.Errorf("%s=%s: err = %v, want one naming the variable", gpu.EnvMSMPasses, v, err)
			}
		}
	})
}

// TestMSMMemory checks the passes an MSM takes from the device's memory:
// on a device that reports room for a few passes, the MSM splits into
// them and gives gnark-crypto's result; on one too small for a pass of a
// single point it declines (ErrUnsupported, the result unwritten), and the
// front end computes it on the CPU, visibly.
func TestMSMMemory(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		const n = 1 << 12
		pts, sc, want := bn254Inputs(t, n)
		whole := gpu.MSMChunk(d, zkaccel.BN254, zkaccel.G1, n)
		if whole != n {
			t.Fatalf("%d points a pass on %v, want all %d", whole, d, n)
		}
		for _, c := range []struct {
			mem        uint64
			split, run bool
		}{{2 << 20, true, true}, {16 << 10, false, false}} {
			small := devtest.WithMemory(d, c.mem)
			chunk := gpu.MSMChunk(small, zkaccel.BN254, zkaccel.G1, n)
			switch {
			case c.split && (chunk < 1 || chunk >= n):
				t.Errorf("%d bytes of memory: %d points a pass, want a few passes", c.mem, chunk)
			case !c.split && chunk != 0:
				t.Errorf("%d bytes of memory: %d points a pass, want none", c.mem, chunk)
			}
			r := zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: make([]byte, 96)}
			rawbytes.Poison(r.Result)
			err := small.MSM(&r)
			switch {
			case c.run && err != nil:
				t.Fatalf("%d bytes of memory: %v", c.mem, err)
			case c.run:
				var got [1]bn254.G1Jac
				copy(rawbytes.Of(got[:]), r.Result)
				if !got[0].Equal(&want) {
					t.Errorf("%d bytes of memory, %d points a pass: the MSM differs from gnark-crypto's", c.mem, chunk)
				}
			case !errors.Is(err, zkaccel.ErrUnsupported) || !bytes.Equal(r.Result, bytes.Repeat([]byte{0xFF}, 96)):
				t.Errorf("%d bytes of memory: err = %v (result written: %v), want ErrUnsupported and nothing written", c.mem, err, !bytes.Equal(r.Result, bytes.Repeat([]byte{0xFF}, 96)))
			default:
				var got bn254.G1Jac
				var rep zkaccel.Report
				if _, err := msmbn254.MultiExpG1(&got, pts, sc, msm.WithDevice(small), msm.WithReport(&rep)); err != nil || !got.Equal(&want) || !rep.Fallback {
					t.Errorf("%d bytes of memory, through the front end: %v, right %v, fallback %v", c.mem, err, got.Equal(&want), rep.Fallback)
				}
			}
			small.ReleaseCache()
		}
	})
}

// gpuDevices returns the GPU-runtime devices present.
func gpuDevices() []*gpu.Device {
	var out []*gpu.Device
	for _, dev := range zkaccel.Devices() {
		if d, ok := dev.(*gpu.Device); ok {
			out = append(out, d)
		}
	}
	return out
}

// FuzzMSM compares small MSMs on every GPU device with gnark-crypto. The
// input's first byte b gives the point count, b%8 + 1, and the curve group,
// (b/8)%6 (0 BN254 G1, then BN254 G2, BLS12-381 G1 and G2, BLS12-377 G1
// and G2); then per point a selector (0 infinity, 1 the previous point, 2
// its negation, 3 [k]G with k from 4 bytes) and a scalar code (0, 1, r−1
// or 32 bytes).
func FuzzMSM(f *testing.F) {
	f.Add([]byte{3, 3, 1, 2, 3, 4, 3, 1, 2, 0, 2})
	f.Add([]byte{4, 3, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1, 2, 2})
	f.Add([]byte{2, 0, 3, 0, 3})
	f.Add([]byte{5, 3, 1, 0, 0, 0, 2, 1, 1, 2, 1, 1, 2, 1, 2, 3})
	f.Add([]byte{8 + 2, 3, 1, 2, 3, 4, 3, 1, 2, 3})
	f.Add([]byte{16 + 3, 3, 5, 0, 0, 0, 1, 2, 1, 3, 0, 0, 0, 0, 1})
	f.Add([]byte{24 + 1, 3, 7, 7, 0, 0, 3, 2, 2})
	f.Add([]byte{32 + 4, 3, 1, 1, 1, 1, 3, 3, 2, 2, 1, 1, 0, 1})
	f.Add([]byte{40 + 2, 3, 9, 0, 0, 0, 1, 1, 3})
	devs := gpuDevices()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(devs) == 0 {
			t.Skip("no GPU-runtime device")
		}
		in := stream(data)
		b := in.byte()
		msmFuzzGroups[int(b/8)%len(msmFuzzGroups)].small(t, devs, &in, int(b%8)+1)
	})
}

// msmFuzzer is a curve group bound to FuzzMSM's body (small) and
// FuzzMSMShape's (shape).
type msmFuzzer struct {
	small, shape func(t *testing.T, devs []*gpu.Device, in *stream, n int)
}

// fuzzerOf binds curve group b to both MSM fuzz bodies.
func fuzzerOf[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](b bind.MSM[J, A, S]) msmFuzzer {
	return msmFuzzer{
		small: func(t *testing.T, devs []*gpu.Device, in *stream, n int) {
			fuzzMSM[J, A, S, PJ, PA, PS](t, devs, b, in, n)
		},
		shape: func(t *testing.T, devs []*gpu.Device, in *stream, n int) {
			fuzzMSMShape[J, A, S, PJ, PA, PS](t, devs, b, in, n)
		},
	}
}

// msmFuzzGroups are the six curve groups in the order of the MSM fuzz
// targets' group byte (its value / 8).
var msmFuzzGroups = []msmFuzzer{
	fuzzerOf(bind.BN254G1), fuzzerOf(bind.BN254G2),
	fuzzerOf(bind.BLS12381G1), fuzzerOf(bind.BLS12381G2),
	fuzzerOf(bind.BLS12377G1), fuzzerOf(bind.BLS12377G2),
}

// fuzzMSM builds FuzzMSM's n points and scalars of group b from in and
// checks their MSM on every device in devs.
func fuzzMSM[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](t *testing.T, devs []*gpu.Device, b bind.MSM[J, A, S], in *stream, n int) {
	pts := make([]A, n)
	sc := make([]S, n)
	for i := range pts {
		switch sel := in.byte() % 4; {
		case sel == 0:
		case sel == 1 && i > 0:
			pts[i] = pts[i-1]
		case sel == 2 && i > 0:
			PA(&pts[i]).Neg(&pts[i-1])
		default:
			PA(&pts[i]).ScalarMultiplicationBase(new(big.Int).SetBytes(in.bytes(4)))
		}
		switch in.byte() % 4 {
		case 1:
			PS(&sc[i]).SetOne()
		case 2:
			PS(&sc[i]).SetOne()
			PS(&sc[i]).Neg(&sc[i])
		case 3:
			PS(&sc[i]).SetBytes(in.bytes(32))
		}
	}
	for _, d := range devs {
		checkMSM[J, A, S, PJ, PA](t, d, b, pts, sc)
	}
}

// FuzzMSMShape compares MSMs of up to 1024 points on every GPU device with
// gnark-crypto under the plan's test settings at once: the window width,
// the accumulation in tasks (the GPU path, which a CPU device otherwise
// skips) and their length, the counts scan's work-group, the reduction's
// segment length and the points per pass. The input: the group byte (as
// FuzzMSM's first byte, less the count), two bytes of point count, a
// settings byte for each knob, a pool of up to 8 base points ([k]G, k from
// 2 bytes), then per point a pool byte (index byte/2, past the pool's end
// the point at infinity, an odd byte negating the point) and a scalar code
// (the previous scalar, 1, r−1, 0, a small value, a power of two, or 32
// bytes). Points drawn from a small pool and repeated scalars crowd
// buckets, as skewed witnesses do; past the input's end every point is the
// pool's first and every scalar the last one.
func FuzzMSMShape(f *testing.F) {
	f.Add([]byte{0, 40, 0, 0, 0, 0, 0, 0, 3, 1, 0, 2, 0, 3, 0})
	f.Add([]byte{0, 0xff, 1, 3, 1, 2, 1, 3, 2, 5, 0, 7, 0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{8, 9, 0, 5, 2, 1, 3, 1, 1, 9, 0})
	f.Add([]byte{16, 100, 0, 1, 3, 3, 2, 0, 4, 1, 0, 2, 0, 3, 0, 4, 0})
	f.Add([]byte{24, 17, 0, 2, 1, 0, 0, 4, 1, 3, 0})
	f.Add([]byte{32, 64, 0, 4, 4, 2, 1, 2, 2, 6, 0, 6, 0})
	f.Add([]byte{40, 5, 0, 3, 0, 1, 0, 1, 1, 2, 0})
	// Crowded buckets in tasks of 1 and 2 entries: 300 and 1000 points,
	// nearly all one point with one scalar.
	f.Add([]byte{0, 43, 1, 1, 1, 0, 0, 0, 1, 9, 0, 2, 1})
	f.Add([]byte{8, 0xe7, 3, 4, 2, 3, 1, 2, 2, 3, 0, 5, 0, 0, 2, 7})
	devs := gpuDevices()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(devs) == 0 {
			t.Skip("no GPU-runtime device")
		}
		in := stream(data)
		grp := msmFuzzGroups[int(in.byte()/8)%len(msmFuzzGroups)]
		n := 1 + int(binary.LittleEndian.Uint16(in.bytes(2)))%1024
		// The plan's settings, each 0 for the default.
		windows := []int{0, 4, 5, 7, 8, 11, 13, 16}
		tasks := []int{0, 1, 2, 3, 5, 256}
		groups := []int{0, 1, 2, 4, 8, 64}
		seglens := []int{0, 1, 2, 4, 16, 1 << 10}
		defer gpu.SetMSMWindow(windows[int(in.byte())%len(windows)])()
		defer gpu.SetMSMTaskLen(tasks[int(in.byte())%len(tasks)])()
		defer gpu.SetMSMScanGroup(groups[int(in.byte())%len(groups)])()
		defer gpu.SetMSMSeglen(seglens[int(in.byte())%len(seglens)])()
		if k := int(in.byte()) % 8; k > 0 {
			defer gpu.SetMSMMaxChunk(1 + n/k)() // about k passes
		}
		grp.shape(t, devs, &in, n)
	})
}

// fuzzMSMShape builds FuzzMSMShape's n points of group b, from a pool of
// base points, and n scalars from in, and checks their MSM on devs.
func fuzzMSMShape[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](t *testing.T, devs []*gpu.Device, b bind.MSM[J, A, S], in *stream, n int) {
	pool := make([]A, 1+int(in.byte())%8)
	for i := range pool {
		k := binary.LittleEndian.Uint16(in.bytes(2))
		PA(&pool[i]).ScalarMultiplicationBase(new(big.Int).SetUint64(uint64(k) + 1))
	}
	pts := make([]A, n)
	sc := make([]S, n)
	var minusOne S
	PS(&minusOne).SetOne()
	PS(&minusOne).Neg(&minusOne)
	for i := range pts {
		// The pool index: past the pool, the point at infinity; an odd
		// byte negates the point.
		sel := int(in.byte())
		if j := (sel / 2) % (len(pool) + 1); j < len(pool) {
			pts[i] = pool[j]
			if sel%2 == 1 {
				PA(&pts[i]).Neg(&pts[i])
			}
		}
		// The scalar: the previous one (1 for the first), 1, r−1, 0, a
		// small value, a power of two, or 32 bytes. Once the input ends,
		// every scalar repeats the last, as in a skewed witness.
		switch code := in.byte(); code % 8 {
		case 0:
			if i > 0 {
				sc[i] = sc[i-1]
			} else {
				PS(&sc[i]).SetOne()
			}
		case 1:
			PS(&sc[i]).SetOne()
		case 2:
			sc[i] = minusOne
		case 3:
		case 4:
			PS(&sc[i]).SetUint64(uint64(code / 8))
		case 5:
			PS(&sc[i]).SetBytes(new(big.Int).Lsh(big.NewInt(1), uint(in.byte())).Bytes())
		default:
			PS(&sc[i]).SetBytes(in.bytes(32))
		}
	}
	for _, d := range devs {
		checkMSM[J, A, S, PJ, PA](t, d, b, pts, sc)
	}
}

// stream hands out a fuzz input's bytes, then zeros.
type stream []byte

func (s *stream) byte() byte {
	if len(*s) == 0 {
		return 0
	}
	b := (*s)[0]
	*s = (*s)[1:]
	return b
}

func (s *stream) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = s.byte()
	}
	return out
}

// BenchmarkMultiExpG1 times G1 MSMs of 2^10 … 2^16 points (2^20 on devices
// other than POCL's CPU device) on every GPU device, and gnark-crypto's
// MultiExp on the CPU in the same run: BenchmarkMultiExpG1/<curve>/<device>/2^k.
func BenchmarkMultiExpG1(b *testing.B) {
	benchMSM(b, bind.BN254G1)
	benchMSM(b, bind.BLS12381G1)
	benchMSM(b, bind.BLS12377G1)
}

func benchMSM[J, A, S any, PJ bind.Jac[J, A, S], PS bind.Element[S]](b *testing.B, g bind.MSM[J, A, S]) {
	inputsOf := map[int]struct {
		pts []A
		sc  []S
	}{}
	draw := func(n int) ([]A, []S) {
		in, ok := inputsOf[n]
		if !ok {
			rng := inputs.NewRand(int64(n))
			in.pts, in.sc = g.Walk(rng, n), inputs.Elements[S, PS](rng, n)
			inputsOf[n] = in
		}
		return in.pts, in.sc
	}
	b.Run(string(g.Curve), func(b *testing.B) {
		type row struct {
			name string
			max  int
			run  func(pts []A, sc []S) error
		}
		rows := []row{{"cpu", 20, func(pts []A, sc []S) error {
			var r J
			_, err := PJ(&r).MultiExp(pts, sc, ecc.MultiExpConfig{})
			return err
		}}}
		for _, d := range gpuDevices() {
			maxLog := 20
			if d.Kind() == zkaccel.OpenCL && bytes.Contains([]byte(d.Name()), []byte("pthread")) {
				maxLog = 16 // POCL's CPU device
			}
			rows = append(rows, row{d.String(), maxLog, func(pts []A, sc []S) error {
				_, err := deviceMSM(d, g, pts, sc)
				return err
			}})
		}
		for _, r := range rows {
			b.Run(r.name, func(b *testing.B) {
				for k := 10; k <= r.max; k += 2 {
					b.Run(fmt.Sprintf("2^%d", k), func(b *testing.B) {
						pts, sc := draw(1 << k)
						if err := r.run(pts, sc); err != nil { // warm-up: program build
							b.Fatal(err)
						}
						b.ResetTimer()
						for range b.N {
							if err := r.run(pts, sc); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		}
	})
}

// TestMSMBatch checks MSMBatch against gnark-crypto: a batch of BN254 G1
// and G2 MSMs of several sizes, from host and resident points (a range of
// them), in one pass each and in several (each pass, the next request's
// first too, staged while the one before computes, or the next request's
// only once the one before is done, as when both would not fit);
// and that a malformed or unsupported request anywhere fails the batch
// before any Result is written.
func TestMSMBatch(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		type one struct {
			req   *zkaccel.MSMRequest
			check func() error
		}
		g1 := func(n int, resident zkaccel.ResidentPoints, pts []bn254.G1Affine, lo int) one {
			if pts == nil {
				pts = inputs.BN254G1(rng, n)
			}
			sc := inputs.Elements[frbn.Element](rng, n)
			var want bn254.G1Jac
			if _, err := want.MultiExp(pts[lo:lo+n], sc, ecc.MultiExpConfig{}); err != nil {
				t.Fatal(err)
			}
			var got [1]bn254.G1Jac
			out := rawbytes.Of(got[:])
			rawbytes.Poison(out)
			r := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Scalars: rawbytes.Of(sc), Result: out}
			if resident != nil {
				r.Resident, r.ResidentOffset = resident, lo
			} else {
				r.Points = rawbytes.Of(pts[lo : lo+n])
			}
			return one{r, func() error {
				if !got[0].Equal(&want) {
					return fmt.Errorf("BN254 G1 of %d points (resident %v): differs from gnark-crypto's", n, resident != nil)
				}
				return nil
			}}
		}
		g2 := func(n int) one {
			pts := inputs.BN254G2(rng, n)
			sc := inputs.Elements[frbn.Element](rng, n)
			var want bn254.G2Jac
			if _, err := want.MultiExp(pts, sc, ecc.MultiExpConfig{}); err != nil {
				t.Fatal(err)
			}
			var got [1]bn254.G2Jac
			out := rawbytes.Of(got[:])
			rawbytes.Poison(out)
			r := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G2, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: out}
			return one{r, func() error {
				if !got[0].Equal(&want) {
					return fmt.Errorf("BN254 G2 of %d points: differs from gnark-crypto's", n)
				}
				return nil
			}}
		}
		key := inputs.BN254G1(rng, 300)
		res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(key), len(key))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Free()
		for _, mode := range []struct {
			passes string
			late   bool
		}{{"1", false}, {"3", false}, {"1", true}, {"3", true}} {
			passes := mode.passes
			t.Run(fmt.Sprintf("passes=%s,late=%v", passes, mode.late), func(t *testing.T) {
				t.Setenv(gpu.EnvMSMPasses, passes)
				defer gpu.SetMSMForceLate(mode.late)()
				batch := []one{g1(200, res, key, 0), g1(1, nil, nil, 0), g2(40), g1(100, res, key, 150), g1(77, nil, nil, 0)}
				var reqs []*zkaccel.MSMRequest
				for _, b := range batch {
					reqs = append(reqs, b.req)
				}
				if err := d.MSMBatch(reqs); err != nil {
					t.Fatal(err)
				}
				for _, b := range batch {
					if err := b.check(); err != nil {
						t.Error(err)
					}
				}
			})
		}
		for _, tc := range []struct {
			name  string
			edit  func(r *zkaccel.MSMRequest)
			unsup bool
		}{
			{"short-scalars", func(r *zkaccel.MSMRequest) { r.Scalars = r.Scalars[:8] }, false},
			{"unknown-curve", func(r *zkaccel.MSMRequest) { r.Curve = "zz" }, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				batch := []one{g1(20, nil, nil, 0), g1(30, nil, nil, 0), g1(10, nil, nil, 0)}
				tc.edit(batch[2].req)
				var reqs []*zkaccel.MSMRequest
				var before [][]byte
				for _, b := range batch {
					reqs = append(reqs, b.req)
					before = append(before, bytes.Clone(b.req.Result))
				}
				err := d.MSMBatch(reqs)
				switch {
				case err == nil:
					t.Fatal("no error")
				case tc.unsup != errors.Is(err, zkaccel.ErrUnsupported) || (!tc.unsup && !errors.Is(err, zkaccel.ErrBadRequest)):
					t.Fatalf("%v: want ErrUnsupported %v", err, tc.unsup)
				case !strings.Contains(err.Error(), "request 2 of 3"):
					t.Errorf("%v: the error does not name the request", err)
				}
				for i, r := range reqs {
					if !bytes.Equal(r.Result, before[i]) {
						t.Errorf("request %d's result was written", i)
					}
				}
			})
		}
		if err := d.MSMBatch(nil); !errors.Is(err, zkaccel.ErrBadRequest) {
			t.Errorf("an empty batch: %v, want ErrBadRequest", err)
		}
	})
}
