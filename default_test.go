package zkaccel_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
)

// unsetEnv unsets the variable for the test, restoring it afterwards.
func unsetEnv(t *testing.T, key string) {
	t.Setenv(key, "") // registers the restore
	os.Unsetenv(key)
}

func TestDefaultUnset(t *testing.T) {
	unsetEnv(t, zkaccel.EnvDevice)
	d, err := zkaccel.LookupDefault()
	if err != nil || d != zkaccel.HostCPU() {
		t.Errorf("LookupDefault() with %s unset = %v, %v; want the CPU", zkaccel.EnvDevice, d, err)
	}
	if d := zkaccel.Default(); d != zkaccel.HostCPU() {
		t.Errorf("Default() with %s unset = %v; want the CPU", zkaccel.EnvDevice, d)
	}
	t.Setenv(zkaccel.EnvDevice, "")
	if d, err := zkaccel.LookupDefault(); err != nil || d != zkaccel.HostCPU() {
		t.Errorf("LookupDefault() with %s empty = %v, %v; want the CPU", zkaccel.EnvDevice, d, err)
	}
}

func TestDefaultCPU(t *testing.T) {
	for _, v := range []string{"cpu", "CPU", "cpu:0"} {
		t.Setenv(zkaccel.EnvDevice, v)
		d, err := zkaccel.LookupDefault()
		if err != nil || d != zkaccel.HostCPU() {
			t.Errorf("LookupDefault() with %s=%s = %v, %v; want the CPU", zkaccel.EnvDevice, v, d, err)
		}
		if d := zkaccel.Default(); d != zkaccel.HostCPU() || zkaccel.DeviceErr(d) != nil {
			t.Errorf("Default() with %s=%s = %v; want the CPU", zkaccel.EnvDevice, v, d)
		}
	}
}

func TestDefaultAbsent(t *testing.T) {
	for _, v := range []string{"cuda:99", "nosuchkind", "cuda:x"} {
		t.Setenv(zkaccel.EnvDevice, v)
		d, err := zkaccel.LookupDefault()
		if err == nil {
			t.Errorf("LookupDefault() with %s=%s = %v, nil; want an error", zkaccel.EnvDevice, v, d)
			continue
		}
		if d != nil {
			t.Errorf("LookupDefault() with %s=%s returned device %v with its error", zkaccel.EnvDevice, v, d)
		}
		msg := err.Error()
		if !strings.Contains(msg, zkaccel.EnvDevice) || !strings.Contains(msg, v) {
			t.Errorf("LookupDefault() error %q; want it to name %s and %q", msg, zkaccel.EnvDevice, v)
		}
		if v != "cuda:x" { // a malformed spec is not a missing device
			if !errors.Is(err, zkaccel.ErrNoDevice) || !strings.Contains(msg, "cpu:0") {
				t.Errorf("LookupDefault() error %q; want ErrNoDevice listing the present devices", msg)
			}
		}

		dd := zkaccel.Default()
		if dd == nil {
			t.Fatalf("Default() = nil; want a device carrying the error")
		}
		if dd == zkaccel.HostCPU() || dd.Kind() == zkaccel.CPU {
			t.Errorf("Default() = %v with %s=%s; must not silently use the CPU", dd, zkaccel.EnvDevice, v)
		}
		derr := zkaccel.DeviceErr(dd)
		if derr == nil || derr.Error() != msg {
			t.Errorf("DeviceErr(Default()) = %v; want %v", derr, err)
		}
	}
}

func TestDefaultFollowsEnv(t *testing.T) {
	kind := uniqueKind("zzdefault")
	b := newTestBackend(kind, 2)
	zkaccel.Register(b)

	steps := []struct {
		value string
		want  zkaccel.Device // nil: an error
	}{
		{"cpu", zkaccel.HostCPU()},
		{"cuda:99", nil},
		{string(kind) + ":1", b.devs[1]},
		{"", zkaccel.HostCPU()},
		{string(kind), b.devs[0]},
		{string(kind) + ":2", nil},
		{"cpu", zkaccel.HostCPU()},
	}
	for i, s := range steps {
		t.Setenv(zkaccel.EnvDevice, s.value)
		// Twice each: the second call answers from the cache.
		for range 2 {
			d, err := zkaccel.LookupDefault()
			if s.want == nil {
				if err == nil {
					t.Errorf("step %d: LookupDefault() with %s=%q = %v; want an error", i, zkaccel.EnvDevice, s.value, d)
				}
				if zkaccel.DeviceErr(zkaccel.Default()) == nil {
					t.Errorf("step %d: Default() with %s=%q carries no error", i, zkaccel.EnvDevice, s.value)
				}
				continue
			}
			if err != nil || d != s.want {
				t.Errorf("step %d: LookupDefault() with %s=%q = %v, %v; want %v", i, zkaccel.EnvDevice, s.value, d, err, s.want)
			}
			if d := zkaccel.Default(); d != s.want {
				t.Errorf("step %d: Default() with %s=%q = %v; want %v", i, zkaccel.EnvDevice, s.value, d, s.want)
			}
		}
	}
}

func TestDeviceErr(t *testing.T) {
	if err := zkaccel.DeviceErr(zkaccel.HostCPU()); err != nil {
		t.Errorf("DeviceErr(HostCPU()) = %v, want nil", err)
	}
	if err := zkaccel.DeviceErr(&testDevice{kind: "zz"}); err != nil {
		t.Errorf("DeviceErr(test device) = %v, want nil", err)
	}
	if err := zkaccel.DeviceErr(nil); err == nil {
		t.Errorf("DeviceErr(nil) = nil, want an error")
	}
}
