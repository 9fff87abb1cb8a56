package cuda_test

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/cuda/ptx"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// EnvRequireNVRTC set to 1 makes a missing NVRTC a test failure instead of
// a skip (CI sets it: Debian's libnvrtc11.2 compiles every kernel there).
const EnvRequireNVRTC = "ZKACCEL_REQUIRE_NVRTC"

// nvrtc returns NVRTC, skipping the test where it is absent (failing where
// ZKACCEL_REQUIRE_NVRTC=1).
func nvrtc(t *testing.T) *cuda.NVRTC {
	t.Helper()
	nv, err := cuda.LoadNVRTC()
	if err != nil {
		if os.Getenv(EnvRequireNVRTC) == "1" {
			t.Fatalf("%s=1 but NVRTC cannot be loaded: %v", EnvRequireNVRTC, err)
		}
		t.Skipf("no NVRTC (set %s=1 to make this a failure): %v", EnvRequireNVRTC, err)
	}
	return nv
}

// TestEmbeddedPTXCurrent checks, without NVRTC, that the embedded PTX was
// made from the current device source of every program: a source change
// without go generate ./cuda/ptx fails here. It also checks that each PTX
// defines every kernel of its program.
func TestEmbeddedPTXCurrent(t *testing.T) {
	ix, err := ptx.Load()
	if err != nil {
		t.Fatal(err)
	}
	if ix.NVRTC == "" || ix.Arch != "compute_70" {
		t.Errorf("index: nvrtc %q, arch %q", ix.NVRTC, ix.Arch)
	}
	byProgram := map[string]ptx.Entry{}
	for _, e := range ix.Entries {
		byProgram[e.Program] = e
	}
	keys := gpu.Programs()
	if len(ix.Entries) != len(keys) {
		t.Errorf("%d embedded entries for %d programs", len(ix.Entries), len(keys))
	}
	for _, key := range keys {
		src, err := gpu.ProgramSource(key)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := byProgram[key]
		if !ok {
			t.Errorf("%s: no embedded PTX (run go generate ./cuda/ptx)", key)
			continue
		}
		if e.SourceHash != sha256.Sum256([]byte(src)) {
			t.Errorf("%s: the embedded PTX is stale: its source changed (run go generate ./cuda/ptx)", key)
			continue
		}
		code, ok := ptx.Lookup(e.SourceHash)
		if !ok || len(code) < 100 || code[len(code)-1] != 0 {
			t.Errorf("%s: Lookup: %d bytes, ok %v", key, len(code), ok)
			continue
		}
		text := string(code)
		if !strings.Contains(text, ".target sm_70") {
			t.Errorf("%s: PTX does not target sm_70", key)
		}
		for _, k := range devtest.KernelNames(src) {
			if !strings.Contains(text, ".entry "+k+"(") {
				t.Errorf("%s: PTX lacks kernel %s", key, k)
			}
		}
	}
	var other [32]byte
	if _, ok := ptx.Lookup(other); ok {
		t.Error("Lookup of an unknown source hash succeeded")
	}
}

