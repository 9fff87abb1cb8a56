package cuda_test

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/msm"
	zmsm "github.com/zkaccel/zkaccel/msm/bn254"
)

// Example lists the machine's GPUs with their driver, compiler and sensors.
func Example() {
	rts, err := cuda.Runtimes()
	if err != nil {
		fmt.Println("no CUDA:", err)
		return
	}
	for _, r := range rts {
		rt := r.(*cuda.Runtime)
		fmt.Printf("%s %s, %d MiB: %s\n", rt, rt.Name(), rt.Memory()>>20, rt.DriverInfo())
		if t, err := rt.Telemetry(); err == nil {
			fmt.Printf("  %d MHz, %.0f W of %.0f W, %d °C, PCIe %d×%d\n", t.SMClockMHz, t.PowerW, t.PowerLimitW, t.TemperatureC, t.PCIeGen, t.PCIeWidth)
		}
	}
}

// Example_msm runs a BN254 MSM on the first GPU through the drop-in front
// end, and says where it ran.
func Example_msm() {
	dev, err := zkaccel.Open("cuda:0")
	if err != nil {
		fmt.Println("no GPU:", err)
		return
	}
	_, _, g1, _ := bn254.Generators()
	points := make([]bn254.G1Affine, 1<<16)
	scalars := make([]fr.Element, len(points))
	for i := range points {
		points[i] = g1
		scalars[i].SetUint64(uint64(i))
	}
	var p bn254.G1Jac
	var rep zkaccel.Report
	if _, err := zmsm.MultiExpG1(&p, points, scalars, msm.WithDevice(dev), msm.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ran on", rep.Ran, "in", rep.Elapsed, "fallback:", rep.Fallback)
}
