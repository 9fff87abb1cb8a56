// Package bincache is the on-disk cache of compiled device programs that
// the GPU runtimes share (OpenCL program binaries, CUDA cubins): entries
// keyed by everything that decides the binary, written atomically, and
// verified by a checksum when read, so that a corrupt, truncated or foreign
// entry is detected (and then deleted and rebuilt by the caller).
package bincache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/zkaccel/zkaccel"
)

// The environment variables of the cache.
const (
	// EnvDir names the cache's root directory (default:
	// os.UserCacheDir()/zkaccel); each runtime uses a subdirectory.
	EnvDir = zkaccel.EnvCacheDir
	// EnvCache set to "off" disables the cache.
	EnvCache = "ZKACCEL_CACHE"
)

// Dir returns the cache directory of one runtime (sub: "opencl", "cuda"),
// creating it, or "" when the cache is off or the directory cannot be
// created (ZKACCEL_DEBUG says why).
func Dir(sub string) string {
	if strings.EqualFold(strings.TrimSpace(os.Getenv(EnvCache)), "off") {
		return ""
	}
	root := os.Getenv(EnvDir)
	if root == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			zkaccel.Debugf("%s: program cache disabled: %v", sub, err)
			return ""
		}
		root = filepath.Join(base, "zkaccel")
	}
	dir := filepath.Join(root, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		zkaccel.Debugf("%s: program cache disabled: %v", sub, err)
		return ""
	}
	return dir
}

// Path returns the path of the entry keyed by parts in dir: the SHA-256 of
// the length-prefixed parts, so that no two part lists collide.
func Path(dir string, parts ...string) string {
	h := sha256.New()
	for _, f := range parts {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))+".bin")
}

// An entry file is its magic (8 bytes), the format version (uint32,
// little-endian), the SHA-256 of the binary, the binary's length (uint64,
// little-endian) and the binary.
const header = 8 + 4 + sha256.Size + 8

// Format identifies one runtime's entries.
type Format struct {
	Magic   string // exactly 8 bytes, e.g. "ZKACLBIN"
	Version uint32 // bumped when the entries' meaning changes
}

// Read reads and verifies an entry, returning its binary.
func (f Format) Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < header || string(b[:8]) != f.Magic {
		return nil, errors.New("not a cache entry (bad magic or truncated header)")
	}
	p := b[8:]
	if v := binary.LittleEndian.Uint32(p); v != f.Version {
		return nil, fmt.Errorf("cache entry format %d, want %d", v, f.Version)
	}
	sum := p[4 : 4+sha256.Size]
	n := binary.LittleEndian.Uint64(p[4+sha256.Size:])
	bin := b[header:]
	if uint64(len(bin)) != n {
		return nil, fmt.Errorf("cache entry holds %d bytes of binary, header says %d", len(bin), n)
	}
	if got := sha256.Sum256(bin); !bytes.Equal(got[:], sum) {
		return nil, errors.New("cache entry checksum mismatch")
	}
	return bin, nil
}

// Write writes an entry atomically: a temporary file in the same directory,
// renamed over path.
func (f Format) Write(path string, bin []byte) error {
	if len(f.Magic) != 8 {
		return fmt.Errorf("bincache: magic %q is not 8 bytes", f.Magic)
	}
	buf := make([]byte, header, header+len(bin))
	copy(buf, f.Magic)
	p := buf[8:]
	binary.LittleEndian.PutUint32(p, f.Version)
	sum := sha256.Sum256(bin)
	copy(p[4:], sum[:])
	binary.LittleEndian.PutUint64(p[4+sha256.Size:], uint64(len(bin)))
	buf = append(buf, bin...)

	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(buf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// Remove deletes an entry; a failure only leaves it to be rejected again.
func Remove(path string) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		zkaccel.Debugf("cannot remove cache entry: %v", err)
	}
}
