package gpu

import "strings"

// SetNTTLocal turns the NTT's local-memory pass on (the default) or off on
// d, so that tests run both the local-memory path and the one-launch-per-
// stage path.
func SetNTTLocal(d *Device, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if on {
		delete(d.cache, nttNoLocalKey)
	} else {
		d.cache[nttNoLocalKey] = true
	}
}

// NTTCacheStats returns the number of NTT tables d caches and their size in
// bytes.
func NTTCacheStats(d *Device) (entries int, bytes uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, v := range d.cache {
		if t, ok := v.(*nttTable); ok && strings.HasPrefix(k, nttKeyPrefix) {
			entries++
			bytes += t.size
		}
	}
	return entries, bytes
}

// NTTCacheLimits are the bounds of the NTT's table cache.
const (
	NTTCacheEntries = nttCacheEntries
	NTTCacheBytes   = nttCacheBytes
)
