package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	frbls381 "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/ptxdev"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// embeddedForm unsets, for the test, the settings that change the device
// source (ZKACCEL_GPU_MUL and the like, which CI sets for other tests of
// the package), so that the device runs the embedded PTX.
func embeddedForm(t *testing.T) {
	for _, env := range []string{gpu.EnvMul, gpu.EnvSqr, gpu.EnvNTTLayout, gpu.EnvWarp, gpu.EnvInline, gpu.EnvMSMBlock, gpu.EnvMSMMinBlocks} {
		t.Setenv(env, "")
	}
}

// TestPTX runs the CUDA form of the kernels, as NVRTC compiled it into the
// embedded PTX, through the device's own host code, on small inputs, and
// compares each result with gnark-crypto's (or x/crypto's): the MSM with
// random scalars, with 0/1 scalars that crowd one bucket (the warp-level
// aggregated atomics of msm_inc), with repeated points and with edge
// scalars, over G1 and G2 and both base-field widths; the NTT of every
// field with the CUDA layout (word-major local blocks) in one pass and in
// several; Keccak-256; and Poseidon2. Before its first curve program the
// device runs the multiplication self-check (selfcheck/mul), so the inline
// PTX of every field's multiplication runs too.
func TestPTX(t *testing.T) {
	embeddedForm(t)
	seed := devtest.Seed(t)
	d, rt := ptxdev.NewDevice(seed)
	defer ptxSummary(t, rt)
	ptxChecks(t, d, inputs.NewRand(seed))
}

// TestPTXKernelGroups runs TestPTX's checks on a device whose kernels
// each allow fewer threads per block than the device (48, 24 or 12 by a
// hash of the name, kernelGroupLimit), as a GPU allows for kernels heavy
// in registers, and refuses larger blocks: every launch of the algorithms
// must size its blocks from its own kernel's limit (groupFor), down to
// the local-memory NTT passes, the MSM's counts scan and the PLONK
// ratio's one-group chain. scripts/opencl-faults.sh with
// FAULTCL_KERNEL_GROUP does the same below the OpenCL runtime.
func TestPTXKernelGroups(t *testing.T) {
	embeddedForm(t)
	seed := devtest.Seed(t)
	d, rt := ptxdev.NewDevice(seed)
	rt.KernelGroup = kernelGroupLimit
	defer ptxSummary(t, rt)
	ptxChecks(t, d, inputs.NewRand(seed))
}

// kernelGroupLimit is a kernel's work-group limit in TestPTXKernelGroups:
// 48, 24 or 12 by the FNV-1a hash of its name, as faultcl.c's
// FAULTCL_KERNEL_GROUP=48 picks them; none a power of two, so groupFor
// rounds each down.
func kernelGroupLimit(name string) int {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return 48 >> (h % 3)
}

// ptxSummary logs what the interpreter ran and fails the test where a
// program had no embedded PTX.
func ptxSummary(t *testing.T, rt *ptxdev.Runtime) {
	t.Helper()
	t.Logf("%d instructions interpreted, %d groups run apart", rt.Stats.Instructions, rt.Stats.Splits)
	if rt.Embedded != rt.Compiles {
		t.Errorf("%d of %d programs had no embedded PTX (run go generate ./cuda/ptx)", rt.Compiles-rt.Embedded, rt.Compiles)
	}
}

