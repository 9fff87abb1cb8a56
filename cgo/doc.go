// Package cgo is the only place in zkaccel that touches dlopen and dlsym:
// it opens a device runtime library (libOpenCL, libcuda, libnvrtc, an FPGA
// vendor's driver) at run time, resolves every symbol a backend needs up
// front, and calls those C function pointers through small trampolines.
//
// Nothing is linked at build time: no -lOpenCL, no headers beyond libc. A
// library that is missing, or lacks a symbol, is an error naming it when the
// library is opened — never a crash at the first call. Built with
// CGO_ENABLED=0 the package still compiles, and Open reports [ErrNoCgo], so
// the device backends simply find no devices.
//
// Calls pass and return machine words (uintptr): pointers, sizes, handles
// and integers up to 64 bits, which is how the C ABIs of the supported
// platforms (linux/amd64, linux/arm64) pass them. Floating-point arguments
// are not supported.
package cgo
