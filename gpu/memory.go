package gpu

import (
	"sync"

	"github.com/zkaccel/zkaccel"
)

// MemoryMeter counts the device memory a runtime has allocated and not
// freed, and the most it held at once since the last ResetPeak. Runtimes
// embed one and report their allocations to it; the zero value is ready.
type MemoryMeter struct {
	mu        sync.Mutex
	cur, peak uint64
}

// Allocated records an allocation of n bytes.
func (m *MemoryMeter) Allocated(n int) {
	m.mu.Lock()
	m.cur += uint64(n)
	m.peak = max(m.peak, m.cur)
	m.mu.Unlock()
}

// Freed records that n bytes were freed.
func (m *MemoryMeter) Freed(n int) {
	m.mu.Lock()
	m.cur -= min(uint64(n), m.cur)
	m.mu.Unlock()
}

// Lost records that every allocation is gone (a device reset).
func (m *MemoryMeter) Lost() {
	m.mu.Lock()
	m.cur = 0
	m.mu.Unlock()
}

// ResetPeak makes the peak the bytes held now.
func (m *MemoryMeter) ResetPeak() {
	m.mu.Lock()
	m.peak = m.cur
	m.mu.Unlock()
}

// Use returns the bytes held now and the peak.
func (m *MemoryMeter) Use() (cur, peak uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur, m.peak
}

// meteredRuntime is a runtime that counts its allocations.
type meteredRuntime interface {
	Meter() *MemoryMeter
}

// ResetPeakMemory makes the peak of PeakMemory the device memory held now.
func (d *Device) ResetPeakMemory() {
	if m, ok := d.rt.(meteredRuntime); ok {
		m.Meter().ResetPeak()
	}
}

// PeakMemory returns the most device memory the runtime held at once since
// ResetPeakMemory: every buffer zkaccel allocated on the device (the calls'
// buffers, cached tables, resident points); an error wrapping
// zkaccel.ErrUnsupported where the runtime does not count.
func (d *Device) PeakMemory() (uint64, error) {
	if m, ok := d.rt.(meteredRuntime); ok {
		_, peak := m.Meter().Use()
		return peak, nil
	}
	return 0, d.unsupported("peak memory", "the %s runtime does not count its memory", d.rt.Kind())
}

var _ zkaccel.MemoryDevice = (*Device)(nil)
var _ zkaccel.KernelTimedDevice = (*Device)(nil)