// ptxChecks are TestPTX's checks, on device d of the PTX interpreter.
func ptxChecks(t *testing.T, d *gpu.Device, rng *rand.Rand) {
	t.Run("msm/bn254/g1", func(t *testing.T) {
		b := bind.BN254G1
		check := func(pts []bn254.G1Affine, sc []frbn.Element) {
			t.Helper()
			checkMSM[bn254.G1Jac, bn254.G1Affine, frbn.Element](t, d, b, pts, sc)
		}
		for _, n := range []int{1, 3, 64} {
			check(b.Random(rng, n), inputs.Elements[frbn.Element](rng, n))
		}
		// 0/1 scalars: half the entries of every window in one bucket,
		// whole warps of threads on one key.
		sc := make([]frbn.Element, 96)
		for i := range sc {
			if rng.Intn(2) == 1 {
				sc[i].SetOne()
			}
		}
		check(b.Random(rng, len(sc)), sc)
		var one, minusOne frbn.Element
		one.SetOne()
		minusOne.Neg(&one)
		check(b.Random(rng, 5), make([]frbn.Element, 5))
		check(b.Random(rng, 3), []frbn.Element{one, minusOne, minusOne})
		// One point repeated: every entry of a bucket the same point.
		p := b.Random(rng, 1)[0]
		pts := make([]bn254.G1Affine, 40)
		for i := range pts {
			pts[i] = p
		}
		check(pts, inputs.Elements[frbn.Element](rng, len(pts)))
	})
	t.Run("msm/bn254/g2", func(t *testing.T) {
		b := bind.BN254G2
		checkMSM[bn254.G2Jac, bn254.G2Affine, frbn.Element](t, d, b, b.Random(rng, 9), inputs.Elements[frbn.Element](rng, 9))
	})
	t.Run("msm/bls12-381/g1", func(t *testing.T) {
		b := bind.BLS12381G1
		checkMSM[bls381.G1Jac, bls381.G1Affine, frbls381.Element](t, d, b, b.Random(rng, 5), inputs.Elements[frbls381.Element](rng, 5))
	})
	for _, f := range nttFields {
		t.Run("ntt/"+string(f.field), func(t *testing.T) {
			f.check(t, d, rng, 0, 6)
			// Passes over blocks of 2^2: three at 2^6, the last uneven.
			defer gpu.SetNTTLocalLog(d, -1)
			gpu.SetNTTLocalLog(d, 2)
			f.check(t, d, rng, 5, 6)
		})
	}
	t.Run("keccak", func(t *testing.T) {
		var msgs [][]byte
		for _, n := range keccakLengths {
			msgs = append(msgs, randBytes(rng, n))
		}
		checkKeccak256(t, d, msgs)
	})
	t.Run("poseidon/circom", func(t *testing.T) {
		checkCircomBatch(t, d, circomInputs(9, 2, inputs.Elements[frbn.Element](rng, 18)))
	})
	t.Run("poseidon/hermez", func(t *testing.T) {
		states := make([][12]fgl.Element, 9)
		copy(rawbytes.Of(states), rawbytes.Of(inputs.Elements[fgl.Element](rng, 12*len(states))))
		checkHermezBatch(t, d, states)
	})
	// The provers' device calls, on every field they serve.
	for _, f := range plonkFields {
		t.Run("groth16-quotient/"+string(f.field), func(t *testing.T) {
			checkGroth16(t, d, newGroth16Instance(f.field, f.domain, 16, rng))
		})
		t.Run("plonk-quotient/"+string(f.field), func(t *testing.T) {
			checkPlonk(t, d, newPlonkInstance(f.field, f.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng))
		})
		t.Run("plonk-ratio/"+string(f.field), func(t *testing.T) {
			skipSwitchedOff(t, gpu.EnvPlonkRatio)
			newRatioInstance(f.field, f.domain, 16, rng).check(t, d)
		})
	}
	// A resident key with its window multiples (msmpre), and the Groth16
	// quotient with its MSMs in one call over it.
	t.Run("msm-precompute/bn254/g1", func(t *testing.T) {
		testMSMPre(t, d, bind.BN254G1, 24)
	})
	t.Run("groth16-quotient-msm", func(t *testing.T) {
		skipSwitchedOff(t, gpu.EnvGroth16Fuse)
		const n = 16
		key, res := residentKey(t, d, rng, n)
		newFusedCase(t, d, rng, n, n-1, 1, res, key, true).run(t, d)
	})
	for _, c := range []p2Case{p2BN254(3, 8, 56), p2Goldilocks(8, 6, 17), p2BabyBear(16, 8, 13), p2KoalaBear(16, 6, 21)} {
		t.Run("poseidon2/"+c.name, func(t *testing.T) {
			req, want := c.req(rng, 33)
			if err := d.Poseidon2(req); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(req.States, want) {
				t.Fatal("the device's states differ from gnark-crypto's")
			}
		})
	}
}

