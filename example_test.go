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
