package gpu_test

import (
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/gpu"
)

// TestForms checks the description of the source forms a device compiles
// (Device.Forms, which `zkaccel devices` prints and benchmark files
// record): each runtime's defaults, every setting that changes the source,
// and a malformed setting's error on every device present.
func TestForms(t *testing.T) {
	const (
		calls   = "curve formulas: calls"
		choice  = "curve formulas: the compiler's choice, the larger groups' bucket reductions inlined"
		cudaDef = "field multiplication: 32-bit words, inline PTX wide multiply-adds, dedicated squaring; NTT blocks: word-major; curve formulas: calls, the larger groups' bucket reductions inlined; warp primitives: on"
	)
	settings := []string{gpu.EnvMul, gpu.EnvSqr, gpu.EnvNTTLayout, gpu.EnvWarp, gpu.EnvInline, gpu.EnvMSMBlock, gpu.EnvMSMMinBlocks}
	for _, c := range []struct {
		name              string
		env               map[string]string
		kind, typ, vendor string
		want              string
	}{
		{"pocl", nil, "opencl", "cpu", "AuthenticAMD", "field multiplication: 64-bit limbs; NTT blocks: element-major; " + choice},
		{"intel-gpu", nil, "opencl", "gpu", "Intel(R) Corporation", "field multiplication: 32-bit words; NTT blocks: word-major; " + calls},
		{"amd-gpu", nil, "opencl", "gpu", "Advanced Micro Devices, Inc.", "field multiplication: 32-bit words; NTT blocks: word-major; " + choice},
		{"amd-gpu-inlined", map[string]string{gpu.EnvInline: "1", gpu.EnvMul: "64", gpu.EnvNTTLayout: "element"}, "opencl", "gpu", "Advanced Micro Devices, Inc.",
			"field multiplication: 64-bit limbs; NTT blocks: element-major; curve formulas: inlined"},
		{"cuda", nil, "cuda", "gpu", "NVIDIA Corporation", cudaDef},
		{"cuda-32s", map[string]string{gpu.EnvMul: "32s", gpu.EnvSqr: "0", gpu.EnvNTTLayout: "element", gpu.EnvWarp: "0", gpu.EnvInline: "1", gpu.EnvMSMMinBlocks: "3"}, "cuda", "gpu", "NVIDIA Corporation",
			"field multiplication: 32-bit words, inline PTX rows in split carry chains; NTT blocks: element-major; curve formulas: inlined; warp primitives: off; bucket kernels: launch bounds of 3 blocks of 256"},
		{"cuda-nosqr", map[string]string{gpu.EnvSqr: "0", gpu.EnvInline: "0", gpu.EnvMSMBlock: "128", gpu.EnvMSMMinBlocks: "6"}, "cuda", "gpu", "NVIDIA Corporation",
			"field multiplication: 32-bit words, inline PTX wide multiply-adds, squares as multiplications; NTT blocks: word-major; " + calls + "; warp primitives: on; bucket kernels: launch bounds of 6 blocks of 128"},
		{"cuda-32c", map[string]string{gpu.EnvMul: "32c"}, "cuda", "gpu", "NVIDIA Corporation",
			"field multiplication: 32-bit words, in C; NTT blocks: word-major; curve formulas: calls, the larger groups' bucket reductions inlined; warp primitives: on"},
		{"cuda-64", map[string]string{gpu.EnvMul: "64"}, "cuda", "gpu", "NVIDIA Corporation",
			"field multiplication: 64-bit limbs; NTT blocks: word-major; curve formulas: calls, the larger groups' bucket reductions inlined; warp primitives: on"},
	} {
		t.Run("form/"+c.name, func(t *testing.T) {
			for _, e := range settings {
				t.Setenv(e, c.env[e])
			}
			got, err := gpu.FormsOf(c.kind, c.typ, c.vendor)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("forms\n got %q\nwant %q", got, c.want)
			}
		})
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		for _, e := range settings {
			t.Setenv(e, "")
		}
		if f, err := gpu.NewDevice(d.Runtime()).Forms(); err != nil || !strings.HasPrefix(f, "field multiplication: ") {
			t.Errorf("%v: Forms() = %q, %v", d, f, err)
		}
		t.Setenv(gpu.EnvInline, "yes")
		if f, err := gpu.NewDevice(d.Runtime()).Forms(); err == nil || !strings.Contains(err.Error(), gpu.EnvInline) {
			t.Errorf("%v with %s=yes: Forms() = %q, %v; want an error naming the variable", d, gpu.EnvInline, f, err)
		}
	})
}
