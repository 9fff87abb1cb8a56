package gpu

import (
	"fmt"
	"strings"
)

// Forms describes in one line the forms of the device source that the
// device's programs are compiled in, as the ZKACCEL_GPU_* settings (read
// when the device was made) and the device's defaults chose them: the
// field multiplication's (EnvMul, EnvSqr), the NTT's local layout
// (EnvNTTLayout), the curve formulas' (EnvInline), CUDA's warp-level
// primitives (EnvWarp) and the bucket kernels' launch bounds
// (EnvMSMMinBlocks). `zkaccel devices` prints it and benchmark files record
// it, so that timings say which code they timed. It is an error where a
// setting is malformed.
func (d *Device) Forms() (string, error) {
	if d.preludeErr != nil {
		return "", d.preludeErr
	}
	return describeForms(d.rt.Kind(), d.prelude), nil
}

// describeForms describes the forms that prelude selects on a runtime of
// kind, with the source's defaults (common.h, ntt.cl, msm.cl) where it
// defines nothing.
func describeForms(kind, prelude string) string {
	has := func(name string) bool { return strings.Contains(prelude, "#define "+name+" ") }
	cuda := kind == "cuda"
	var mul string
	switch {
	case has("ZK_MUL64"):
		mul = "64-bit limbs"
	case cuda && has("ZK_NO_ASM"):
		mul = "32-bit words, in C"
	case cuda && has("ZK_MUL_ROWS"):
		mul = "32-bit words, inline PTX rows in split carry chains"
	case cuda:
		mul = "32-bit words, inline PTX wide multiply-adds"
	case has("ZK_MUL32"):
		mul = "32-bit words"
	default:
		mul = "64-bit limbs"
	}
	if cuda && !has("ZK_MUL64") && !has("ZK_NO_ASM") && !has("ZK_MUL_ROWS") {
		if has("ZK_SQR_MUL") {
			mul += ", squares as multiplications"
		} else {
			mul += ", dedicated squaring"
		}
	}
	ntt := "element-major"
	if has("NTT_WORD_MAJOR") || (cuda && !has("NTT_ELEMENT_MAJOR")) {
		ntt = "word-major"
	}
	var formulas string
	switch {
	case has("ZK_FORMULA_CALLS"):
		formulas = "calls"
	case has("ZK_FORMULA_INLINE"):
		formulas = "inlined"
	case cuda:
		formulas = "calls, the larger groups' bucket reductions inlined"
	default:
		formulas = "the compiler's choice, the larger groups' bucket reductions inlined"
	}
	s := fmt.Sprintf("field multiplication: %s; NTT blocks: %s; curve formulas: %s", mul, ntt, formulas)
	if cuda {
		if has("ZK_NO_WARP") {
			s += "; warp primitives: off"
		} else {
			s += "; warp primitives: on"
		}
		if i := strings.Index(prelude, "#define MSM_BLOCK "); i >= 0 {
			var block, blocks int
			if _, err := fmt.Sscanf(prelude[i:], "#define MSM_BLOCK %d\n#define MSM_MIN_BLOCKS %d", &block, &blocks); err == nil {
				s += fmt.Sprintf("; bucket kernels: launch bounds of %d blocks of %d", blocks, block)
			}
		}
	}
	return s
}
