package cuda

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/zkaccel/zkaccel/cgo"
)

// NVRTC is the CUDA runtime compiler (libnvrtc), opened at run time: it
// compiles the device source to PTX or, for a given GPU, to a cubin. It
// needs no GPU, so CI compiles every kernel with it.
type NVRTC struct {
	lib *cgo.Library

	version, createProgram, compileProgram, destroyProgram cgo.Func
	getProgramLogSize, getProgramLog, getPTXSize, getPTX   cgo.Func
	getErrorString                                         cgo.Func
	getCUBINSize, getCUBIN                                 cgo.Func // CUDA 11.1+; zero where absent
	numSupportedArchs, supportedArchs                      cgo.Func // CUDA 11.2+; zero where absent

	major, minor int
	archs        []int // the virtual and real architectures it targets, e.g. 70, 75, …, 90

	mu sync.Mutex // one compile at a time: older NVRTC versions are not thread-safe
}

var (
	nvrtcOnce sync.Once
	nvrtcVal  *NVRTC
	nvrtcErr  error
)

// LoadNVRTC opens NVRTC once per process ($ZKACCEL_NVRTC, else the sonames
// of CUDA 13, 12 and 11) and resolves its functions. A machine without it
// returns an error that names every candidate tried.
func LoadNVRTC() (*NVRTC, error) {
	nvrtcOnce.Do(func() { nvrtcVal, nvrtcErr = openNVRTC(nvrtcNames()) })
	return nvrtcVal, nvrtcErr
}

func openNVRTC(names []string) (*NVRTC, error) {
	n := &NVRTC{}
	lib, err := cgo.Bind(names, []cgo.Symbol{
		{Name: "nvrtcVersion", Func: &n.version},
		{Name: "nvrtcCreateProgram", Func: &n.createProgram},
		{Name: "nvrtcCompileProgram", Func: &n.compileProgram},
		{Name: "nvrtcDestroyProgram", Func: &n.destroyProgram},
		{Name: "nvrtcGetProgramLogSize", Func: &n.getProgramLogSize},
		{Name: "nvrtcGetProgramLog", Func: &n.getProgramLog},
		{Name: "nvrtcGetPTXSize", Func: &n.getPTXSize},
		{Name: "nvrtcGetPTX", Func: &n.getPTX},
		{Name: "nvrtcGetErrorString", Func: &n.getErrorString},
	})
	if err != nil {
		return nil, err
	}
	n.lib = lib
	n.getCUBINSize, _ = lib.Lookup("nvrtcGetCUBINSize")
	n.getCUBIN, _ = lib.Lookup("nvrtcGetCUBIN")
	n.numSupportedArchs, _ = lib.Lookup("nvrtcGetNumSupportedArchs")
	n.supportedArchs, _ = lib.Lookup("nvrtcGetSupportedArchs")

	var ps cgo.Pins
	defer ps.Done()
	maj, mnr := ps.Word(0), ps.Word(0)
	if err := n.check("nvrtcVersion", n.call(n.version, cgo.Addr(maj), cgo.Addr(mnr))); err != nil {
		return nil, err
	}
	n.major, n.minor = int(int32(*maj)), int(int32(*mnr))
	if n.numSupportedArchs.Name() != "" && n.supportedArchs.Name() != "" {
		cnt := ps.Word(0)
		if n.check("nvrtcGetNumSupportedArchs", n.call(n.numSupportedArchs, cgo.Addr(cnt))) == nil && *cnt > 0 && *cnt < 1024 {
			buf := make([]byte, 4*int(*cnt))
			if n.check("nvrtcGetSupportedArchs", n.call(n.supportedArchs, ps.Bytes(buf))) == nil {
				for i := 0; i < len(buf); i += 4 {
					n.archs = append(n.archs, int(int32(uint32(buf[i])|uint32(buf[i+1])<<8|uint32(buf[i+2])<<16|uint32(buf[i+3])<<24)))
				}
			}
		}
	}
	if len(n.archs) == 0 {
		// CUDA 11.0 and 11.1 cannot say; they target at least these
		// (11.1 added sm_86).
		n.archs = []int{35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80}
		if n.major == 11 && n.minor >= 1 {
			n.archs = append(n.archs, 86)
		}
	}
	slices.Sort(n.archs)
	return n, nil
}

// Version is NVRTC's version, e.g. "11.8".
func (n *NVRTC) Version() string { return fmt.Sprintf("%d.%d", n.major, n.minor) }

// Archs lists the compute capabilities NVRTC compiles for, as 10·major +
// minor (e.g. 90 for sm_90), ascending.
func (n *NVRTC) Archs() []int { return slices.Clone(n.archs) }

// Library is the name under which NVRTC was opened.
func (n *NVRTC) Library() string { return n.lib.Name() }

// call calls f and returns its nvrtcResult, a C enum: the low 32 bits of
// the return register (the ABI leaves the upper half undefined), or
// callFailed.
func (n *NVRTC) call(f cgo.Func, args ...uintptr) uintptr {
	r, err := f.Call(args...)
	if err != nil {
		return callFailed
	}
	return uintptr(uint32(r))
}

