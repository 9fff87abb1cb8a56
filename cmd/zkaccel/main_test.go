package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench"
	"github.com/zkaccel/zkaccel/bench/conformance"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// testDev is a device whose NTT and Keccak-256 compute nothing (wrong
// answers), whose Keccak-f[1600] reports ErrUnsupported, and which has no
// MSM, Poseidon or Merkle tree (all of which fall back to the CPU).
type testDev struct{ kind zkaccel.Kind }

func (d *testDev) Kind() zkaccel.Kind                { return d.kind }
func (d *testDev) Ordinal() int                      { return 0 }
func (d *testDev) Name() string                      { return "Broken Test Accelerator" }
func (d *testDev) String() string                    { return string(d.kind) + ":0" }
func (d *testDev) Memory() uint64                    { return 3 << 30 }
func (d *testDev) NTT(req *zkaccel.NTTRequest) error { return nil }
func (d *testDev) Keccak256(req *zkaccel.KeccakRequest) error {
	return nil
}
func (d *testDev) KeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	return fmt.Errorf("zkaccel/%s: keccak-f1600: %w", d.kind, zkaccel.ErrUnsupported)
}

// testBackend registers one testDev, or fails to load with err.
type testBackend struct {
	kind zkaccel.Kind
	err  error
}

func (b testBackend) Kind() zkaccel.Kind { return b.kind }
func (b testBackend) Devices() ([]zkaccel.Device, error) {
	if b.err != nil {
		return nil, b.err
	}
	return []zkaccel.Device{&testDev{b.kind}}, nil
}

func init() {
	zkaccel.Register(testBackend{kind: "wrongdev"})
	zkaccel.Register(testBackend{kind: "brokendev", err: errors.New("libbroken.so.1: cannot open shared object file")})
}

// zk runs the command line in-process.
func zk(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func wantCode(t *testing.T, args []string, code, want int, stderr string) {
	t.Helper()
	if code != want {
		t.Errorf("zkaccel %s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), code, want, stderr)
	}
}

func TestUsage(t *testing.T) {
	code, out, errs := zk(t)
	wantCode(t, nil, code, 2, errs)
	if out != "" || !strings.Contains(errs, "usage: zkaccel COMMAND") {
		t.Errorf("no arguments: stdout %q, stderr %q", out, errs)
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errs := zk(t, args...)
		wantCode(t, args, code, 0, errs)
		for _, c := range []string{"devices", "conformance", "bench", "report"} {
			if !strings.Contains(out, "  "+c+" ") {
				t.Errorf("%v: usage lacks %s:\n%s", args, c, out)
			}
		}
	}
	code, _, errs = zk(t, "frobnicate")
	wantCode(t, []string{"frobnicate"}, code, 2, errs)
	if !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: stderr %q", errs)
	}
	code, _, errs = zk(t, "help", "frobnicate")
	wantCode(t, []string{"help", "frobnicate"}, code, 2, errs)
}

func TestCommandHelp(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"devices":     nil,
		"conformance": {"-device", "-ops", "-long", "-seed", "-run"},
		"bench":       {"-device", "-ops", "-sizes", "-curves", "-fields", "-group", "-runs", "-json", "-md", "-seed", "-max-time"},
		"report":      {"-md", "-svg", "-targets"},
	} {
		for _, args := range [][]string{{"help", cmd}, {cmd, "-h"}, {cmd, "--help"}} {
			code, out, errs := zk(t, args...)
			wantCode(t, args, code, 0, errs)
			help := out + errs
			if !strings.Contains(help, "usage: zkaccel "+cmd) {
				t.Errorf("%v: no usage line:\n%s", args, help)
			}
			for _, f := range flags {
				if !regexp.MustCompile(`(?m)^  ` + f + `\b`).MatchString(help) {
					t.Errorf("%v: help lacks %s", args, f)
				}
			}
		}
	}
}

