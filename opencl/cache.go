package opencl

import (
	"fmt"

	"github.com/zkaccel/zkaccel/internal/bincache"
)

// The environment variables of the program binary cache.
const (
	// EnvCacheDir names the root directory of the on-disk program cache;
	// OpenCL's entries are in its subdirectory opencl (default:
	// os.UserCacheDir()/zkaccel/opencl).
	EnvCacheDir = bincache.EnvDir
	// EnvCache set to "off" disables the on-disk program cache.
	EnvCache = bincache.EnvCache
)

// entryFormat is the format of OpenCL's cache entries.
var entryFormat = bincache.Format{Magic: "ZKACLBIN", Version: 1}

// cacheEntry returns the path of the cache entry of src on this device, or
// "" when the cache is off. The key covers everything that decides the
// binary: the source, the build options, the platform, the device and the
// driver.
func (rt *Runtime) cacheEntry(src string) string {
	dir := bincache.Dir("opencl")
	if dir == "" {
		return ""
	}
	return bincache.Path(dir, "zkaccel opencl program", fmt.Sprint(entryFormat.Version), src, buildOptions,
		rt.platName, rt.platVersion, rt.name, rt.driver, rt.version)
}

func readEntry(path string) ([]byte, error)    { return entryFormat.Read(path) }
func writeEntry(path string, bin []byte) error { return entryFormat.Write(path, bin) }
func removeEntry(path string)                  { bincache.Remove(path) }
