package bn254_test

import (
	"fmt"
	"slices"

	field "github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/ntt"
	"github.com/zkaccel/zkaccel/ntt/bn254"
)

// exampleShow prints field elements in decimal.
func exampleShow(a []field.Element) {
	for i := range a {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Print(a[i].String())
	}
	fmt.Println()
}

func ExampleFFT() {
	// The coefficients of p(x) = 1 + 2x + 3x² + 4x³.
	d := fft.NewDomain(4)
	a := make([]field.Element, 4)
	for i := range a {
		a[i].SetUint64(uint64(i + 1))
	}

	// Evaluate p on the 4th roots of unity: DIF takes natural order and
	// returns bit-reversed order, whose first entry is p(1).
	if err := bn254.FFT(d, a, fft.DIF); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("p(1) =", a[0].String())

	// Interpolate back: DIT takes bit-reversed order, returns natural order.
	if err := bn254.FFTInverse(d, a, fft.DIT); err != nil {
		fmt.Println(err)
		return
	}
	exampleShow(a)
	// Output:
	// p(1) = 10
	// 1 2 3 4
}

func ExampleFFT_onCoset() {
	d := fft.NewDomain(8)
	a := make([]field.Element, 8)
	for i := range a {
		a[i].SetUint64(uint64(10 * (i + 1)))
	}
	b := slices.Clone(a)

	// Evaluate on the coset g·⟨ω⟩, exactly as gnark-crypto does.
	if err := bn254.FFT(d, a, fft.DIF, ntt.OnCoset()); err != nil {
		fmt.Println(err)
		return
	}
	d.FFT(b, fft.DIF, fft.OnCoset())
	fmt.Println(slices.Equal(a, b))

	if err := bn254.FFTInverse(d, a, fft.DIT, ntt.OnCoset()); err != nil {
		fmt.Println(err)
		return
	}
	exampleShow(a)
	// Output:
	// true
	// 10 20 30 40 50 60 70 80
}

func ExampleFFT_withReport() {
	d := fft.NewDomain(4)
	a := make([]field.Element, 4)
	for i := range a {
		a[i].SetUint64(uint64(i))
	}

	// Ask for the CPU explicitly, and for a report of what happened.
	var rep zkaccel.Report
	if err := bn254.FFT(d, a, fft.DIF, ntt.WithDevice(zkaccel.HostCPU()), ntt.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s n=%d ran on %v, fallback %v\n", rep.Op, rep.N, rep.Ran, rep.Fallback)
	// Output:
	// ntt bn254 fft n=4 ran on cpu:0, fallback false
}