func TestDevices(t *testing.T) {
	code, out, errs := zk(t, "devices")
	wantCode(t, []string{"devices"}, code, 0, errs)
	lines := strings.Split(out, "\n")
	if f := strings.Fields(lines[0]); !slices.Equal(f, []string{"SPEC", "KIND", "NAME", "MEMORY"}) {
		t.Errorf("header %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "cpu:0 ") || !strings.Contains(lines[1], zkaccel.HostCPU().Name()) {
		t.Errorf("first device %q, want cpu:0", lines[1])
	}
	for _, want := range []string{
		"wrongdev:0", "Broken Test Accelerator", "3.0 GiB",
		"wrongdev: 1 device(s)",
		"brokendev: no device: zkaccel/brokendev: libbroken.so.1: cannot open shared object file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("devices output lacks %q:\n%s", want, out)
		}
	}
	// The CUDA, OpenCL and FPGA backends are built in: each lists its devices, or
	// says why it has none (no library, no platform, no GPU). Where
	// ZKACCEL_REQUIRE names the kind, it must list at least one, and the
	// table and the drivers must show its device 0 (a GPU runtime's with
	// the forms its programs are compiled in).
	for _, kind := range []string{"cuda", "opencl", "fpga"} {
		line := regexp.MustCompile(`(?m)^  ` + kind + `: (\d+ device\(s\)|no device: .+|loaded, but found no device)$`).FindStringSubmatch(out)
		has := line != nil && strings.HasSuffix(line[1], "device(s)")
		switch {
		case line == nil:
			t.Errorf("devices output has no %s backend line:\n%s", kind, out)
		case requireKind(kind) && !has:
			t.Errorf("ZKACCEL_REQUIRE names %s, but %q:\n%s", kind, line[0], out)
		case has && !regexp.MustCompile(`(?m)^`+kind+`:0 +`+kind+` +\S`).MatchString(out):
			t.Errorf("%s has devices, but the table lists no %s:0:\n%s", kind, kind, out)
		case has && !regexp.MustCompile(`(?m)^drivers:\n(  .+\n)*  `+kind+`:0: \S`).MatchString(out):
			t.Errorf("%s has devices, but no driver line for %s:0:\n%s", kind, kind, out)
		case has && kind != "fpga" && !regexp.MustCompile(`(?m)^  `+kind+`:0:.*\n    programs: field multiplication: \S`).MatchString(out):
			t.Errorf("%s has devices, but no line for the forms of %s:0's programs:\n%s", kind, kind, out)
		}
	}
	// The default device, last: the automatic choice, or the variable's.
	if !regexp.MustCompile(`(?m)^default: \S+:\d+ \(automatic: .+\)\n$`).MatchString(out) && os.Getenv(zkaccel.EnvDevice) == "" {
		t.Errorf("devices output does not end with the automatic default:\n%s", out)
	}
	t.Setenv(zkaccel.EnvDevice, "cpu")
	_, out, _ = zk(t, "devices")
	if !strings.HasSuffix(out, "\ndefault: cpu:0 (ZKACCEL_DEVICE)\n") {
		t.Errorf("with ZKACCEL_DEVICE=cpu, devices output ends:\n%s", out[max(0, len(out)-200):])
	}
	code, _, errs = zk(t, "devices", "extra")
	wantCode(t, []string{"devices", "extra"}, code, 2, errs)
}

// requireKind reports whether ZKACCEL_REQUIRE names a device of kind.
func requireKind(kind string) bool {
	specs, _ := devtest.Require()
	for _, s := range specs {
		if s == kind || strings.HasPrefix(s, kind+":") {
			return true
		}
	}
	return false
}

