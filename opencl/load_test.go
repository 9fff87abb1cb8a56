package opencl_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/opencl"
)

func TestMissingLibrary(t *testing.T) {
	err := opencl.OpenLibrary("libzkaccel-no-opencl.so.1")
	if err == nil {
		t.Fatal("opening a missing library succeeded")
	}
	if !cgo.Available {
		if !errors.Is(err, cgo.ErrNoCgo) {
			t.Errorf("without cgo: %v, want ErrNoCgo", err)
		}
		return
	}
	if !strings.Contains(err.Error(), "libzkaccel-no-opencl.so.1") {
		t.Errorf("error %q does not name the library", err)
	}
	// A library that lacks the OpenCL functions is refused at load.
	err = opencl.OpenLibrary("libc.so.6")
	if err == nil || !strings.Contains(err.Error(), "clGetPlatformIDs") {
		t.Errorf("opening libc as OpenCL: %v, want a missing clGetPlatformIDs", err)
	}
}

// TestNoPlatforms runs the test binary again with the ICD loader pointed
// at an empty vendor directory (ocl-icd's OCL_ICD_VENDORS): the loader then
// finds no platform, which is no device and no error.
func TestNoPlatforms(t *testing.T) {
	if os.Getenv("ZKACCEL_TEST_NO_PLATFORMS") == "1" {
		rts, err := opencl.Runtimes()
		if err != nil || len(rts) != 0 {
			t.Fatalf("Runtimes() with no platform = %d runtimes, %v; want none, no error", len(rts), err)
		}
		for _, st := range zkaccel.Backends() {
			if st.Kind == zkaccel.OpenCL && (st.Err != nil || len(st.Devices) != 0) {
				t.Fatalf("Backends(): opencl %d devices, %v; want none, no error", len(st.Devices), st.Err)
			}
		}
		return
	}
	if !cgo.Available {
		t.Skip("built without cgo")
	}
	if opencl.OpenLibrary("libOpenCL.so.1", "libOpenCL.so") != nil {
		t.Skip("no OpenCL library")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoPlatforms$", "-test.v")
	cmd.Env = append(os.Environ(), "ZKACCEL_TEST_NO_PLATFORMS=1", "OCL_ICD_VENDORS="+t.TempDir(), "OPENCL_VENDOR_PATH="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestNoPlatforms") {
		t.Fatalf("child did not run the test:\n%s", out)
	}
}
