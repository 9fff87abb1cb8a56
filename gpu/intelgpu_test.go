package gpu_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/gpu"
)

// intelCompiler is Intel's offline OpenCL compiler, ocloc, which runs the
// compiler of Intel's OpenCL driver (IGC) without an Intel GPU.
type intelCompiler struct{ ocloc string }

// intelGPUCompiler finds ocloc (ZKACCEL_OCLOC, or ocloc on the PATH;
// scripts/intel-ocloc.sh fetches it), skipping the test where it is
// missing.
func intelGPUCompiler(t *testing.T) *intelCompiler {
	t.Helper()
	name := os.Getenv("ZKACCEL_OCLOC")
	if name == "" {
		name = "ocloc"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("no Intel offline compiler (ocloc; scripts/intel-ocloc.sh fetches Debian's and runs this test): %v", err)
	}
	return &intelCompiler{ocloc: p}
}

// compile builds OpenCL C 1.2 source for the Intel GPU device (an ocloc
// device name, e.g. dg2) in dir, returning ocloc's output. A failed build
// is an error carrying that output.
func (c *intelCompiler) compile(src, name, device, dir string) (string, error) {
	file := filepath.Join(dir, name+".cl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command(c.ocloc, "compile", "-file", file, "-device", device, "-options", "-cl-std=CL1.2",
		"-out_dir", dir, "-output_no_suffix", "-output", name)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		// ocloc has exited 0 with a build failure in its log before.
		if st, serr := os.Stat(filepath.Join(dir, name)); serr != nil || st.Size() == 0 {
			err = fmt.Errorf("no device binary written (%v)", serr)
		}
	}
	if err != nil {
		return out.String(), fmt.Errorf("ocloc for %s: %v\n%s", device, err, out.String())
	}
	return out.String(), nil
}

// TestIntelGPUCompile compiles every device program's OpenCL GPU form
// with Intel's OpenCL compiler, offline (ocloc), for an Arc / Data Center
// Flex GPU (dg2, Xe-HPG); the build must succeed, and each program's
// compile time and ocloc's messages (its spills) are logged. The form is
// an Intel GPU's: the curve formulas as calls, unless ZKACCEL_GPU_INLINE
// says otherwise (gpu.EnvInline). No Intel GPU is needed,
// nor was one used: this says the programs build with Intel's compiler,
// not that they run right or fast. It is not run with -short: IGC takes
// minutes over an MSM program. ZKACCEL_INTEL_PROGRAMS, a regular
// expression, selects programs by key. scripts/intel-ocloc.sh fetches
// Debian's ocloc and runs it.
func TestIntelGPUCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("IGC takes minutes over an MSM program (scripts/intel-ocloc.sh runs this test)")
	}
	c := intelGPUCompiler(t)
	pre, err := gpu.Prelude("opencl", "gpu", "Intel(R) Corporation")
	if err != nil {
		t.Fatal(err)
	}
	const device = "dg2"
	t.Logf("%s; prelude %q", c.ocloc, pre)
	only, err := regexp.Compile(os.Getenv("ZKACCEL_INTEL_PROGRAMS"))
	if err != nil {
		t.Fatalf("ZKACCEL_INTEL_PROGRAMS: %v", err)
	}
	for _, key := range gpu.Programs() {
		if !only.MatchString(key) {
			continue
		}
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			src, err := gpu.ProgramSource(key)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			out, err := c.compile(pre+src, strings.ReplaceAll(key, "/", "_"), device, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			line := fmt.Sprintf("%s %s: built in %v", device, key, time.Since(start).Round(100*time.Millisecond))
			if msg := strings.TrimSpace(strings.ReplaceAll(out, "Build succeeded.", "")); msg != "" {
				line += "; ocloc said: " + msg
			}
			t.Log(line)
		})
	}
}

// TestIntelGPUChecks: a program that does not compile fails
// TestIntelGPUCompile's build with ocloc's message.
func TestIntelGPUChecks(t *testing.T) {
	c := intelGPUCompiler(t)
	dir := t.TempDir()
	if _, err := c.compile(gpu.Source("KERNEL void twice(GLOBAL u32* a) { a[GLOBAL_ID()] *= 2; }\n"), "good", "dg2", dir); err != nil {
		t.Fatalf("a good kernel: %v", err)
	}
	if _, err := c.compile(gpu.Source("KERNEL void broken(GLOBAL u32* a) { a[0] = undefined_name; }\n"), "bad", "dg2", dir); err == nil || !strings.Contains(err.Error(), "undefined_name") {
		t.Errorf("a compile error: %v, want ocloc's message naming undefined_name", err)
	}
}