func TestParseIndex(t *testing.T) {
	good := "# comment\nnvrtc 11.8\narch compute_70\nkeccak " + strings.Repeat("ab", 32) + " keccak.ptx.gz\n"
	ix, err := ptx.Parse(strings.NewReader(good))
	if err != nil || ix.NVRTC != "11.8" || len(ix.Entries) != 1 || ix.Entries[0].SourceHash[0] != 0xab {
		t.Fatalf("Parse = %+v, %v", ix, err)
	}
	for _, bad := range []string{"keccak zz keccak.ptx.gz\n", "one two three four\n", "keccak " + strings.Repeat("ab", 31) + " f\n"} {
		if _, err := ptx.Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}

// TestNVRTCCompilesEveryProgram compiles every device program with NVRTC,
// as CUDA C++, for the embedded PTX's target: a CUDA compile error fails
// here, without a GPU. Where NVRTC's version is the one that made the
// embedded PTX, the output must equal it byte for byte (go generate was
// run, and honestly).
func TestNVRTCCompilesEveryProgram(t *testing.T) {
	nv := nvrtc(t)
	ix, err := ptx.Load()
	if err != nil {
		t.Fatal(err)
	}
	embedded := map[string]ptx.Entry{}
	for _, e := range ix.Entries {
		embedded[e.Program] = e
	}
	same := nv.Version() == ix.NVRTC
	if !same {
		t.Logf("NVRTC %s, the embedded PTX was made by NVRTC %s: compiling only", nv.Version(), ix.NVRTC)
	}
	keys := gpu.Programs()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, key := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			src, err := gpu.ProgramSource(key)
			if err != nil {
				t.Error(err)
				return
			}
			start := time.Now()
			code, err := nv.Compile(src, key, cuda.Target{Arch: 70})
			if err != nil {
				t.Errorf("%s: %v", key, err)
				return
			}
			t.Logf("%s: %d bytes of PTX in %v", key, len(code), time.Since(start).Round(time.Millisecond))
			if !same {
				return
			}
			e, ok := embedded[key]
			if !ok {
				t.Errorf("%s: nothing embedded", key)
				return
			}
			want, err := ptx.Read(e)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				return
			}
			if !bytes.Equal(ptx.Normalize(code), ptx.Normalize(want)) {
				t.Errorf("%s: NVRTC %s's PTX differs from the embedded PTX (run go generate ./cuda/ptx)", key, nv.Version())
			}
		}()
	}
	wg.Wait()
}

// TestNVRTCVariants compiles, as CUDA C++, the forms of the device source
// that the gpu package's variables select in place of CUDA's defaults (the
// definitions gpu's devicePrelude writes): ZKACCEL_GPU_MUL=32c and 64,
// ZKACCEL_GPU_SQR=0, ZKACCEL_GPU_NTT_LAYOUT=element, ZKACCEL_GPU_WARP=0,
// ZKACCEL_GPU_INLINE=1 (whose PTX it checks has no function left) and the bucket
// kernels' launch bounds (ZKACCEL_MSM_MIN_BLOCKS, whose directives it finds
// in the PTX), on the programs they change. The defaults are compiled by
// TestNVRTCCompilesEveryProgram.
func TestNVRTCVariants(t *testing.T) {
	nv := nvrtc(t)
	for _, v := range []struct {
		env, prelude, key string
		want              []string // in the PTX, in both bucket kernels
		absent            []string // not in the PTX
		present           []string // in the PTX
	}{
		{"ZKACCEL_GPU_MUL=32c", "#define ZK_MUL32 1\n#define ZK_NO_ASM 1\n", "msm/bn254/g1", nil, nil, nil},
		{"ZKACCEL_GPU_MUL=64", "#define ZK_MUL64 1\n", "ntt/bn254", nil, nil, nil},
		{"ZKACCEL_GPU_NTT_LAYOUT=element", "#define NTT_ELEMENT_MAJOR 1\n", "ntt/bn254", nil, nil, nil},
		{"ZKACCEL_GPU_WARP=0", "#define ZK_NO_WARP 1\n", "msm/bn254/g1", nil, nil, nil},
		{"ZKACCEL_GPU_SQR=0", "#define ZK_SQR_MUL 1\n", "poseidon2/bn254", nil, nil, nil},
		// The curve formulas inlined: no function left (the default
		// keeps xyzz_add, xyzz_dbl and xyzz_add_g as .func calls).
		{"ZKACCEL_GPU_INLINE=1", "#define ZK_FORMULA_INLINE 1\n", "msm/bn254/g1", nil, []string{".func", "xyzz_add", "xyzz_dbl"}, nil},
		// As calls everywhere: the bucket reduction's too, which
		// BLS12-381 G1 inlines by default (its PTX's one .func is
		// xyzz_add_g); the names are C++'s mangled ones.
		{"ZKACCEL_GPU_INLINE=0", "#define ZK_FORMULA_CALLS 1\n", "msm/bls12-381/g1", nil, nil, []string{"8xyzz_dblE", "8xyzz_addE"}},
		{"ZKACCEL_MSM_BLOCK=128 ZKACCEL_MSM_MIN_BLOCKS=6", "#define MSM_BLOCK 128\n#define MSM_MIN_BLOCKS 6\n", "msm/bn254/g1",
			[]string{".maxntid 128, 1, 1", ".minnctapersm 6"}, nil, nil},
	} {
		src, err := gpu.ProgramSource(v.key)
		if err != nil {
			t.Fatal(err)
		}
		ptx, err := nv.Compile(v.prelude+src, v.key, cuda.Target{Arch: 70})
		if err != nil {
			t.Errorf("%s with %s: %v", v.key, v.env, err)
			continue
		}
		for _, w := range v.want {
			// Both bucket kernels carry the directive, and no other does.
			if n := bytes.Count(ptx, []byte(w)); n != 2 {
				t.Errorf("%s with %s: %q appears %d times in the PTX, want 2 (msm_accumulate, msm_task_accumulate)", v.key, v.env, w, n)
			}
		}
		for _, a := range v.absent {
			if bytes.Contains(ptx, []byte(a)) {
				t.Errorf("%s with %s: %q in the PTX", v.key, v.env, a)
			}
		}
		for _, p := range v.present {
			if !bytes.Contains(ptx, []byte(p)) {
				t.Errorf("%s with %s: no %q in the PTX", v.key, v.env, p)
			}
		}
	}
}

