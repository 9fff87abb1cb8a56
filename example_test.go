package zkaccel_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/zkaccel/zkaccel"
)

func ExampleOpen() {
	cpu, err := zkaccel.Open("cpu")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cpu, cpu == zkaccel.HostCPU())

	// An absent device is an error wrapping ErrNoDevice, never a silent
	// fallback; its text lists the devices present.
	_, err = zkaccel.Open("cuda:99")
	fmt.Println(errors.Is(err, zkaccel.ErrNoDevice))
	// Output:
	// cpu:0 true
	// true
}

func ExampleDevices() {
	// The CPU is always present and listed first, then the accelerators:
	// CUDA, OpenCL and FPGA devices, in that order.
	for _, d := range zkaccel.Devices() {
		if d.Kind() == zkaccel.CPU {
			fmt.Println(d)
		}
	}
	// Output:
	// cpu:0
}

func ExampleDefault() {
	// ZKACCEL_DEVICE names the device that front ends use when no device
	// option is given (set here for the example, usually in the
	// environment).
	old, had := os.LookupEnv(zkaccel.EnvDevice)
	defer func() {
		if had {
			os.Setenv(zkaccel.EnvDevice, old)
		} else {
			os.Unsetenv(zkaccel.EnvDevice)
		}
	}()

	os.Setenv(zkaccel.EnvDevice, "cpu")
	fmt.Println(zkaccel.Default())

	// A device that is not present is reported, not replaced by the CPU.
	os.Setenv(zkaccel.EnvDevice, "cuda:99")
	if _, err := zkaccel.LookupDefault(); err != nil {
		fmt.Println("invalid:", errors.Is(err, zkaccel.ErrNoDevice))
	}
	// Output:
	// cpu:0
	// invalid: true
}

func ExampleCrossover() {
	// Crossovers are measured per machine by `zkaccel tune` and kept under
	// the cache directory (a temporary one here). With ZKACCEL_DEVICE unset,
	// the default device is the first GPU that has them, and each call runs
	// on it only from its operation's crossover on: below it, on the CPU.
	dir, err := os.MkdirTemp("", "zkaccel-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	old, had := os.LookupEnv(zkaccel.EnvCacheDir)
	defer func() {
		if had {
			os.Setenv(zkaccel.EnvCacheDir, old)
		} else {
			os.Unsetenv(zkaccel.EnvCacheDir)
		}
		zkaccel.ForgetCrossovers()
	}()
	os.Setenv(zkaccel.EnvCacheDir, dir)

	dev := zkaccel.HostCPU() // a GPU in real use: tune records nothing for the CPU
	if err := zkaccel.SaveCrossovers(dev, &zkaccel.Crossovers{Ops: map[string]int{"msm bn254 g1": 1 << 14}}); err != nil {
		fmt.Println(err)
		return
	}
	n, ok := zkaccel.Crossover(dev, "msm bn254 g1")
	fmt.Println(n, ok)
	_, ok = zkaccel.Crossover(dev, "ntt bn254 fft")
	fmt.Println(ok)
	// Output:
	// 16384 true
	// false
}
