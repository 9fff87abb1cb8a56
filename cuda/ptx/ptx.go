// Package ptx holds the PTX of every zkaccel device program, compiled with
// NVRTC by go generate and embedded compressed, so that a machine with the
// NVIDIA driver but no NVRTC still runs the CUDA kernels: the driver
// compiles the PTX for its GPU at load time (and caches the result).
//
// The PTX targets the virtual architecture in [Arch], which every GPU of
// that generation or newer runs. Each entry is keyed by the SHA-256 of the
// complete program source, so that PTX made from other source is never
// used; the cuda package's tests fail when an entry is missing or stale.
// Regenerate with
//
//	go generate ./cuda/ptx
package ptx

//go:generate go run ../internal/genptx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

//go:embed index.txt *.ptx.gz
var files embed.FS

// Entry is one embedded program.
type Entry struct {
	Program    string   // the gpu program key, e.g. "msm/bn254/g1"
	SourceHash [32]byte // SHA-256 of the complete source it was compiled from
	File       string   // the compressed PTX's file name
}

// Index is what index.txt says: the compiler, the target and the entries.
type Index struct {
	NVRTC   string // NVRTC's version, e.g. "11.8"
	Arch    string // the target, e.g. "compute_70"
	Entries []Entry
}

var (
	indexOnce sync.Once
	index     Index
	indexErr  error
)

// Load parses the embedded index (once).
func Load() (Index, error) {
	indexOnce.Do(func() { index, indexErr = parse(files) })
	return index, indexErr
}

// IndexFile is the name of the index among the embedded files.
const IndexFile = "index.txt"

// Parse reads an index in the format go generate writes: comment lines
// ("# …"), "nvrtc VERSION", "arch TARGET", then one "PROGRAM SHA256 FILE"
// line per program.
func Parse(r io.Reader) (Index, error) {
	var ix Index
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "nvrtc":
			ix.NVRTC = f[1]
		case len(f) == 2 && f[0] == "arch":
			ix.Arch = f[1]
		case len(f) == 3:
			h, err := hex.DecodeString(f[1])
			if err != nil || len(h) != 32 {
				return Index{}, fmt.Errorf("ptx: index line %d: bad hash %q", n, f[1])
			}
			e := Entry{Program: f[0], File: f[2]}
			copy(e.SourceHash[:], h)
			ix.Entries = append(ix.Entries, e)
		default:
			return Index{}, fmt.Errorf("ptx: index line %d: %q", n, line)
		}
	}
	return ix, sc.Err()
}

func parse(fsys embed.FS) (Index, error) {
	b, err := fsys.ReadFile(IndexFile)
	if err != nil {
		return Index{}, err
	}
	return Parse(bytes.NewReader(b))
}

// Lookup returns the NUL-terminated PTX compiled from the source whose
// SHA-256 is hash, ok = false when none is embedded.
func Lookup(hash [32]byte) (code []byte, ok bool) {
	ix, err := Load()
	if err != nil {
		return nil, false
	}
	for _, e := range ix.Entries {
		if e.SourceHash == hash {
			code, err := Read(e)
			return code, err == nil
		}
	}
	return nil, false
}

// Read decompresses an entry's PTX and appends the NUL that
// cuModuleLoadData wants.
func Read(e Entry) ([]byte, error) {
	f, err := files.Open(e.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("ptx: %s: %w", e.File, err)
	}
	code, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("ptx: %s: %w", e.File, err)
	}
	return append(bytes.TrimRight(code, "\x00"), 0), nil
}

// callseq matches the call-sequence comments of NVRTC's PTX, whose
// numbers count the calls compiled so far in the process.
var callseq = regexp.MustCompile(`// callseq \d+(, \d+)?`)

// Normalize removes what makes NVRTC's PTX for one source differ between
// compiles in one process: the numbers of its "// callseq N" comments.
// The code is unchanged.
func Normalize(code []byte) []byte {
	return callseq.ReplaceAll(bytes.TrimRight(code, "\x00"), []byte("// callseq"))
}

// Compress writes PTX as an entry file's bytes: gzip at the best
// compression with an empty header (no name, no time), so that the same
// PTX always gives the same file.
func Compress(code []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(bytes.TrimRight(code, "\x00")); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
