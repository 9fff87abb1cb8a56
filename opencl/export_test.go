package opencl

import "github.com/zkaccel/zkaccel/gpu"

// Stats is what tests see of a runtime's program cache and buffers.
type Stats struct {
	Built, Loaded, Rejected, Written int64 // programs by origin, cache entries
	Live                             int64 // buffers allocated and not freed
}

// GetStats returns rt's counters (rt must be an OpenCL runtime).
func GetStats(rt gpu.Runtime) Stats {
	r := rt.(*Runtime)
	return Stats{
		Built: r.stats.built.Load(), Loaded: r.stats.loaded.Load(),
		Rejected: r.stats.rejected.Load(), Written: r.stats.written.Load(),
		Live: r.live.Load(),
	}
}

// ForgetPrograms empties rt's in-memory program cache, so that the next
// Compile goes to the disk cache, and releases the programs: none Compile
// returned before may be used after it.
func ForgetPrograms(rt gpu.Runtime) {
	r := rt.(*Runtime)
	r.ctxMu.Lock() // no call may use a program meanwhile
	defer r.ctxMu.Unlock()
	r.mu.Lock()
	progs := r.progs
	r.progs = map[[32]byte]*Program{}
	r.mu.Unlock()
	for _, p := range progs {
		p.release()
	}
}

// CacheEntry returns the path of src's disk cache entry on rt.
func CacheEntry(rt gpu.Runtime, src string) string { return rt.(*Runtime).cacheEntry(src) }

// WriteCacheEntry writes a well-formed cache entry holding bin.
func WriteCacheEntry(path string, bin []byte) error { return writeEntry(path, bin) }

// OpenLibrary opens an OpenCL library under the given names, as the
// backend does with libOpenCL.so.1 and libOpenCL.so.
func OpenLibrary(names ...string) error {
	_, err := openAPI(names)
	return err
}

// OpenRuntimes opens the OpenCL library at path (not the one the backend
// uses) and returns a runtime for each of its devices: new contexts and
// queues, apart from the backend's.
func OpenRuntimes(path string) ([]*Runtime, error) {
	a, err := openAPI([]string{path})
	if err != nil {
		return nil, err
	}
	return discoverOn(a)
}
