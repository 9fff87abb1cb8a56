package bn254_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc"
	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/msm/bn254"
)

func BenchmarkMultiExpG1(b *testing.B) { optest.BenchMultiExp(b, bind.BN254G1, bn254.MultiExpG1) }

func BenchmarkMultiExpG2(b *testing.B) { optest.BenchMultiExp(b, bind.BN254G2, bn254.MultiExpG2) }

// BenchmarkOverheadMultiExpG1 measures the front end's cost over
// (*G1Jac).MultiExp, on the same points and scalars (optest.MSMInputs); see
// optest.BenchOverhead for its arms. 2^4 shows the front end's fixed cost
// per call; 2^16 is the acceptance size.
func BenchmarkOverheadMultiExpG1(b *testing.B) {
	optest.BenchOverhead(b, []int{4, 16}, func(n int) (gnark, front, frontDefault func() error) {
		points, scalars := optest.MSMInputs(bind.BN254G1, n)
		var p curve.G1Jac
		gnark = func() error {
			_, err := p.MultiExp(points, scalars, ecc.MultiExpConfig{})
			return err
		}
		front = func() error {
			_, err := bn254.MultiExpG1(&p, points, scalars, msm.WithDevice(zkaccel.HostCPU()))
			return err
		}
		frontDefault = func() error {
			_, err := bn254.MultiExpG1(&p, points, scalars)
			return err
		}
		return gnark, front, frontDefault
	})
}

// TestOverheadAllocsG1 checks that the front end on the CPU adds only a
// small constant number of allocations, and far fewer bytes than its
// inputs take, to gnark-crypto's own: it neither copies nor converts the
// points and scalars.
func TestOverheadAllocsG1(t *testing.T) {
	const n = 1024
	rng := inputs.NewRand(1)
	points := inputs.BN254G1(rng, n)
	scalars := inputs.Elements[fr.Element](rng, n)
	var p, q curve.G1Jac
	direct := func() {
		if _, err := p.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	cpu := zkaccel.HostCPU()
	front := func() {
		if _, err := bn254.MultiExpG1(&q, points, scalars, msm.WithDevice(cpu)); err != nil {
			t.Fatal(err)
		}
	}
	inputBytes := float64(n) * float64(unsafe.Sizeof(points[0])+unsafe.Sizeof(scalars[0]))
	optest.AllocOverhead(t, n, inputBytes, direct, front, func() bool { return p.Equal(&q) })
}

// TestOverheadNoCopyG1 checks that a device receives views of the caller's
// points and scalars, not copies.
func TestOverheadNoCopyG1(t *testing.T) {
	const n = 5
	rng := inputs.NewRand(2)
	points := inputs.BN254G1(rng, n)
	scalars := inputs.Elements[fr.Element](rng, n)
	// dev records the request's buffers and reports ErrUnsupported.
	var req zkaccel.MSMRequest
	dev := fakedev.New("view recorder", func(r *zkaccel.MSMRequest) error {
		req = *r
		return fmt.Errorf("view: %w", zkaccel.ErrUnsupported)
	}, nil)
	if _, err := bn254.MultiExpG1(nil, points, scalars, msm.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	if req.N != n || req.Curve != zkaccel.BN254 || req.Group != zkaccel.G1 {
		t.Fatalf("request = %s %v n=%d; want bn254 g1 n=%d", req.Curve, req.Group, req.N, n)
	}
	if unsafe.SliceData(req.Points) != (*byte)(unsafe.Pointer(&points[0])) || len(req.Points) != n*int(unsafe.Sizeof(points[0])) {
		t.Error("request's points are not a view of the caller's")
	}
	if unsafe.SliceData(req.Scalars) != (*byte)(unsafe.Pointer(&scalars[0])) || len(req.Scalars) != n*int(unsafe.Sizeof(scalars[0])) {
		t.Error("request's scalars are not a view of the caller's")
	}
}
