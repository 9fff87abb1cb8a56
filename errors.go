package zkaccel

import "errors"

// ErrUnsupported reports that a device lacks an operation, a curve or field,
// or a size. Front ends that receive it (wrapped or not) from a device fall
// back to the CPU and record that they did; they return every other error.
var ErrUnsupported = errors.New("unsupported by device")

// ErrNoDevice reports that a requested device is not present: an unknown
// kind, an ordinal past the last device of its kind, or a kind whose runtime
// library could not be loaded.
var ErrNoDevice = errors.New("no such device")

// ErrDeviceReset reports that a GPU lost what it held during the call (a
// kernel fault, an uncorrectable memory error, a driver reset) and that
// its runtime reset it: the call failed, the device works again, and what
// lived in its memory (compiled programs, tables, resident points, a
// prover's key) loads again at its next use. The call may be retried.
// CUDA's runtime resets after a sticky error; OpenCL's after a call that
// left its context unable to run commands.
var ErrDeviceReset = errors.New("device reset")

// ErrDeviceLost reports that a GPU can no longer be used by this process:
// an error that its driver documents as leaving the process unable to go
// on (CUDA's kernel faults: "the process must be terminated and
// relaunched") did so. The runtime reset the device as for
// [ErrDeviceReset], and the fresh context failed too. The call failed, and
// every later call on the device fails at once with an error wrapping
// ErrDeviceLost; other devices, the CPU's included, still work. It does
// not wrap ErrDeviceReset: retrying on that device cannot help; restart
// the process to use it again.
var ErrDeviceLost = errors.New("device lost")
