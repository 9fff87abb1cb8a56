package gpu_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// EnvRequireAMDGPU set to 1 makes a missing AMD GPU compiler (clang with
// the AMDGPU target, and libclc's amdgcn--amdhsa.bc) a test failure
// instead of a skip; CI sets it.
const EnvRequireAMDGPU = "ZKACCEL_REQUIRE_AMDGPU"

// amdTargets are the AMD GPUs the OpenCL GPU form is compiled for: CDNA2
// always, RDNA3 and CDNA3 too without -short.
var amdTargets = []struct {
	cpu, what string
	short     bool
}{
	{"gfx90a", "CDNA2, Instinct MI210/MI250", true},
	{"gfx1100", "RDNA3, Radeon RX 7900", false},
	{"gfx940", "CDNA3, Instinct MI300", false},
}

// amdMaxGroup is the largest work-group zkaccel's algorithms launch with
// (msmScanMaxGroup, nttLocalGroupGPU, the OpenCL runtime's default group,
// the ratio's chaining group). A kernel that accepted less would still
// run, in the smaller groups its CL_KERNEL_WORK_GROUP_SIZE allows
// (groupFor), but slower than the algorithms were sized for: every AMD
// kernel must accept it. An AMD kernel accepts at most its
// max_flat_workgroup_size, 256 where the source says nothing, whatever the
// device's CL_DEVICE_MAX_WORK_GROUP_SIZE.
const amdMaxGroup = 256

// amdLDS is the local memory (LDS) one AMD work-group may use.
const amdLDS = 64 << 10

// amdCompiler compiles OpenCL C for AMD GPUs the way AMD's own OpenCL
// does, with clang, its builtins linked from libclc.
type amdCompiler struct{ clang, libclc string }

// amdgpuCompiler finds clang with the AMDGPU target (ZKACCEL_CLANG, or
// clang, clang-19 … clang-15 on the PATH) and libclc's bitcode for
// amdgcn--amdhsa (ZKACCEL_LIBCLC, or Debian's and Fedora's folders),
// skipping the test where either is missing (failing under
// ZKACCEL_REQUIRE_AMDGPU=1).
func amdgpuCompiler(t *testing.T) *amdCompiler {
	t.Helper()
	c, err := findAMDCompiler()
	if err != nil {
		if os.Getenv(EnvRequireAMDGPU) == "1" {
			t.Fatalf("%s=1 but %v", EnvRequireAMDGPU, err)
		}
		t.Skipf("%v (set %s=1 to make this a failure)", err, EnvRequireAMDGPU)
	}
	return c
}

func findAMDCompiler() (*amdCompiler, error) {
	names := []string{"clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15"}
	if v := os.Getenv("ZKACCEL_CLANG"); v != "" {
		names = []string{v}
	}
	var c amdCompiler
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		out, err := exec.Command(p, "-print-targets").Output()
		if err == nil && bytes.Contains(out, []byte("amdgcn")) {
			c.clang = p
			break
		}
	}
	if c.clang == "" {
		return nil, fmt.Errorf("no clang with the AMDGPU target among %v", names)
	}
	globs := []string{"/usr/lib/clc/amdgcn--amdhsa.bc", "/usr/lib/llvm-*/lib/clc/amdgcn--amdhsa.bc", "/usr/share/clc/amdgcn--amdhsa.bc", "/usr/lib64/clc/amdgcn--amdhsa.bc"}
	if v := os.Getenv("ZKACCEL_LIBCLC"); v != "" {
		globs = []string{v}
	}
	for _, g := range globs {
		if m, _ := filepath.Glob(g); len(m) > 0 {
			sort.Strings(m)
			c.libclc = m[len(m)-1]
			return &c, nil
		}
	}
	return nil, fmt.Errorf("no libclc bitcode for amdgcn--amdhsa (Debian: libclc-15) at %v", globs)
}

// compile compiles OpenCL C 1.2 source for the AMD GPU cpu, at -O3, to
// assembly, which holds the code object's metadata; warnings are what
// clang wrote on its standard error.
func (c *amdCompiler) compile(src, cpu string) (asm, warnings string, err error) {
	cmd := exec.Command(c.clang, "-x", "cl", "-cl-std=CL1.2", "-target", "amdgcn--amdhsa", "-mcpu="+cpu,
		"-nogpulib", "-Xclang", "-mlink-builtin-bitcode", "-Xclang", c.libclc,
		"-Xclang", "-finclude-default-header", "-O3", "-S", "-o", "-", "-")
	cmd.Stdin = strings.NewReader(src)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("%s for %s: %v\n%s", filepath.Base(c.clang), cpu, err, stderr.String())
	}
	return out.String(), stderr.String(), nil
}

// amdKernel is what a code object's metadata says of one kernel.
type amdKernel struct {
	vgprs, agprs, sgprs    int
	vgprSpill, sgprSpill   int
	scratch, lds, maxGroup int // private segment (bytes per work item), group segment (bytes), max_flat_workgroup_size
	dynamicStack           bool
}

