package bench_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
)

// ExampleRun measures the NTT at 2^10 on the CPU: one warm-up call, then
// two timed calls. Naming other devices (Config.Devices) adds their rows,
// each checked against the CPU's answer; bench.CPUCheck would leave the
// CPU untimed and only compute that answer.
func ExampleRun() {
	f, err := bench.Run(context.Background(), bench.Config{
		Ops:     []string{bench.OpNTT},
		Sizes:   []int{10},
		Runs:    2,
		Devices: []zkaccel.Device{zkaccel.HostCPU()},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range f.Results {
		fmt.Printf("%s %s %s 2^%d on %s: %d timed calls, failed: %v\n", r.Op, r.Target, r.Variant, r.LogN, r.Device, len(r.Times), !r.OK())
	}
	// Output: ntt bn254 fft-dif 2^10 on cpu:0: 2 timed calls, failed: false
}
