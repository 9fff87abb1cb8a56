// Package backends registers every device backend zkaccel ships when it is
// imported for its side effects:
//
//	import _ "github.com/zkaccel/zkaccel/backends"
//
// Today that is the OpenCL runtime (package opencl); the CUDA and FPGA
// backends join it as they land. Registration does no loading: each
// backend opens its runtime library on the first zkaccel.Devices, Open or
// Default call, and a machine without the library simply has no such
// devices. A program that wants one backend only imports that package
// instead.
package backends

import (
	_ "github.com/zkaccel/zkaccel/opencl" // opencl:N devices
)