// amdKernels reads each kernel's resources from the amdhsa.kernels list of
// the assembly's metadata (YAML: a kernel's keys at four spaces' indent,
// its first after "  - ").
func amdKernels(asm string) (map[string]*amdKernel, error) {
	ints := map[string]func(k *amdKernel) *int{
		".vgpr_count":                 func(k *amdKernel) *int { return &k.vgprs },
		".agpr_count":                 func(k *amdKernel) *int { return &k.agprs },
		".sgpr_count":                 func(k *amdKernel) *int { return &k.sgprs },
		".vgpr_spill_count":           func(k *amdKernel) *int { return &k.vgprSpill },
		".sgpr_spill_count":           func(k *amdKernel) *int { return &k.sgprSpill },
		".private_segment_fixed_size": func(k *amdKernel) *int { return &k.scratch },
		".group_segment_fixed_size":   func(k *amdKernel) *int { return &k.lds },
		".max_flat_workgroup_size":    func(k *amdKernel) *int { return &k.maxGroup },
	}
	out := map[string]*amdKernel{}
	var cur *amdKernel
	var name string
	done := func() error {
		if cur == nil {
			return nil
		}
		if name == "" {
			return fmt.Errorf("a kernel of the metadata has no name")
		}
		out[name] = cur
		return nil
	}
	in := false
	sc := bufio.NewScanner(strings.NewReader(asm))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "amdhsa.kernels:":
			in = true
			continue
		case !in:
			continue
		case line != "" && line[0] != ' ':
			in = false
			continue
		}
		var kv string
		switch {
		case strings.HasPrefix(line, "  - "):
			if err := done(); err != nil {
				return nil, err
			}
			cur, name = &amdKernel{}, ""
			kv = line[4:]
		case strings.HasPrefix(line, "    .") && cur != nil:
			kv = line[4:]
		default:
			continue
		}
		key, val, ok := strings.Cut(kv, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch {
		case key == ".name":
			name = val
		case key == ".uses_dynamic_stack":
			cur.dynamicStack = val == "true"
		case ints[key] != nil:
			v, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("metadata %s: %q", key, val)
			}
			*ints[key](cur) = v
		}
	}
	if err := done(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no amdhsa.kernels metadata in the assembly")
	}
	return out, nil
}

var (
	amdSymbolRef = regexp.MustCompile(`([A-Za-z_.$][\w.$]*)@(?:rel32|gotpcrel32|gotpcrel|abs32|rel64|abs64)`)
	amdLabel     = regexp.MustCompile(`(?m)^([A-Za-z_.$][\w.$]*):`)
)