// TestNVRTCCubin compiles programs to machine code for the newest GPU
// NVRTC knows (ptxas runs, so it checks the inline PTX of the field
// multiplication, which PTX output passes through unread), and checks the
// ELF it returns: keccak, the BN254 NTT, the BN254 quotients, and the BN254
// and BLS12-381 G1 MSMs, which hold the 4- and 6-limb fields' inline PTX.
// It reads each kernel's register count and stack frame from the cubin
// (logged), and requires no frame (no spilled registers, no local-memory
// array) in any of their kernels: a check of the machine code that
// TestNoLocalMemory, which reads PTX, cannot make. (Before their formulas
// were inlined, BLS12-381 G1's reduction kernels kept frames of 768 and
// 2240 bytes: points passed by value into __noinline__ calls.) With
// ZKACCEL_CUBIN_DIR set it writes each cubin there (keccak.cubin,
// msm_bn254_g1.cubin, …) for NVIDIA's disassembler, nvdisasm.
func TestNVRTCCubin(t *testing.T) {
	nv := nvrtc(t)
	archs := nv.Archs()
	newest := archs[len(archs)-1]
	for _, key := range []string{"keccak", "ntt/bn254", "quotient/bn254", "msm/bn254/g1", "msm/bls12-381/g1"} {
		src, err := gpu.ProgramSource(key)
		if err != nil {
			t.Fatal(err)
		}
		if key != "keccak" && !strings.Contains(src, "FLD_ASM_ROW") && !strings.Contains(src, "f_ASM_ROW") && !strings.Contains(src, "fp_ASM_ROW") {
			t.Fatalf("%s: no inline PTX row in the source", key)
		}
		start := time.Now()
		bin, err := nv.Compile(src, key, cuda.Target{Arch: newest, Cubin: true})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(bin, []byte("\x7fELF")) {
			t.Fatalf("%s: cubin for sm_%d does not start with an ELF header: % x", key, newest, bin[:min(8, len(bin))])
		}
		t.Logf("NVRTC %s (%s): archs %v; %s for sm_%d: %d bytes in %v", nv.Version(), nv.Library(), archs, key, newest, len(bin), time.Since(start).Round(time.Millisecond))
		if dir := os.Getenv("ZKACCEL_CUBIN_DIR"); dir != "" { // for nvdisasm (BENCHMARKS.md)
			name := filepath.Join(dir, strings.ReplaceAll(key, "/", "_")+".cubin")
			if err := os.WriteFile(name, bin, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		funcs, err := cubinFuncs(bin)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		// Every kernel of these programs must run from registers: a stack
		// frame is spilled state (or an array indexed at run time), in
		// local memory. One exception: BLS12-381's bucket reduction (about
		// 6 % of an MSM's additions at 2^20) at 254 registers with the
		// wide-multiply-add form, measured at 8 bytes with the squaring's
		// own PTX and at 104 bytes without it (BENCHMARKS.md).
		var names []string
		for name := range funcs {
			names = append(names, name)
		}
		slices.Sort(names)
		kernels := 0
		for _, name := range names {
			f := funcs[name]
			if f.regs > 0 {
				kernels++
				t.Logf("  %s: %d registers, frame %d bytes", name, f.regs, f.frame)
			}
			allowed := uint32(0)
			if key == "msm/bls12-381/g1" && name == "msm_reduce_segments" {
				allowed = 32
			}
			if f.frame > allowed || f.minStack > allowed {
				t.Errorf("%s: %s has a stack frame of %d bytes (min stack %d) for sm_%d: spilled registers", key, name, f.frame, f.minStack, newest)
			}
		}
		if kernels == 0 {
			t.Errorf("%s: no kernel's register count in the cubin", key)
		}
	}
}

// cubinFunc is what a cubin's .nv.info section says of one function.
type cubinFunc struct{ regs, frame, minStack uint32 }

// cubinFuncs reads the register count (EIATTR_REGCOUNT), frame size
// (EIATTR_FRAME_SIZE) and minimum stack size (EIATTR_MIN_STACK_SIZE) of
// each function from a cubin's .nv.info section: a list of attributes,
// each a format byte, an id byte and a value, those with a 16-bit size
// holding a symbol index and a 32-bit value. The cubin's ELF header
// carries NVIDIA's own version numbers, which debug/elf refuses, so a copy
// is read with them set to 1.
func cubinFuncs(bin []byte) (map[string]*cubinFunc, error) {
	const (
		eifmtNVAL, eifmtBVAL, eifmtHVAL, eifmtSVAL = 1, 2, 3, 4
		attrRegCount, attrFrameSize, attrMinStack  = 0x2f, 0x11, 0x12
	)
	b := slices.Clone(bin)
	if len(b) < 0x18 {
		return nil, errors.New("cubin shorter than an ELF header")
	}
	b[6] = 1
	binary.LittleEndian.PutUint32(b[0x14:], 1)
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	s := f.Section(".nv.info")
	if s == nil {
		return nil, errors.New("no .nv.info section")
	}
	d, err := s.Data()
	if err != nil {
		return nil, err
	}
	out := map[string]*cubinFunc{}
	for i := 0; i+2 <= len(d); {
		format, attr := d[i], d[i+1]
		i += 2
		size := 0
		switch format {
		case eifmtNVAL:
		case eifmtBVAL:
			size = 1
		case eifmtHVAL:
			size = 2
		case eifmtSVAL:
			if i+2 > len(d) {
				return nil, errors.New(".nv.info: truncated")
			}
			size = int(binary.LittleEndian.Uint16(d[i:]))
			i += 2
		default:
			return nil, fmt.Errorf(".nv.info: unknown attribute format %#x", format)
		}
		if i+size > len(d) {
			return nil, errors.New(".nv.info: truncated")
		}
		if format == eifmtSVAL && size == 8 && (attr == attrRegCount || attr == attrFrameSize || attr == attrMinStack) {
			idx := int(binary.LittleEndian.Uint32(d[i:]))
			v := binary.LittleEndian.Uint32(d[i+4:])
			if idx < 1 || idx > len(syms) {
				return nil, fmt.Errorf(".nv.info: symbol %d of %d", idx, len(syms))
			}
			name := syms[idx-1].Name
			fn := out[name]
			if fn == nil {
				fn = &cubinFunc{}
				out[name] = fn
			}
			switch attr {
			case attrRegCount:
				fn.regs = v
			case attrFrameSize:
				fn.frame = v
			case attrMinStack:
				fn.minStack = v
			}
		}
		i += size
	}
	return out, nil
}

// TestNVRTCErrors: a compile error carries NVRTC's log; an architecture
// NVRTC does not know is refused before compiling.
func TestNVRTCErrors(t *testing.T) {
	nv := nvrtc(t)
	_, err := nv.Compile(gpu.Source("KERNEL void broken(GLOBAL u32* a) { a[0] = undefined_name; }"), "broken.cu", cuda.Target{Arch: 70})
	if err == nil || !strings.Contains(err.Error(), "compiler log") || !strings.Contains(err.Error(), "undefined_name") {
		t.Errorf("compile error: %v", err)
	}
	if _, err := nv.Compile(gpu.Source(""), "x", cuda.Target{Arch: 12}); err == nil || !strings.Contains(err.Error(), "cannot compile for compute_12") {
		t.Errorf("unknown architecture: %v", err)
	}
	if !slices.Contains(nv.Archs(), 70) {
		t.Errorf("NVRTC %s does not target compute_70: %v", nv.Version(), nv.Archs())
	}
}

// ptxFunctionRE matches the head of a PTX kernel or function and its name.
var ptxFunctionRE = regexp.MustCompile(`(?m)^\s*(?:\.visible\s+|\.weak\s+)?\.(?:entry|func)\s+(?:\([^)]*\)\s*)?([\w$]+)`)

// TestNoLocalMemory checks, in the embedded PTX (which
// TestNVRTCCompilesEveryProgram checks against NVRTC's output), that the
// kernels keep their state in registers: no ld.local or st.local, which a
// state array indexed at run time brings, or a point passed by value into
// a __noinline__ call, and which costs a GPU many times a register's
// speed. It checks Keccak, every NTT, PLONK's and Groth16's quotients,
// every MSM and the Poseidon2 Merkle layers whole. Not checked: Poseidon2's
// permutation, whose widths without a constant width (src/poseidon2.cl)
// use local memory. (Registers spilled by ptxas show only in machine code:
// see TestNVRTCCubin.)
func TestNoLocalMemory(t *testing.T) {
	ix, err := ptx.Load()
	if err != nil {
		t.Fatal(err)
	}
	exempt := map[string]bool{"poseidon2_permute": true}
	checked := map[string]bool{}
	for _, e := range ix.Entries {
		if !strings.HasPrefix(e.Program, "msm/") && !strings.HasPrefix(e.Program, "ntt/") && e.Program != "keccak" &&
			!strings.HasPrefix(e.Program, "poseidon2/") && !strings.HasPrefix(e.Program, "quotient/") {
			continue
		}
		code, err := ptx.Read(e)
		if err != nil {
			t.Fatal(err)
		}
		src := string(code)
		heads := ptxFunctionRE.FindAllStringSubmatchIndex(src, -1)
		if len(heads) == 0 {
			t.Fatalf("%s: no function found in its PTX", e.Program)
		}
		for i, h := range heads {
			end := len(src)
			if i+1 < len(heads) {
				end = heads[i+1][0]
			}
			name := src[h[2]:h[3]]
			body := src[h[0]:end]
			if n := strings.Count(body, "ld.local") + strings.Count(body, "st.local"); n > 0 && !exempt[name] {
				t.Errorf("%s: %s has %d local-memory accesses", e.Program, name, n)
			}
		}
		checked[e.Program] = true
	}
	for _, p := range []string{"keccak", "msm/bn254/g1", "msm/bls12-381/g1", "msm/bls12-377/g2", "ntt/bn254", "ntt/goldilocks", "poseidon2/bn254", "quotient/bn254"} {
		if !checked[p] {
			t.Errorf("%s: not in the embedded PTX", p)
		}
	}
}
