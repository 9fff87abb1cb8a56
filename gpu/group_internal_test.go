package gpu

import "testing"

// groupRuntime is a Runtime that only reports its largest work-group.
type groupRuntime struct {
	Runtime
	max int
}

func (r groupRuntime) MaxGroupSize() int { return r.max }

// groupKernel is a Kernel with its own work-group limit.
type groupKernel int

func (k groupKernel) Name() string      { return "k" }
func (k groupKernel) MaxGroupSize() int { return int(k) }

// TestGroupFor checks groupFor: the largest power of two within the size
// asked, the device's limit and the kernel's, 0 or less meaning none, and
// never below 1.
func TestGroupFor(t *testing.T) {
	for _, c := range []struct{ dev, kern, want, got int }{
		{1024, 1024, 64, 64},
		{1024, 48, 64, 32},  // the kernel's limit, rounded down
		{40, 1024, 256, 32}, // the device's
		{1024, 256, 256, 256},
		{1024, 255, 256, 128},
		{0, 0, 256, 256},   // no limits reported
		{1024, -1, 96, 64}, // the asked size rounded down too
		{1024, 1, 256, 1},
		{1024, 1024, 0, 1},
	} {
		d := &Device{rt: groupRuntime{max: c.dev}}
		if g := d.groupFor(groupKernel(c.kern), c.want); g != c.got {
			t.Errorf("device %d, kernel %d, asked %d: got %d, want %d", c.dev, c.kern, c.want, g, c.got)
		}
	}
}