// amdUndefined lists the symbols the assembly refers to and does not
// define: a builtin that libclc lacks, or a function declared and never
// written, which the code object could not be loaded with.
func amdUndefined(asm string) []string {
	defined := map[string]bool{}
	for _, m := range amdLabel.FindAllStringSubmatch(asm, -1) {
		defined[m[1]] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range amdSymbolRef.FindAllStringSubmatch(asm, -1) {
		if s := m[1]; !defined[s] && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// checkAMD checks one program's assembly for an AMD GPU: every kernel of
// the source is in the code object, with no dynamic stack, at most 64 KiB
// of local memory, and room for zkaccel's largest work-group; nothing it
// calls is left undefined. It returns a line per kernel with its
// resources, and its spilled registers where it spills: a cost (scratch
// memory), not an error, which no AMD GPU has measured for zkaccel.
func checkAMD(src, asm string) (lines []string, errs []error) {
	ks, err := amdKernels(asm)
	if err != nil {
		return nil, []error{err}
	}
	for _, s := range amdUndefined(asm) {
		errs = append(errs, fmt.Errorf("calls %s, which nothing defines (a builtin libclc lacks, or a function never written)", s))
	}
	for _, name := range devtest.KernelNames(src) {
		k := ks[name]
		if k == nil {
			errs = append(errs, fmt.Errorf("kernel %s is not in the code object", name))
			continue
		}
		line := fmt.Sprintf("%s: %d VGPRs, %d AGPRs, %d SGPRs, scratch %d B, LDS %d B, max group %d", name, k.vgprs, k.agprs, k.sgprs, k.scratch, k.lds, k.maxGroup)
		if k.vgprSpill > 0 || k.sgprSpill > 0 {
			line += fmt.Sprintf(", SPILLS %d VGPRs and %d SGPRs", k.vgprSpill, k.sgprSpill)
		}
		lines = append(lines, line)
		if k.dynamicStack {
			errs = append(errs, fmt.Errorf("kernel %s uses a dynamic stack (recursion, or an array sized at run time)", name))
		}
		if k.lds > amdLDS {
			errs = append(errs, fmt.Errorf("kernel %s uses %d B of local memory, more than a work-group's %d", name, k.lds, amdLDS))
		}
		if k.maxGroup < amdMaxGroup {
			errs = append(errs, fmt.Errorf("kernel %s accepts work-groups of at most %d, and zkaccel is sized for %d", name, k.maxGroup, amdMaxGroup))
		}
	}
	return lines, errs
}

// TestAMDGPUCompile compiles every device program's OpenCL GPU form (the
// prelude an OpenCL GPU gets) for AMD GPUs with clang and libclc, as AMD's
// OpenCL compiles it, and checks the machine code's metadata (checkAMD);
// each kernel's registers, scratch and local memory are logged. No AMD
// GPU is needed, nor was one used: this says the programs build for those
// GPUs and what they hold there, not that they run right or fast. With
// ZKACCEL_AMDGPU_DIR set it writes each program's assembly there.
func TestAMDGPUCompile(t *testing.T) {
	c := amdgpuCompiler(t)
	pre, err := gpu.Prelude("opencl", "gpu", "Advanced Micro Devices, Inc.")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, %s; prelude %q", c.clang, c.libclc, pre)
	dir := os.Getenv("ZKACCEL_AMDGPU_DIR")
	for _, tg := range amdTargets {
		if testing.Short() && !tg.short {
			continue
		}
		for _, key := range gpu.Programs() {
			t.Run(tg.cpu+"/"+key, func(t *testing.T) {
				t.Parallel()
				src, err := gpu.ProgramSource(key)
				if err != nil {
					t.Fatal(err)
				}
				src = pre + src
				asm, warn, err := c.compile(src, tg.cpu)
				if err != nil {
					t.Fatal(err)
				}
				if warn != "" {
					t.Logf("clang's warnings:\n%s", warn)
				}
				if dir != "" {
					name := filepath.Join(dir, tg.cpu+"_"+strings.ReplaceAll(key, "/", "_")+".s")
					if err := os.WriteFile(name, []byte(asm), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				lines, errs := checkAMD(src, asm)
				for _, l := range lines {
					t.Logf("%s (%s) %s %s", tg.cpu, tg.what, key, l)
				}
				for _, e := range errs {
					t.Error(e)
				}
			})
		}
	}
}

// TestAMDGPUChecks: the checks of TestAMDGPUCompile fail where they
// should. A kernel that calls a function never written, one that allows
// only small work-groups, and one missing from the code object are
// reported; a compile error, and a kernel with more local memory than a
// work-group has, fail the compile with clang's message.
func TestAMDGPUChecks(t *testing.T) {
	c := amdgpuCompiler(t)
	cpu := amdTargets[0].cpu
	good := gpu.Source("KERNEL void twice(GLOBAL u32* a) { a[GLOBAL_ID()] *= 2; }\n")
	asm, _, err := c.compile(good, cpu)
	if err != nil {
		t.Fatal(err)
	}
	lines, errs := checkAMD(good, asm)
	if len(errs) != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "twice: ") {
		t.Fatalf("a good kernel: lines %q, errors %v", lines, errs)
	}
	ks, err := amdKernels(asm)
	if err != nil || ks["twice"] == nil || ks["twice"].vgprs == 0 || ks["twice"].maxGroup != amdMaxGroup {
		t.Fatalf("metadata of twice: %+v, %v", ks["twice"], err)
	}

	for _, bad := range []struct{ name, src, want string }{
		{"undefined", "void never_written(GLOBAL u32* a);\nKERNEL void calls(GLOBAL u32* a) { never_written(a); }\n", "calls never_written"},
		{"small group", "__attribute__((reqd_work_group_size(64, 1, 1))) KERNEL void small(GLOBAL u32* a) { a[GLOBAL_ID()] = 1; }\n", "at most 64"},
	} {
		src := gpu.Source(bad.src)
		asm, _, err := c.compile(src, cpu)
		if err != nil {
			t.Fatalf("%s: %v", bad.name, err)
		}
		_, errs := checkAMD(src, asm)
		if len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), bad.want) {
			t.Errorf("%s: errors %v, want one saying %q", bad.name, errs, bad.want)
		}
	}
	if _, errs := checkAMD(good+"KERNEL void absent(GLOBAL u32* a);\n", asm); len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), "absent is not in the code object") {
		t.Errorf("a kernel missing from the code object: errors %v", errs)
	}
	for _, bad := range []struct{ name, src, want string }{
		{"compile error", "KERNEL void broken(GLOBAL u32* a) { a[0] = undefined_name; }\n", "undefined_name"},
		// clang itself refuses more local memory than a work-group has.
		{"local memory", "KERNEL void big(GLOBAL u64* a) { LOCAL u64 b[10000]; b[LOCAL_ID()] = a[0]; BARRIER(); a[GLOBAL_ID()] = b[LOCAL_ID() + 1]; }\n", "local memory"},
	} {
		if _, _, err := c.compile(gpu.Source(bad.src), cpu); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want clang's message saying %q", bad.name, err, bad.want)
		}
	}
}
