package bn254_test

import (
	"fmt"
	"math/big"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/msm/bn254"
)

func ExampleMultiExpG1() {
	// Points G, 2G, 3G and scalars 4, 5, 6: the sum is (4 + 10 + 18)·G = 32·G.
	_, _, g, _ := curve.Generators()
	points := make([]curve.G1Affine, 3)
	scalars := make([]fr.Element, 3)
	for i := range points {
		points[i].ScalarMultiplication(&g, big.NewInt(int64(i+1)))
		scalars[i].SetUint64(uint64(i + 4))
	}

	// Without a device option the call runs on zkaccel.Default().
	p, err := bn254.MultiExpG1(nil, points, scalars)
	if err != nil {
		fmt.Println(err)
		return
	}

	var got, want curve.G1Affine
	got.FromJacobian(p)
	want.ScalarMultiplication(&g, big.NewInt(32))
	fmt.Println(got.Equal(&want))
	// Output: true
}

func ExampleMultiExpG1_withReport() {
	_, _, g, _ := curve.Generators()
	points := []curve.G1Affine{g, g}
	scalars := make([]fr.Element, 2)
	scalars[0].SetOne()
	scalars[1].SetOne()

	// Ask for the CPU explicitly, and for a report of what happened.
	var rep zkaccel.Report
	var p curve.G1Jac
	if _, err := bn254.MultiExpG1(&p, points, scalars, msm.WithDevice(zkaccel.HostCPU()), msm.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}
	var twoG curve.G1Jac
	twoG.FromAffine(&g)
	twoG.DoubleAssign()
	fmt.Println(p.Equal(&twoG))
	fmt.Printf("%s n=%d ran on %v, fallback %v\n", rep.Op, rep.N, rep.Ran, rep.Fallback)
	// Output:
	// true
	// msm bn254 g1 n=2 ran on cpu:0, fallback false
}
