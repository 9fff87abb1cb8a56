package gpu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/bind"
)

// TestInlinePrelude checks the definitions ZKACCEL_GPU_INLINE puts before
// every program: unset, calls on Intel's OpenCL GPUs and no definition
// elsewhere (CUDA's source has calls but for the larger groups' bucket
// reductions, other OpenCL compilers choose); "0", calls everywhere; "1",
// inlined everywhere; a bad value, an error naming the variable.
func TestInlinePrelude(t *testing.T) {
	const calls, inline = "#define ZK_FORMULA_CALLS 1\n", "#define ZK_FORMULA_INLINE 1\n"
	runtimes := []struct{ name, kind, typ, vendor string }{
		{"cuda", "cuda", "gpu", "NVIDIA Corporation"},
		{"intel-gpu", "opencl", "gpu", "Intel(R) Corporation"},
		{"amd-gpu", "opencl", "gpu", "Advanced Micro Devices, Inc."},
		{"nvidia-opencl", "opencl", "gpu", "NVIDIA Corporation"},
		{"intel-cpu", "opencl", "cpu", "Intel(R) Corporation"},
		{"pocl", "opencl", "cpu", "AuthenticAMD"},
	}
	for _, c := range []struct {
		setting string
		want    map[string]string // by runtime name; "" for none
	}{
		{"", map[string]string{"intel-gpu": calls}},
		{"0", map[string]string{"cuda": calls, "intel-gpu": calls, "amd-gpu": calls, "nvidia-opencl": calls, "intel-cpu": calls, "pocl": calls}},
		{"1", map[string]string{"cuda": inline, "intel-gpu": inline, "amd-gpu": inline, "nvidia-opencl": inline, "intel-cpu": inline, "pocl": inline}},
	} {
		t.Setenv(gpu.EnvInline, c.setting)
		for _, r := range runtimes {
			pre, err := gpu.Prelude(r.kind, r.typ, r.vendor)
			if err != nil {
				t.Fatalf("%s=%q on %s: %v", gpu.EnvInline, c.setting, r.name, err)
			}
			var got string
			for _, d := range []string{calls, inline} {
				if strings.Contains(pre, d) {
					got += d
				}
			}
			if got != c.want[r.name] {
				t.Errorf("%s=%q on %s: prelude %q, want its formula definitions to be %q", gpu.EnvInline, c.setting, r.name, pre, c.want[r.name])
			}
		}
	}
	t.Setenv(gpu.EnvInline, "yes")
	if _, err := gpu.Prelude("opencl", "gpu", "Intel(R) Corporation"); err == nil || !strings.Contains(err.Error(), `ZKACCEL_GPU_INLINE="yes": want 0 or 1`) {
		t.Errorf("%s=yes: err = %v, want one naming the variable", gpu.EnvInline, err)
	}
}

// TestInlineEnv checks ZKACCEL_GPU_INLINE on every device: with the curve
// formulas as calls and inlined, the MSMs of BN254 G1 (whose bucket
// reduction calls them), G2 (whose every Fp2 multiplication is one) and
// BLS12-381 G1 (whose bucket reduction inlines them by default) and the
// window multiples of a resident G2 key (whose doublings are calls) give
// gnark-crypto's results, on random inputs and the edge cases
// testMSMGroup and testMSMPre cover (points at infinity, a point added to
// itself and to its negation, scalars 0, 1 and r − 1). With -short, the
// inlined form only on BN254 G1: inlined, G2's program takes POCL three
// times as long to compile.
func TestInlineEnv(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		for _, v := range []string{"0", "1"} {
			t.Run(gpu.EnvInline+"="+v, func(t *testing.T) {
				t.Setenv(gpu.EnvInline, v)
				d2 := gpu.NewDevice(d.Runtime())
				start := time.Now()
				defer func() {
					t.Logf("%s=%s: %v (the programs' compiles included)", gpu.EnvInline, v, time.Since(start).Round(time.Millisecond))
				}()
				t.Run("bn254/g1", func(t *testing.T) { testMSMGroup(t, d2, bind.BN254G1) })
				if v == "1" && testing.Short() {
					return
				}
				t.Run("bn254/g2", func(t *testing.T) { testMSMGroup(t, d2, bind.BN254G2) })
				t.Run("bn254/g2/precompute", func(t *testing.T) { testMSMPre(t, d2, bind.BN254G2, 70) })
				if !testing.Short() {
					t.Run("bls12-381/g1", func(t *testing.T) { testMSMGroup(t, d2, bind.BLS12381G1) })
				}
			})
		}
	})
}