// expectedCases lists the short cases of op whose full name matches re.
func expectedCases(op, re string) []string {
	var out []string
	for _, c := range conformance.Cases(true, op) {
		if regexp.MustCompile(re).MatchString(c.FullName()) {
			out = append(out, c.FullName())
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	// A small set: the babybear NTT cases, whose fields are cheapest.
	const filter = "babybear"
	want := expectedCases("ntt", filter)
	args := []string{"conformance", "--ops", "ntt", "--device", "cpu", "--seed", "5", "--run", filter}
	code, out, errs := zk(t, args...)
	if f := strings.Fields(strings.SplitN(out, "\n", 2)[0]); !slices.Equal(f, []string{"CASE", "DEVICE", "RESULT", "TIME", "ERROR"}) {
		t.Errorf("table header %q", f)
	}
	if !strings.Contains(errs, "seed 5") || !strings.Contains(out, "(seed 5)") {
		t.Errorf("seed not printed: stdout %q, stderr %q", out, errs)
	}
	if len(want) == 0 {
		t.Logf("no ntt cases match %q yet; checking the empty suite is an error", filter)
		wantCode(t, args, code, 1, errs)
		if !strings.Contains(errs, "no conformance cases to run") {
			t.Errorf("stderr %q", errs)
		}
		return
	}
	wantCode(t, args, code, 0, errs)
	for _, name := range want {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+cpu:0\s+ok\s`).MatchString(out) {
			t.Errorf("table lacks an ok row for %s:\n%s", name, out)
		}
	}
	if !strings.Contains(out, "passed, 0 failed (seed 5)") {
		t.Errorf("no summary:\n%s", out)
	}

	// The same cases on a device that computes nothing must fail.
	args = []string{"conformance", "--ops", "ntt", "--device", "wrongdev:0", "--seed", "5", "--run", regexp.QuoteMeta(want[len(want)-1]) + "$"}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 1, errs)
	if !regexp.MustCompile(`(?m)\swrongdev:0\s+FAIL\s`).MatchString(out) || !strings.Contains(errs, "checks failed") {
		t.Errorf("wrong device not failed:\nstdout %s\nstderr %s", out, errs)
	}

	// A device that lacks the op passes by a CPU fallback, and says so.
	args = []string{"conformance", "--ops", "msm", "--device", "wrongdev:0", "--seed", "5", "--run", "^msm/bn254/g1/random/n=2$"}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if !regexp.MustCompile(`(?m)\swrongdev:0\s+ok \(cpu fallback\)\s`).MatchString(out) ||
		!strings.Contains(out, "1 passed (1 of them by a CPU fallback") {
		t.Errorf("fallback not reported:\nstdout %s\nstderr %s", out, errs)
	}
}

func TestConformanceBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--device", "nosuch:0"}, 1, "present: cpu:0"},
		{[]string{"--device", "cpu:3"}, 1, "cpu:0"},
		{[]string{"--device", "brokendev"}, 1, "libbroken.so.1"},
		{[]string{"--ops", "msm,foo"}, 1, `unknown value "foo" (known: msm, ntt`},
		{[]string{"--run", "("}, 1, "--run"},
		{[]string{"--run", "^no such case$"}, 1, "no conformance cases to run"},
		{[]string{"--seed", "x"}, 2, "invalid value"},
		{[]string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
	} {
		args := append([]string{"conformance"}, tc.args...)
		code, _, errs := zk(t, args...)
		wantCode(t, args, code, tc.code, errs)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("zkaccel %s: stderr %q lacks %q", strings.Join(args, " "), errs, tc.want)
		}
	}
}

func TestBenchAndReport(t *testing.T) {
	dir := t.TempDir()
	jsonFile, mdFile := filepath.Join(dir, "b.json"), filepath.Join(dir, "b.md")
	args := []string{"bench", "--device", "cpu", "--ops", "msm,ntt", "--sizes", "3:4", "--fields", "goldilocks", "--runs", "1", "--json", jsonFile, "--md", mdFile}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "OP ") {
		t.Fatalf("bench table: want a header and 4 rows:\n%s", out)
	}
	for i, want := range []string{`msm g1\s+bn254\s+2\^3\s+cpu:0`, `msm g1\s+bn254\s+2\^4\s+cpu:0`, `ntt fft-dif\s+goldilocks\s+2\^3\s+cpu:0`, `ntt fft-dif\s+goldilocks\s+2\^4\s+cpu:0`} {
		if !regexp.MustCompile(`^` + want + `\s.*\s1\s+1\.00×$`).MatchString(lines[i+1]) {
			t.Errorf("row %d = %q, want %s … 1 1.00×", i+1, lines[i+1], want)
		}
	}
	for _, want := range []string{"msm bn254 g1 2^3: drawing inputs", "wrote " + jsonFile, "wrote " + mdFile} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	f, err := bench.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 4 || f.Runs != 1 || f.Seed != 1 || !slices.Equal(f.Command, append([]string{"zkaccel"}, args...)) {
		t.Errorf("JSON: %d results, runs %d, seed %d, command %q", len(f.Results), f.Runs, f.Seed, f.Command)
	}
	md, err := os.ReadFile(mdFile)
	if err != nil || !strings.Contains(string(md), "| machine | device | op |") || !strings.Contains(string(md), "| goldilocks | 2^4 |") {
		t.Errorf("bench --md: %v\n%s", err, md)
	}

	// Report on that file, twice (as if from two machines).
	reportMD, svgFile := filepath.Join(dir, "r.md"), filepath.Join(dir, "r.svg")
	args = []string{"report", jsonFile, "--md", reportMD, "--svg", svgFile, jsonFile}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if out != "" || !strings.Contains(errs, "wrote chart to "+svgFile) || !strings.Contains(errs, "wrote Markdown to "+reportMD) {
		t.Errorf("report: stdout %q, stderr %q", out, errs)
	}
	md, err = os.ReadFile(reportMD)
	host := bench.MachineLabels([]*bench.File{f})[0]
	if err != nil || strings.Count(string(md), "| cpu:0 | msm g1 | bn254 | 2^3 |") != 2 || !strings.Contains(string(md), "| "+host+" (2) | cpu:0 |") {
		t.Errorf("report markdown: %v\n%s", err, md)
	}
	svg, err := os.ReadFile(svgFile)
	s := string(svg)
	if err != nil || !(strings.HasPrefix(s, "<?xml") || strings.HasPrefix(s, "<svg")) || !strings.Contains(s, "cpu:0") || !strings.Contains(s, "goldilocks") {
		t.Errorf("report SVG: %v\n%.400s", err, s)
	}

	// The speed targets against that file: none measured on a GPU there.
	code, out, errs = zk(t, "report", "--targets", jsonFile)
	wantCode(t, []string{"report", "--targets"}, code, 0, errs)
	if !strings.HasPrefix(out, "| target | machine, device | bound | measured | met | device time per call |") || !strings.Contains(out, "| MSM G1 BN254 2^24 | - | ≤ 100 ms | not measured | - | - |") {
		t.Errorf("report --targets: stdout %q, stderr %q", out, errs)
	}
	// … with each file's settings named below the table.
	f.Env = map[string]string{"ZKACCEL_GPU_SQR": "0"}
	knobFile := filepath.Join(dir, "knob.json")
	if err := f.WriteFile(knobFile); err != nil {
		t.Fatal(err)
	}
	code, out, errs = zk(t, "report", "--targets", jsonFile, knobFile)
	wantCode(t, []string{"report", "--targets"}, code, 0, errs)
	if want := "Settings of " + host + " (2) (" + f.Date + "): `ZKACCEL_GPU_SQR=0`"; !strings.Contains(out, want) {
		t.Errorf("report --targets lacks %q: stdout %q, stderr %q", want, out, errs)
	}

	// Markdown to stdout by default, and no chart with --svg "".
	code, out, errs = zk(t, "report", "--svg", "", jsonFile)
	wantCode(t, []string{"report"}, code, 0, errs)
	if !strings.HasPrefix(out, "### Machines") || strings.Contains(errs, "chart") {
		t.Errorf("report to stdout: stdout %q, stderr %q", out, errs)
	}
}

func TestBenchFallbackAndFailure(t *testing.T) {
	// wrongdev has no MSM (falls back) and a wrong NTT (fails).
	args := []string{"bench", "--device", "wrongdev:0", "--sizes", "2", "--runs", "1"}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 1, errs)
	for _, want := range []string{"wrongdev:0 (fell back to cpu)", "FAILED", "differs from the cpu's", "fell back to cpu: zkaccel/wrongdev"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "some measurements failed") {
		t.Errorf("stderr %q", errs)
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sizes", "20:10"}, 1, "runs backwards"},
		{[]string{"--sizes", "x"}, 1, `"x" is not a log2 size`},
		{[]string{"--ops", "groth16", "--constraints", "2^y"}, 1, `--constraints: sizes "y"`},
		{[]string{"--sizes", "29"}, 1, "out of range [0, 28]"},
		{[]string{"--sizes", "10:40"}, 1, "out of range [0, 28]"},
		{[]string{"--sizes", ""}, 1, "empty size list"},
		{[]string{"--ops", "sha256"}, 1, `--ops: unknown value "sha256" (known: msm, ntt, poseidon, poseidon2, keccak, groth16, plonk)`},
		{[]string{"--ops", "poseidon", "--fields", "babybear"}, 1, "poseidon: no target among the fields babybear (its targets: bn254, goldilocks)"},
		{[]string{"--curves", "secp256k1"}, 1, `--curves: unknown value "secp256k1"`},
		{[]string{"--fields", "m31"}, 1, `--fields: unknown value "m31"`},
		{[]string{"--group", "g3"}, 1, `unknown group "g3"`},
		{[]string{"--scalars", "ones"}, 1, `--scalars: unknown distribution "ones" (known: uniform, bits)`},
		{[]string{"--cpu", "skip"}, 1, `--cpu: unknown role "skip" (known: measure, check)`},
		{[]string{"--cpu", "check", "--device", "cpu:0", "--sizes", "3"}, 1, "the CPU in check mode (check) and no other device: nothing would be timed"},
		{[]string{"--ops", "groth16", "--in-flight", "0"}, 1, "--in-flight: 0 proofs: want 1 to 64"},
		{[]string{"--ops", "plonk", "--in-flight", "65"}, 1, "--in-flight: 65 proofs: want 1 to 64"},
		{[]string{"--ops", "msm", "--in-flight", "2"}, 1, "--in-flight: applies to the proof ops (groth16, plonk), and --ops names none"},
		{[]string{"--runs", "0"}, 1, "--runs"},
		{[]string{"--max-time", "-1s"}, 1, "--max-time"},
		{[]string{"--runs", "many"}, 2, "invalid value"},
		{[]string{"--device", "tpu:0"}, 1, `unknown or unregistered device kind "tpu"`},
		{[]string{"--ops", "ntt", "--fields", "koalabear", "--sizes", "25"}, 1, "largest power-of-two domain is 2^24"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--sizes", "2", "--runs", "1", "--device", "cpu", "--json", filepath.Join(t.TempDir(), "no", "such", "dir.json")}, 1, "no such file or directory"},
	} {
		args := append([]string{"bench"}, tc.args...)
		code, _, errs := zk(t, args...)
		wantCode(t, args, code, tc.code, errs)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("zkaccel %s: stderr %q lacks %q", strings.Join(args, " "), errs, tc.want)
		}
	}
}

func TestReportBadInputs(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte("<html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"schema": 1, "results": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no input files"},
		{[]string{filepath.Join(dir, "missing.json")}, 1, "missing.json: no such file"},
		{[]string{garbage}, 1, "garbage.json: not a bench JSON file"},
		{[]string{"--svg", filepath.Join(dir, "e.svg"), empty}, 1, "no successful measurements"},
		{[]string{"--bogus", garbage}, 2, "flag provided but not defined"},
	} {
		args := append([]string{"report"}, tc.args...)
		code, _, errs := zk(t, args...)
		wantCode(t, args, code, tc.code, errs)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("zkaccel %s: stderr %q lacks %q", strings.Join(args, " "), errs, tc.want)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	fs := newFlags("x", "", "", &bytes.Buffer{})
	md := fs.String("md", "", "")
	pos, done, _ := parse(fs, []string{"a.json", "--md", "out.md", "b.json", "--", "--c.json"})
	if done || *md != "out.md" || !slices.Equal(pos, []string{"a.json", "b.json", "--c.json"}) {
		t.Errorf("parse: pos %q, md %q, done %v", pos, *md, done)
	}
}

func TestInvalidDefaultDeviceIsReported(t *testing.T) {
	t.Setenv("ZKACCEL_DEVICE", "nonsense:3")
	for _, args := range [][]string{
		{"bench", "--ops", "ntt", "--sizes", "4:4", "--runs", "1"},
		{"conformance", "--ops", "ntt"},
	} {
		var out, errb strings.Builder
		if code := run(args, &out, &errb); code == 0 {
			t.Errorf("%v with ZKACCEL_DEVICE=nonsense:3 exited 0; want a failure", args)
		}
		if !strings.Contains(errb.String(), "ZKACCEL_DEVICE") {
			t.Errorf("%v: stderr %q does not name ZKACCEL_DEVICE", args, errb.String())
		}
	}
}

func TestHelpTexts(t *testing.T) {
	_, out, _ := zk(t, "help", "bench")
	for _, want := range []string{"poseidon2", "keccak", "--ops defaults to msm,ntt", "-ops ops\n", "(default msm,ntt)", "default 10:16 for msm and ntt, 10:16 for the hash ops"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench help lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = zk(t, "help", "conformance")
	for _, want := range []string{"gnark-crypto", "golang.org/x/crypto/sha3", "circomlib", "Polygon Hermez", "msm,ntt,poseidon,poseidon2,keccak"} {
		if !strings.Contains(out, want) {
			t.Errorf("conformance help lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchHashes(t *testing.T) {
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "h.json")
	args := []string{"bench", "--device", "cpu", "--ops", "poseidon,poseidon2,keccak", "--sizes", "2:3", "--runs", "1", "--json", jsonFile}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if f := strings.Fields(lines[0]); !slices.Equal(f, []string{"OP", "CURVE/FIELD", "SIZE", "DEVICE", "MEDIAN", "MIN", "MAX", "RUNS", "ITEMS/S", "SPEED-UP", "VS", "CPU"}) {
		t.Errorf("header %q", lines[0])
	}
	var rows []string
	for _, w := range []string{
		`poseidon circom-2\s+bn254`, `poseidon hermez\s+goldilocks`,
		`poseidon2 t=3\s+bn254`, `poseidon2 t=8\s+goldilocks`, `poseidon2 t=16\s+babybear`, `poseidon2 t=16\s+koalabear`, `poseidon2 merkle\s+bn254`,
		`keccak sum256-64B\s+keccak256`, `keccak f1600\s+keccak256`, `keccak merkle\s+keccak256`,
	} {
		rows = append(rows, w+`\s+2\^2\s`, w+`\s+2\^3\s`)
	}
	if len(lines) != 1+len(rows) {
		t.Fatalf("bench table: want a header and %d rows:\n%s", len(rows), out)
	}
	for i, want := range rows {
		if !regexp.MustCompile(`^` + want + `\s*cpu:0\s.*\s1\s+[0-9.]+( [kMG])?\s+1\.00×$`).MatchString(lines[i+1]) {
			t.Errorf("row %d = %q, want %s … cpu:0 … 1 <items/s> 1.00×", i+1, lines[i+1], want)
		}
	}
	f, err := bench.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Results {
		if r.ItemsPerSecond <= 0 {
			t.Errorf("%s: items_per_second %v", r.Key(), r.ItemsPerSecond)
		}
	}
	code, md, errs := zk(t, "report", "--svg", "", jsonFile)
	wantCode(t, []string{"report"}, code, 0, errs)
	if !strings.Contains(md, "| median | items/s | speed-up vs cpu |") || !strings.Contains(md, "| cpu:0 | keccak f1600 | keccak256 | 2^3 |") {
		t.Errorf("report markdown:\n%s", md)
	}
}

func TestBenchHashFallbackAndFailure(t *testing.T) {
	// wrongdev has no Poseidon or Merkle tree and no Keccak-f[1600] (they
	// fall back) and a wrong Keccak-256 (fails).
	args := []string{"bench", "--device", "wrongdev:0", "--ops", "poseidon,keccak", "--sizes", "2", "--runs", "1"}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 1, errs)
	for _, re := range []string{
		`(?m)^poseidon circom-2\s+bn254\s+2\^2\s+wrongdev:0 \(fell back to cpu\)\s`,
		`(?m)^poseidon hermez\s+goldilocks\s+2\^2\s+wrongdev:0 \(fell back to cpu\)\s`,
		`(?m)^keccak sum256-64B\s+keccak256\s+2\^2\s+wrongdev:0\s+FAILED\s`,
		`(?m)^keccak f1600\s+keccak256\s+2\^2\s+wrongdev:0 \(fell back to cpu\)\s`,
		`(?m)^keccak merkle\s+keccak256\s+2\^2\s+wrongdev:0 \(fell back to cpu\)\s`,
		`error: keccak keccak256 sum256-64B on wrongdev:0: the result differs from the cpu's`,
		`wrongdev:0 fell back to cpu: zkaccel/wrongdev: keccak-f1600: `,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("bench table lacks %s:\n%s", re, out)
		}
	}
	if !strings.Contains(errs, "some measurements failed") {
		t.Errorf("stderr %q", errs)
	}
}

func TestConformanceHashes(t *testing.T) {
	// The known-answer cases and the smallest batches of each hash op.
	const filter = `(/kat|/n=1|/n=2)$`
	var want []string
	for _, op := range []string{"poseidon", "poseidon2", "keccak"} {
		want = append(want, expectedCases(op, filter)...)
	}
	if len(want) == 0 {
		t.Fatal("no hash conformance cases")
	}
	args := []string{"conformance", "--ops", "poseidon,poseidon2,keccak", "--device", "cpu", "--seed", "5", "--run", filter}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	for _, name := range want {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+cpu:0\s+ok\s`).MatchString(out) {
			t.Errorf("table lacks an ok row for %s:\n%s", name, out)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("%d passed, 0 failed (seed 5)", len(want))) {
		t.Errorf("summary: want %d passed:\n%s", len(want), out)
	}
	// Keccak-256 on a device that computes nothing must fail.
	args = []string{"conformance", "--ops", "keccak", "--device", "wrongdev:0", "--seed", "5", "--run", "sum256/kat$"}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 1, errs)
	if !regexp.MustCompile(`(?m)^keccak/sum256/kat\s+wrongdev:0\s+FAIL\s`).MatchString(out) {
		t.Errorf("wrong device not failed:\nstdout %s\nstderr %s", out, errs)
	}
}

// TestTune tunes POCL's device on a small Goldilocks NTT: the crossovers are
// printed and written, and the automatic choice still never picks POCL.
func TestTune(t *testing.T) {
	dev, err := zkaccel.Open("opencl:0")
	if err != nil {
		devtest.Absent(t, zkaccel.OpenCL, err.Error())
	}
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	t.Setenv(zkaccel.EnvDevice, "")
	zkaccel.ForgetCrossovers()
	t.Cleanup(zkaccel.ForgetCrossovers)
	args := []string{"tune", "--device", "opencl:0", "--ops", "ntt", "--fields", "goldilocks", "--sizes", "4,6", "--runs", "1", "--max-time", "1s"}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	for _, want := range []string{"opencl:0 (", "ntt goldilocks fft ", "ntt goldilocks fft-inverse", "2^4 ", "wrote ", "never chosen automatically"} {
		if !strings.Contains(out, want) {
			t.Errorf("tune output lacks %q:\n%s", want, out)
		}
	}
	c, err := zkaccel.LoadCrossovers(dev)
	if err != nil || c == nil || c.Kind != zkaccel.OpenCL || c.Date == "" || !strings.Contains(c.Machine, " threads, ") {
		t.Fatalf("LoadCrossovers = %+v, %v", c, err)
	}
	if d, _ := zkaccel.LookupDefault(); d.Kind() != zkaccel.CPU && !zkaccel.AutoCandidate(d) {
		t.Errorf("the automatic choice picked %v", d)
	}

	// --from: the same from a bench file, and a file from another machine.
	jsonPath := filepath.Join(t.TempDir(), "b.json")
	bargs := []string{"bench", "--device", "opencl:0", "--ops", "ntt", "--fields", "goldilocks", "--sizes", "4,6", "--runs", "1", "--json", jsonPath}
	code, _, errs = zk(t, bargs...)
	wantCode(t, bargs, code, 0, errs)
	// The OpenCL rows list their kernels, which add up to the compute time.
	bf, err := bench.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range bf.Results {
		if r.Device != "opencl:0" {
			continue
		}
		var sum time.Duration
		for _, k := range r.Kernels {
			if !strings.HasPrefix(k.Name, "ntt_") || k.Launches <= 0 || k.Time <= 0 {
				t.Errorf("%s: kernel %+v", r.Key(), k)
			}
			sum += k.Time
		}
		if len(r.Kernels) == 0 || sum < r.Compute-time.Duration(len(r.Kernels)) || sum > r.Compute+time.Duration(len(r.Kernels)) {
			t.Errorf("%s: kernels %+v add up to %v, compute %v", r.Key(), r.Kernels, sum, r.Compute)
		}
	}
	fargs := []string{"tune", "--from", jsonPath, "--dry-run"}
	code, out, errs = zk(t, fargs...)
	wantCode(t, fargs, code, 0, errs)
	if !strings.Contains(out, "ntt goldilocks fft ") || strings.Contains(out, "wrote") {
		t.Errorf("tune --from output:\n%s", out)
	}
	if strings.Contains(errs, "note:") {
		t.Errorf("tune --from under the bench's own settings noted: %s", errs)
	}
	// Under other settings than the bench's, tune says so (and goes on).
	t.Setenv("ZKACCEL_MSM_WINDOW", "9")
	code, _, errs = zk(t, fargs...)
	wantCode(t, fargs, code, 0, errs)
	if !strings.Contains(errs, "note: "+jsonPath+" was measured under ZKACCEL_* settings") || !strings.Contains(errs, "ZKACCEL_MSM_WINDOW:9") {
		t.Errorf("tune --from under a new knob: stderr %q, want a note naming it", errs)
	}
	t.Setenv("ZKACCEL_MSM_WINDOW", "")
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(other, []byte(strings.ReplaceAll(string(raw), dev.Name(), "Some Other GPU")), 0o644); err != nil {
		t.Fatal(err)
	}
	fargs = []string{"tune", "--from", other}
	code, _, errs = zk(t, fargs...)
	wantCode(t, fargs, code, 1, errs)
	if !strings.Contains(errs, "only for the machine that measured them") {
		t.Errorf("stderr %q", errs)
	}
}

// TestTuneNoWins: a device that computes wrong answers or lacks the ops
// gets no crossover; its file is written empty (and the automatic choice
// ignores it), or not at all with --dry-run.
func TestTuneNoWins(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, dir)
	t.Setenv(zkaccel.EnvDevice, "")
	zkaccel.ForgetCrossovers()
	t.Cleanup(zkaccel.ForgetCrossovers)
	dev, err := zkaccel.Open("wrongdev:0")
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"tune", "--device", "wrongdev:0", "--ops", "ntt,keccak", "--fields", "goldilocks", "--sizes", "2", "--runs", "1"}
	args := append(base, "--dry-run")
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if !strings.Contains(out, "none: stays on the cpu") || strings.Contains(out, "wrote") {
		t.Errorf("--dry-run output:\n%s", out)
	}
	if c, _ := zkaccel.LoadCrossovers(dev); c != nil {
		t.Errorf("--dry-run wrote %+v", c)
	}
	code, out, errs = zk(t, base...)
	wantCode(t, base, code, 0, errs)
	if !strings.Contains(errs, "some measurements failed") || !strings.Contains(out, "wrote") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
	c, err := zkaccel.LoadCrossovers(dev)
	if err != nil || c == nil || len(c.Ops) != 0 {
		t.Errorf("crossovers %+v, %v; want an empty set", c, err)
	}
	if d, _ := zkaccel.LookupDefault(); d == dev {
		t.Error("the automatic choice picked a device without crossovers")
	}
}

func TestTuneBadFlags(t *testing.T) {
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--ops", "groth16"}, 1, `--ops: unknown value "groth16"`},
		{[]string{"--sizes", "x"}, 1, `"x" is not a log2 size`},
		{[]string{"--group", "g3"}, 1, `unknown group "g3"`},
		{[]string{"--runs", "0"}, 1, "--runs"},
		{[]string{"--max-time", "0s"}, 1, "--max-time"},
		{[]string{"--device", "tpu:0"}, 1, `unknown or unregistered device kind "tpu"`},
		{[]string{"--device", "cpu"}, 1, "no device to tune"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
	} {
		args := append([]string{"tune"}, tc.args...)
		code, _, errs := zk(t, args...)
		wantCode(t, args, code, tc.code, errs)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("zkaccel %s: stderr %q lacks %q", strings.Join(args, " "), errs, tc.want)
		}
	}
}

// TestWarmup compiles every program for opencl:0 with progress on stderr,
// and checks the errors of a bad command line.
func TestWarmup(t *testing.T) {
	if _, err := zkaccel.Open("opencl:0"); err != nil {
		devtest.Absent(t, zkaccel.OpenCL, err.Error())
	}
	args := []string{"warmup", "--device", "opencl:0"}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	n := len(gpu.Programs())
	if !strings.Contains(out, "opencl:0: every program ready in ") || !strings.Contains(errs, fmt.Sprintf("warmup opencl:0: load %d/%d", n, n)) {
		t.Errorf("warmup output:\n%s\nstderr:\n%s", out, errs)
	}
	// Some programs only: what the output names, and the load count.
	args = []string{"warmup", "--device", "opencl:0", "--programs", "ntt/bn254,keccak"}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if !strings.Contains(out, "opencl:0: 2 programs (keccak, ntt/bn254) ready in ") || !strings.Contains(errs, "warmup opencl:0: load 2/2") {
		t.Errorf("warmup --programs output:\n%s\nstderr:\n%s", out, errs)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"warmup", "--device", "opencl:0", "--programs", "msm/bn254/g3"}, 1, `--programs: gpu: no device program is or starts with "msm/bn254/g3" (programs: keccak, msm/bls12-377/g1`},
		{[]string{"warmup", "--device", "nosuch:0"}, 1, `--device nosuch:0`},
		{[]string{"warmup", "extra"}, 2, "unexpected argument"},
		{[]string{"warmup", "--device", "cpu:0"}, 0, "cpu:0: nothing to compile"},
	} {
		code, out, errs := zk(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.msg) {
			t.Errorf("%v: exit %d, want %d, with %q in:\n%s%s", c.args, code, c.code, c.msg, out, errs)
		}
	}
}

// TestBenchPrepareOnly: bench --prepare-only sets the proof ops up (into
// the set-up cache with ZKACCEL_SETUP_CACHE=1), prints no table and
// writes no file, and a later bench loads the set-ups from the cache.
func TestBenchPrepareOnly(t *testing.T) {
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	t.Setenv(proofs.EnvSetupCache, "1")
	args := []string{"bench", "--device", "cpu", "--ops", "groth16,plonk", "--constraints", "2^5", "--prepare-only"}
	code, out, errs := zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if out != "" || !strings.Contains(errs, "prepared; nothing measured") || strings.Contains(errs, "set-up cache") {
		t.Errorf("stdout %q, stderr:\n%s", out, errs)
	}
	args = []string{"bench", "--device", "cpu", "--ops", "groth16,plonk", "--constraints", "2^5", "--runs", "1"}
	code, out, errs = zk(t, args...)
	wantCode(t, args, code, 0, errs)
	if strings.Count(errs, "(from the set-up cache)") != 2 || !strings.HasPrefix(out, "OP ") {
		t.Errorf("the later bench did not load both set-ups:\nstdout %s\nstderr %s", out, errs)
	}
}
