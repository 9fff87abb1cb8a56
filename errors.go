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
