package gpu

import "strings"

// SetNTTLocalLog bounds the NTT's local-memory passes on d to blocks of
// 2^l elements and makes d plan them as on a GPU (on a CPU device it runs
// the stages above the last pass one launch each, unless set): l < 0
// restores the default, 0 turns the local-memory kernels off (one launch
// per stage), a large l gives the GPU's plan, and a small l makes small
// transforms take many strided passes, so that tests run every path.
func SetNTTLocalLog(d *Device, l int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if l < 0 {
		delete(d.cache, nttLocalLogKey)
	} else {
		d.cache[nttLocalLogKey] = l
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

// NTTCacheEntries bounds the number of NTT tables a device caches.
const NTTCacheEntries = nttCacheEntries

// NTTCacheBudget returns the bytes of NTT tables d caches, at most.
func NTTCacheBudget(d *Device) uint64 { return d.nttCacheBudget() }

// NTTPlan exposes nttPlan: each pass as {lb, s, c}.
func NTTPlan(logn, L, cw int) [][3]int {
	var out [][3]int
	for _, p := range nttPlan(logn, L, cw) {
		out = append(out, [3]int{p.lb, p.s, p.c})
	}
	return out
}
