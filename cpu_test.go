package zkaccel_test

import (
	"runtime"
	"testing"

	"github.com/zkaccel/zkaccel"
)

func TestHostCPU(t *testing.T) {
	c := zkaccel.HostCPU()
	if c == nil || c != zkaccel.HostCPU() {
		t.Fatalf("HostCPU() = %v; want one stable device", c)
	}
	if c.Kind() != zkaccel.CPU || c.Ordinal() != 0 || c.String() != "cpu:0" {
		t.Errorf("HostCPU() = kind %q, ordinal %d, spec %q; want cpu, 0, cpu:0", c.Kind(), c.Ordinal(), c.String())
	}
	if c.Name() == "" {
		t.Error("HostCPU().Name() is empty")
	}
	if runtime.GOOS == "linux" && c.Memory() == 0 {
		t.Error("HostCPU().Memory() = 0 on Linux; want /proc/meminfo's MemTotal")
	}
	if m := c.Memory(); m != 0 && m < 1<<20 {
		t.Errorf("HostCPU().Memory() = %d; implausibly small (bytes, not kB?)", m)
	}
	t.Logf("%v: %s, %d MiB", c, c.Name(), c.Memory()>>20)
}

func TestKnownKinds(t *testing.T) {
	kinds := zkaccel.KnownKinds()
	if len(kinds) == 0 || kinds[0] != zkaccel.CPU {
		t.Errorf("KnownKinds() = %v; want the CPU first", kinds)
	}
	// The caller may not alter the list others see.
	kinds[0] = "zz"
	if zkaccel.KnownKinds()[0] != zkaccel.CPU {
		t.Error("KnownKinds() returns a shared slice")
	}
}
