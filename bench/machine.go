package bench

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	gcpu "github.com/consensys/gnark-crypto/utils/cpu"

	"github.com/zkaccel/zkaccel"
)

// modulePath is zkaccel's module path, which [Commit] looks for.
const modulePath = "github.com/zkaccel/zkaccel"

// Host describes the machine this process runs on.
func Host() Machine {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	cpu := zkaccel.HostCPU()
	return Machine{
		Hostname: host,
		OS:       runtime.GOOS,
		Arch:     runtime.GOARCH,
		CPU:      cpu.Name(),
		NumCPU:   runtime.NumCPU(),
		Memory:   cpu.Memory(),
		Features: CPUFeatures(),
	}
}

// CPUFeatures lists the CPU extensions that gnark-crypto's field
// arithmetic uses on this machine, as it detects them: "adx" (its
// multiplication's assembly), "avx512" (vectorised sums and inner products)
// and "avx512ifma" (vectorised multiplications, which the PLONK prover's
// host steps use). The CPU rows of a benchmark depend on them, so a file
// records them.
func CPUFeatures() []string {
	var f []string
	for _, x := range []struct {
		name string
		on   bool
	}{{"adx", gcpu.SupportADX}, {"avx512", gcpu.SupportAVX512}, {"avx512ifma", gcpu.SupportAVX512IFMA}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return f
}

// Describe returns the description of d that a [File] records.
func Describe(d zkaccel.Device) DeviceInfo {
	info := DeviceInfo{Spec: d.String(), Kind: string(d.Kind()), Name: d.Name(), Memory: d.Memory()}
	if dr, ok := d.(interface{ Driver() string }); ok {
		info.Driver = dr.Driver()
	}
	if f, ok := d.(interface{ Forms() (string, error) }); ok {
		if forms, err := f.Forms(); err == nil {
			info.Forms = forms
		}
	}
	if s, ok := d.(zkaccel.SensorDevice); ok {
		if t, err := s.Telemetry(); err == nil {
			info.Telemetry = &t
		}
	}
	return info
}

// Settings returns the ZKACCEL_* environment variables that are set and not
// empty, by name (nil where there are none): what a bench file records of
// the settings it was measured under.
func Settings() map[string]string {
	var env map[string]string
	for _, kv := range os.Environ() {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "ZKACCEL_") || v == "" {
			continue
		}
		if env == nil {
			env = map[string]string{}
		}
		env[k] = v
	}
	return env
}

// Commit returns the zkaccel commit the running binary was built from, as
// precisely as it can be told, or "unknown":
//
//   - the VCS revision Go stamped into the binary (with "-dirty" for a
//     modified tree), when zkaccel is the main module and was built with VCS
//     stamping;
//   - the module version (a tag or a pseudo-version, which names the
//     commit), when zkaccel was built as a versioned module, e.g. by
//     `go install …@version` or as a dependency;
//   - otherwise, when the working directory lies inside a git checkout of
//     zkaccel (as under `go run` or `go test` with -buildvcs=false), the
//     checkout's HEAD (with "-dirty" when tracked files are modified).
func Commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := buildInfoCommit(bi); v != "" {
			return v
		}
	}
	if v := gitCommit(); v != "" {
		return v
	}
	return "unknown"
}

// buildInfoCommit finds zkaccel's revision or version in a binary's build
// information, or returns "".
func buildInfoCommit(bi *debug.BuildInfo) string {
	if bi.Main.Path == modulePath {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if modified == "true" {
				rev += "-dirty"
			}
			return rev
		}
		return moduleVersion(&bi.Main)
	}
	for _, m := range bi.Deps {
		if m.Path == modulePath {
			return moduleVersion(m)
		}
	}
	return ""
}

// moduleVersion returns m's version when it names a release or a commit.
func moduleVersion(m *debug.Module) string {
	if m.Replace != nil {
		m = m.Replace
	}
	if m.Version == "" || m.Version == "(devel)" {
		return ""
	}
	return m.Version
}

// gitCommit returns HEAD of the zkaccel checkout that holds the working
// directory, or "".
func gitCommit() string {
	root := moduleRoot()
	if root == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	if rev == "" {
		return ""
	}
	status, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(status))) > 0 {
		rev += "-dirty"
	}
	return rev
}

// moduleRoot returns the directory, at or above the working directory, whose
// go.mod declares zkaccel's module, or "".
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if declaresModule(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// declaresModule reports whether the go.mod file gomod declares zkaccel's
// module.
func declaresModule(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == modulePath
		}
	}
	return false
}
