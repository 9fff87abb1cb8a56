package prover

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel"
)

func TestSkipAndPrivateWires(t *testing.T) {
	wires := []int{10, 11, 12, 13, 14, 15, 16}
	if got := Skip(wires, []bool{false, true, false, true}, 2); len(got) != 5 || got[0] != 10 || got[1] != 12 || got[2] != 14 {
		t.Errorf("Skip = %v", got)
	}
	info := constraint.Groth16Commitments{{PrivateCommitted: []int{3, 5}, CommitmentIndex: 6}}
	if got := PrivateWires(wires, 2, info); len(got) != 2 || got[0] != 12 || got[1] != 14 {
		t.Errorf("PrivateWires = %v", got)
	}
}

func TestParallelRange(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 5000, 100000} {
		var sum atomic.Int64
		ParallelRange(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sum.Add(int64(i))
			}
		})
		if want := int64(n) * int64(n-1) / 2; n > 0 && sum.Load() != want {
			t.Errorf("n %d: sum %d, want %d", n, sum.Load(), want)
		}
	}
}

func TestRunAndReport(t *testing.T) {
	var rep Report
	_, err := Run("x", ecc.BN254, []Option{WithReport(&rep)}, nil, nil, nil, func(*Config) (int, error) { return 1, nil })
	if err == nil || !strings.Contains(err.Error(), "zkaccel/gnark/x: nil constraint system") {
		t.Errorf("nil inputs: %v", err)
	}
	var zr zkaccel.Report
	zr.Ran = zkaccel.HostCPU()
	rep.Add("msm A", 2*time.Millisecond, &zr)
	rep.Add("msm A", time.Millisecond, nil)
	rep.Finish(ecc.BN254, 5*time.Millisecond)
	if rep.Get("msm A") != 3*time.Millisecond || !strings.Contains(rep.String(), "msm A 2ms on cpu:0") {
		t.Errorf("report %s", rep.String())
	}
	rep.Reset()
	if len(rep.Phases) != 0 || rep.Total != 0 {
		t.Error("Reset")
	}
	var nilRep *Report
	nilRep.Add("x", 1, nil) // a nil report records nothing, and does not panic
	if _, err := (&Config{Device: zkaccel.HostCPU()}).Target(); err != nil {
		t.Error(err)
	}
}
