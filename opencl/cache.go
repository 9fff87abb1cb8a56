package opencl

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

// The environment variables of the program binary cache.
const (
	// EnvCacheDir names the directory of the on-disk program cache
	// (default: os.UserCacheDir()/zkaccel/opencl).
	EnvCacheDir = "ZKACCEL_CACHE_DIR"
	// EnvCache set to "off" disables the on-disk program cache.
	EnvCache = "ZKACCEL_CACHE"
)

// An entry file is entryMagic, the format version (uint32, little-endian),
// the SHA-256 of the binary, the binary's length (uint64, little-endian)
// and the binary.
const (
	entryMagic   = "ZKACLBIN"
	entryVersion = 1
	entryHeader  = len(entryMagic) + 4 + sha256.Size + 8
)

// cacheDir returns the cache directory, creating it, or "" when the cache
// is off or the directory cannot be created.
func cacheDir() string {
	if strings.EqualFold(strings.TrimSpace(os.Getenv(EnvCache)), "off") {
		return ""
	}
	dir := os.Getenv(EnvCacheDir)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			zkaccel.Debugf("opencl: program cache disabled: %v", err)
			return ""
		}
		dir = filepath.Join(base, "zkaccel", "opencl")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		zkaccel.Debugf("opencl: program cache disabled: %v", err)
		return ""
	}
	return dir
}

// cacheEntry returns the path of the cache entry of src on this device, or
// "" when the cache is off. The key covers everything that decides the
// binary: the source, the build options, the platform, the device and the
// driver.
func (rt *Runtime) cacheEntry(src string) string {
	dir := cacheDir()
	if dir == "" {
		return ""
	}
	h := sha256.New()
	for _, f := range []string{"zkaccel opencl program", fmt.Sprint(entryVersion), src, buildOptions,
		rt.platName, rt.platVersion, rt.name, rt.driver, rt.version} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))+".bin")
}

// readEntry reads and verifies a cache entry, returning its binary.
func readEntry(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < entryHeader || string(b[:len(entryMagic)]) != entryMagic {
		return nil, errors.New("not a cache entry (bad magic or truncated header)")
	}
	p := b[len(entryMagic):]
	if v := binary.LittleEndian.Uint32(p); v != entryVersion {
		return nil, fmt.Errorf("cache entry format %d, want %d", v, entryVersion)
	}
	sum := p[4 : 4+sha256.Size]
	n := binary.LittleEndian.Uint64(p[4+sha256.Size:])
	bin := b[entryHeader:]
	if uint64(len(bin)) != n {
		return nil, fmt.Errorf("cache entry holds %d bytes of binary, header says %d", len(bin), n)
	}
	if got := sha256.Sum256(bin); !bytes.Equal(got[:], sum) {
		return nil, errors.New("cache entry checksum mismatch")
	}
	return bin, nil
}

// writeEntry writes a cache entry atomically: a temporary file in the same
// directory, renamed over path.
func writeEntry(path string, bin []byte) error {
	buf := make([]byte, entryHeader, entryHeader+len(bin))
	copy(buf, entryMagic)
	p := buf[len(entryMagic):]
	binary.LittleEndian.PutUint32(p, entryVersion)
	sum := sha256.Sum256(bin)
	copy(p[4:], sum[:])
	binary.LittleEndian.PutUint64(p[4+sha256.Size:], uint64(len(bin)))
	buf = append(buf, bin...)

	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// removeEntry deletes a cache entry; a failure only leaves it to be
// rejected again.
func removeEntry(path string) {
	if err := os.Remove(path); err != nil && !isNotExist(err) {
		zkaccel.Debugf("opencl: cannot remove cache entry: %v", err)
	}
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