// check turns an nvrtcResult into an error (nil for NVRTC_SUCCESS).
func (n *NVRTC) check(op string, r uintptr) error {
	code := int32(uint32(r))
	if code == 0 {
		return nil
	}
	name := "NVRTC_ERROR"
	if uintptr(code) != callFailed {
		if s, err := n.getErrorString.Call(uintptr(code)); err == nil {
			name = cgo.CStringAt(s, 128)
		}
	}
	return fmt.Errorf("zkaccel/cuda: %s: %s (%d)", op, name, code)
}

// Target is what NVRTC compiles for: Arch is a compute capability as
// 10·major + minor; Cubin selects machine code for exactly that GPU
// (sm_XY), otherwise PTX for the virtual architecture (compute_XY), which
// the driver compiles for any GPU at least as new.
type Target struct {
	Arch  int
	Cubin bool
}

// option is the target's --gpu-architecture option.
func (t Target) option() string {
	if t.Cubin {
		return fmt.Sprintf("--gpu-architecture=sm_%d", t.Arch)
	}
	return fmt.Sprintf("--gpu-architecture=compute_%d", t.Arch)
}

// String is the architecture's name, "sm_90" or "compute_70".
func (t Target) String() string { return strings.TrimPrefix(t.option(), "--gpu-architecture=") }

// compileOptions are the options of every compile besides the target.
var compileOptions = []string{"-default-device", "--std=c++14"}

// maxLog bounds the compiler log kept in an error.
const maxLog = 16 << 10

// Compile compiles complete device source (gpu.Source) for t and returns
// the PTX text (NUL-terminated, as cuModuleLoadData wants it) or the cubin.
// A compile error carries NVRTC's log; name names the program in it.
func (n *NVRTC) Compile(src, name string, t Target) ([]byte, error) {
	if t.Cubin && (n.getCUBIN.Name() == "" || n.getCUBINSize.Name() == "") {
		return nil, fmt.Errorf("zkaccel/cuda: NVRTC %s cannot emit cubins (CUDA 11.1 or newer can)", n.Version())
	}
	if !slices.Contains(n.archs, t.Arch) {
		return nil, fmt.Errorf("zkaccel/cuda: NVRTC %s cannot compile for %s (it targets %v)", n.Version(), t, n.archs)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var ps cgo.Pins
	defer ps.Done()
	prog := ps.Word(0)
	if err := n.check("nvrtcCreateProgram("+name+")", n.call(n.createProgram, cgo.Addr(prog), ps.CString(src), ps.CString(name), 0, 0, 0)); err != nil {
		return nil, err
	}
	defer n.call(n.destroyProgram, cgo.Addr(prog))

	opts := append([]string{t.option()}, compileOptions...)
	ptrs := make([]uintptr, len(opts))
	for i, o := range opts {
		ptrs[i] = ps.CString(o)
	}
	list := ps.Words(ptrs...)
	// NVRTC runs on the calling thread for a long time (seconds): keep the
	// goroutine there so the log and result calls see the same program.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := n.check(fmt.Sprintf("nvrtcCompileProgram(%s, %s)", name, t), n.call(n.compileProgram, *prog, uintptr(len(opts)), cgo.Addrs(list))); err != nil {
		if log := n.log(*prog); log != "" {
			return nil, fmt.Errorf("%w: compiler log:\n%s", err, log)
		}
		return nil, err
	}
	getSize, get, what := n.getPTXSize, n.getPTX, "PTX"
	if t.Cubin {
		getSize, get, what = n.getCUBINSize, n.getCUBIN, "CUBIN"
	}
	size := ps.Word(0)
	if err := n.check("nvrtcGet"+what+"Size", n.call(getSize, *prog, cgo.Addr(size))); err != nil {
		return nil, err
	}
	if *size == 0 || *size > 1<<31 {
		return nil, fmt.Errorf("zkaccel/cuda: NVRTC reports %d bytes of %s for %s", *size, what, name)
	}
	out := make([]byte, *size)
	if err := n.check("nvrtcGet"+what, n.call(get, *prog, ps.Bytes(out))); err != nil {
		return nil, err
	}
	return out, nil
}

// log returns the compiler log of prog, trimmed to maxLog bytes.
func (n *NVRTC) log(prog uintptr) string {
	var ps cgo.Pins
	defer ps.Done()
	size := ps.Word(0)
	if n.check("nvrtcGetProgramLogSize", n.call(n.getProgramLogSize, prog, cgo.Addr(size))) != nil || *size <= 1 {
		return ""
	}
	buf := make([]byte, *size)
	if n.check("nvrtcGetProgramLog", n.call(n.getProgramLog, prog, ps.Bytes(buf))) != nil {
		return ""
	}
	log := strings.TrimSpace(strings.TrimRight(string(buf), "\x00"))
	if len(log) > maxLog {
		log = fmt.Sprintf("%s\n… (%d more bytes of compiler log)", log[:maxLog], len(log)-maxLog)
	}
	return log
}

// bestTarget returns what to compile for a GPU of compute capability cc
// with NVRTC's architectures archs: a cubin for cc itself when NVRTC knows
// it, else PTX for the newest architecture NVRTC knows below cc (the
// driver compiles it for the GPU), else ok = false.
func bestTarget(cc int, archs []int, cubin bool) (Target, bool) {
	if cubin && slices.Contains(archs, cc) {
		return Target{Arch: cc, Cubin: true}, true
	}
	best := 0
	for _, a := range archs {
		if a <= cc && a > best {
			best = a
		}
	}
	if best == 0 {
		return Target{}, false
	}
	return Target{Arch: best}, true
}