// TestPTXMutants shows that TestPTX can fail: each mutant edits the
// embedded PTX as a plausible bug would, and its MSM must then fail or
// differ from gnark-crypto's.
//   - "one-per-leader": the warp's leader adds 1 to a bucket's count
//     instead of its group's size, as a lost popcount would; with 0/1
//     scalars whole warps share a bucket, and the counts come out short.
//   - "full-mask": __activemask() replaced by all 32 lanes, as code that
//     assumes a converged warp would write; where the digit's branch
//     diverges, the match waits for threads that never arrive, which
//     hangs a GPU and is a deadlock here.
//   - "carry-dropped": the multiplication's rows drop the carry into
//     their high products; the multiplication self-check stops the
//     program before any MSM runs.
func TestPTXMutants(t *testing.T) {
	embeddedForm(t)
	seed := devtest.Seed(t)
	rng := inputs.NewRand(seed)
	b := bind.BN254G1
	bits := make([]frbn.Element, 96)
	for i := range bits {
		if rng.Intn(2) == 1 {
			bits[i].SetOne()
		}
	}
	pts := b.Random(rng, len(bits))
	atom := regexp.MustCompile(`atom\.global\.add\.u32\s+(%r\d+), \[(%rd\d+)\], %r\d+;`)
	mutants := []struct {
		name    string
		program string
		edit    func(string) string
	}{
		{"one-per-leader", "msm/bn254/g1", func(s string) string { return atom.ReplaceAllString(s, "atom.global.add.u32 $1, [$2], 1;") }},
		{"full-mask", "msm/bn254/g1", func(s string) string {
			return regexp.MustCompile(`activemask\.b32\s+(%r\d+);`).ReplaceAllString(s, "mov.u32 $1, -1;")
		}},
		{"carry-dropped", "", func(s string) string { return strings.ReplaceAll(s, "madc.hi.cc.u32", "mad.hi.cc.u32") }},
	}
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			d, rt := ptxdev.NewDevice(seed)
			edited := 0
			rt.Mutate = func(program, code string) string {
				if m.program != "" && program != m.program {
					return code
				}
				out := m.edit(code)
				if out != code {
					edited++
				}
				return out
			}
			var want bn254.G1Jac
			if _, err := want.MultiExp(pts, bits, ecc.MultiExpConfig{}); err != nil {
				t.Fatal(err)
			}
			got, err := deviceMSM(d, b, pts, bits)
			if edited == 0 {
				t.Fatal("the mutation matched nothing in the PTX: update the test")
			}
			switch {
			case err != nil:
				t.Logf("killed: %v", err)
			case !got.Equal(&want):
				t.Logf("killed: the MSM differs from gnark-crypto's")
			default:
				t.Fatal("the mutant survived: its MSM equals gnark-crypto's")
			}
		})
	}
}

// TestPTXVariants runs the CUDA forms that the fallback settings of
// scripts/gpu-check.sh choose, compiled by NVRTC (no GPU needed; skipped
// without NVRTC unless ZKACCEL_REQUIRE_NVRTC=1, and where NVRTC makes no
// PTX for the embedded PTX's architecture, as the emulated GPU's test
// double does): the MSM's atomics one per
// thread (ZKACCEL_GPU_WARP=0), the field multiplication's rows in split
// carry chains (ZKACCEL_GPU_MUL=32s), the squaring as a multiplication
// (ZKACCEL_GPU_SQR=0), in C over 32-bit words and over 64-bit limbs
// (32c, 64), the NTT's
// element-major blocks (ZKACCEL_GPU_NTT_LAYOUT=element), and the bucket
// kernels under launch bounds (ZKACCEL_MSM_MIN_BLOCKS=2, which caps their
// registers).
func TestPTXVariants(t *testing.T) {
	if _, err := ptxdev.LoadNVRTC(); err != nil {
		if os.Getenv("ZKACCEL_REQUIRE_NVRTC") == "1" && !errors.Is(err, ptxdev.ErrNVRTCUnusable) {
			t.Fatalf("ZKACCEL_REQUIRE_NVRTC=1 but NVRTC cannot be loaded: %v", err)
		}
		t.Skipf("no NVRTC to compile the variants (where it is absent, ZKACCEL_REQUIRE_NVRTC=1 makes this a failure): %v", err)
	}
	seed := devtest.Seed(t)
	b := bind.BN254G1
	for _, v := range []struct{ env, val string }{
		{gpu.EnvWarp, "0"}, {gpu.EnvMul, "32s"}, {gpu.EnvSqr, "0"}, {gpu.EnvMul, "32c"}, {gpu.EnvMul, "64"}, {gpu.EnvNTTLayout, "element"}, {gpu.EnvMSMMinBlocks, "2"},
	} {
		t.Run(v.env+"="+v.val, func(t *testing.T) {
			t.Setenv(v.env, v.val)
			rng := inputs.NewRand(seed)
			d, rt := ptxdev.NewDevice(seed)
			bits := make([]frbn.Element, 64)
			for i := range bits {
				if rng.Intn(2) == 1 {
					bits[i].SetOne()
				}
			}
			checkMSM[bn254.G1Jac, bn254.G1Affine, frbn.Element](t, d, b, b.Random(rng, len(bits)), bits)
			checkMSM[bn254.G1Jac, bn254.G1Affine, frbn.Element](t, d, b, b.Random(rng, 9), inputs.Elements[frbn.Element](rng, 9))
			nttFields[0].check(t, d, rng, 4, 5)
			nttFields[3].check(t, d, rng, 4, 5)
			if embedded := rt.Embedded; embedded == rt.Compiles {
				t.Errorf("every program came from the embedded PTX: %s=%s changed no source", v.env, v.val)
			}
		})
	}
}

