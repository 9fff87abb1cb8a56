// Package backends registers every device backend zkaccel ships when it is
// imported for its side effects:
//
//	import _ "github.com/zkaccel/zkaccel/backends"
//
// That is the CUDA runtime (package cuda), the OpenCL runtime (package
// opencl) and the FPGA backend (package fpga).
// Registration does no loading: each backend opens its runtime library on
// the first zkaccel.Devices, Open or Default call, and a machine without
// the library simply has no such devices. A program that wants one backend
// only imports that package instead.
package backends

import (
	_ "github.com/zkaccel/zkaccel/cuda"   // cuda:N devices
	_ "github.com/zkaccel/zkaccel/fpga"   // fpga:N devices (ZKACCEL_FPGA_DRIVER)
	_ "github.com/zkaccel/zkaccel/opencl" // opencl:N devices
)
