package gpu

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
)

// Test hooks of the MSM (package gpu_test uses them).

// SetMSMMaxChunk bounds the points of one MSM device pass (0: no bound, the
// default) and returns a function that restores the previous bound.
func SetMSMMaxChunk(n int) (restore func()) {
	old := msmMaxChunk
	msmMaxChunk = n
	return func() { msmMaxChunk = old }
}

// SetMSMWindow forces the MSM window width c (0: chosen from the size, the
// default) and returns a function that restores the previous setting.
func SetMSMWindow(c int) (restore func()) {
	old := msmForceWindow
	msmForceWindow = c
	return func() { msmForceWindow = old }
}

// MSMShape returns the window width and the number of windows of one MSM
// device pass over n points of a curve group (ok=false: an unknown group).
func MSMShape(curve zkaccel.Curve, group zkaccel.Group, n int) (c, nwin int, ok bool) {
	g, ok := msmGroupOf(curve, group)
	if !ok {
		return 0, 0, false
	}
	p := newMSMPlan(g, n, false)
	return p.c, p.nwin, true
}

// SetMSMSeglen forces the buckets per reduction work item (0: the default)
// and returns a function that restores the previous setting.
func SetMSMSeglen(n int) (restore func()) {
	old := msmForceSeglen
	msmForceSeglen = n
	return func() { msmForceSeglen = old }
}

// RunMulCheck runs the multiplication self-check on d's runtime under
// prelude, with corrupt altering field i's expected products (nil: none).
func RunMulCheck(d *Device, prelude string, corrupt func(i int, want []byte)) error {
	return runMulCheck(d.rt, prelude, corrupt)
}

// NeedsMulCheck reports whether d checks its multiplication before
// compiling program key.
func NeedsMulCheck(d *Device, key string) bool {
	src, err := ProgramSource(key)
	return err == nil && d.needsMulCheck(key, src)
}

// SetMSMScanGroup forces the work-group size of the MSM's counts scan (0:
// the default) and returns a function that restores the previous setting.
func SetMSMScanGroup(g int) (restore func()) {
	old := msmForceScanGroup
	msmForceScanGroup = g
	return func() { msmForceScanGroup = old }
}

// SetMSMTaskLen sets the entries of one bucket-accumulation task and turns
// the tasks on for every device (0: the default, tasks on GPUs only), and
// returns a function that restores the previous setting.
func SetMSMTaskLen(n int) (restore func()) {
	old := msmForceTaskLen
	msmForceTaskLen = n
	return func() { msmForceTaskLen = old }
}

// MSMChunk returns the points per pass of an MSM of n points of a curve
// group on d (with EnvMSMPasses as set).
func MSMChunk(d *Device, curve zkaccel.Curve, group zkaccel.Group, n int) int {
	g, _ := msmGroupOf(curve, group)
	passes, err := msmPassesEnv()
	if err != nil {
		return -1
	}
	return d.msmChunkSize(g, n, passes)
}

// SetMSMForceLate makes a batch stage each request only once the one
// before is done, until restore is called.
func SetMSMForceLate(on bool) (restore func()) {
	old := msmForceLate
	msmForceLate = on
	return func() { msmForceLate = old }
}

// ResidentPre returns the window width and windows of the multiples that
// resident points r keep (0, 0: none).
func ResidentPre(r zkaccel.ResidentPoints) (c, nwin int) {
	rp := r.(*residentPoints)
	return rp.pre.c, rp.pre.nwin
}

// MSMUsesPre reports whether an MSM of n of r's points sums their window
// multiples.
func MSMUsesPre(r zkaccel.ResidentPoints, n int) bool {
	rp := r.(*residentPoints)
	return rp.pre.nwin > 0 && msmPreBetter(rp.g, n, rp.pre)
}

// QuotientBytes is the device memory a quotient request holds, as the
// one-call paths count it beside their MSMs: PLONK's for a
// *zkaccel.PlonkQuotientRequest, Groth16's for a
// *zkaccel.Groth16QuotientRequest.
func QuotientBytes(req any) uint64 {
	switch r := req.(type) {
	case *zkaccel.PlonkQuotientRequest:
		f, _ := ScalarField(r.Field)
		return plonkQuotientMemory(r, r.N, r.N*r.Rho) * uint64(f.ElemSize())
	case *zkaccel.Groth16QuotientRequest:
		f, _ := ScalarField(r.Field)
		return groth16Memory(r.N, f)
	}
	panic(fmt.Sprintf("QuotientBytes(%T)", req))
}

// SetPlonkRatioChunks bounds the chunks of the PLONK ratio's kernels and
// returns a function that restores the bound.
func SetPlonkRatioChunks(c int) (restore func()) {
	old := plonkRatioChunks
	plonkRatioChunks = c
	return func() { plonkRatioChunks = old }
}