// TestPTXCounts counts the PTX instructions that the CUDA form of the
// hot kernels runs per unit of work, on the interpreter: per Poseidon2
// permutation (BN254, t = 3), per Keccak-256 of a 64-byte message, per
// butterfly of a BN254 NTT at 2^10, and per bucket entry of a BN254 G1 MSM
// of 256 points (msm_task_accumulate, mostly one mixed addition each).
// These are the dynamic counts behind issue 5's floors (BENCHMARKS.md).
// They are PTX, not machine instructions: ptxas removes most register
// moves and makes two machine instructions of each multiply-add of a carry
// chain, so they compare kernels and versions, not times. Each count must
// stay under 1.25 times the count recorded here (NVRTC 11.8, compute_70):
// a source change that makes a kernel much costlier fails, on purpose
// (update the record if the cost is meant).
func TestPTXCounts(t *testing.T) {
	embeddedForm(t)
	seed := devtest.Seed(t)
	rng := inputs.NewRand(seed)
	perm := p2BN254(3, 8, 56)
	var msgs [][]byte
	for range 64 {
		msgs = append(msgs, randBytes(rng, 64))
	}
	msmPts, msmSc := bind.BN254G1.Random(rng, 256), inputs.Elements[frbn.Element](rng, 256)
	items := func(kernel string) func(map[string]*ptxdev.Count) float64 {
		return func(k map[string]*ptxdev.Count) float64 {
			if c := k[kernel]; c != nil {
				return float64(c.Items)
			}
			return 0
		}
	}
	cases := []struct {
		name     string
		run      func(d *gpu.Device) error
		kernels  []string                               // whose instructions count
		units    func(map[string]*ptxdev.Count) float64 // the units of work done
		recorded float64                                // instructions per unit
	}{
		{"poseidon2 bn254 t=3, per permutation", func(d *gpu.Device) error {
			req, want := perm.req(rng, 64)
			if err := d.Poseidon2(req); err != nil {
				return err
			}
			if !bytes.Equal(req.States, want) {
				return fmt.Errorf("wrong states")
			}
			return nil
		}, []string{"poseidon2_permute"}, items("poseidon2_permute"), 97644},
		{"keccak-256 of 64 bytes, per message", func(d *gpu.Device) error {
			return d.Keccak256(keccakBatch(msgs))
		}, []string{"keccak256_batch"}, items("keccak256_batch"), 7336},
		{"ntt bn254 2^10, per butterfly", func(d *gpu.Device) error {
			got, want, err := nttFields[0].one(d, rng, 10, false, zkaccel.DIF, false)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("wrong transform")
			}
			return err
		}, []string{"ntt_dif_local"}, func(map[string]*ptxdev.Count) float64 { return 10 * 512 }, 453},
		{"msm bn254 g1 n=256, per bucket entry", func(d *gpu.Device) error {
			_, err := deviceMSM(d, bind.BN254G1, msmPts, msmSc)
			return err
		}, []string{"msm_task_accumulate"}, items("msm_scatter"), 3535},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, rt := ptxdev.NewDevice(seed)
			if err := c.run(d); err != nil { // compiles, and runs the self-check
				t.Fatal(err)
			}
			rt.Kernels = nil
			if err := c.run(d); err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(rt.Kernels))
			for name := range rt.Kernels {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				k := rt.Kernels[name]
				t.Logf("%-20s %2d launches %6d work items %10d instructions", name, k.Launches, k.Items, k.Instructions)
			}
			var n int64
			for _, name := range c.kernels {
				if k := rt.Kernels[name]; k != nil {
					n += k.Instructions
				}
			}
			units := c.units(rt.Kernels)
			if n == 0 || units == 0 {
				t.Fatalf("kernels %v did not run", c.kernels)
			}
			per := float64(n) / units
			t.Logf("%s: %.0f PTX instructions (recorded %.0f)", c.name, per, c.recorded)
			if per > 1.25*c.recorded {
				t.Errorf("%s: %.0f instructions, more than 1.25 times the %.0f recorded", c.name, per, c.recorded)
			}
		})
	}
}
