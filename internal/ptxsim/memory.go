package ptxsim

import (
	"fmt"
	"sort"
)

// Memory is a device's global memory: allocations at distinct addresses
// with unmapped gaps between them, so that an access past an
// allocation's end is an error rather than a read of its neighbour.
type Memory struct {
	regions []*region // by base
	next    uint64
	symbols map[*Module]map[string]uint64
}

type region struct {
	base uint64
	data []byte
	name string
}

// The windows of the generic address space: global memory lies below
// sharedWindow; shared and local addresses are offsets that cvta moves
// into their windows.
const (
	globalBase   = 1 << 32
	gap          = 1 << 12
	sharedWindow = 0x7e00_0000_0000_0000
	localWindow  = 0x7f00_0000_0000_0000
	windowSize   = 1 << 40
)

// NewMemory returns an empty global memory.
func NewMemory() *Memory {
	return &Memory{next: globalBase, symbols: map[*Module]map[string]uint64{}}
}

// Alloc allocates size zeroed bytes and returns their address.
func (m *Memory) Alloc(size int) uint64 { return m.alloc(size, "") }

func (m *Memory) alloc(size int, name string) uint64 {
	base := m.next
	m.regions = append(m.regions, &region{base: base, data: make([]byte, size), name: name})
	m.next += uint64(size+gap-1)/gap*gap + gap
	return base
}

// Write copies b to address addr.
func (m *Memory) Write(addr uint64, b []byte) error {
	d, err := m.span(addr, len(b))
	if err != nil {
		return err
	}
	copy(d, b)
	return nil
}

// Read returns a copy of n bytes at address addr.
func (m *Memory) Read(addr uint64, n int) ([]byte, error) {
	d, err := m.span(addr, n)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), d...), nil
}

// span returns the n bytes at addr, which must lie in one allocation.
func (m *Memory) span(addr uint64, n int) ([]byte, error) {
	i := sort.Search(len(m.regions), func(i int) bool { return m.regions[i].base > addr }) - 1
	if i >= 0 {
		r := m.regions[i]
		if off := addr - r.base; off <= uint64(len(r.data)) && uint64(n) <= uint64(len(r.data))-off {
			return r.data[off : off+uint64(n)], nil
		}
	}
	return nil, fmt.Errorf("global access of %d bytes at %#x is outside every allocation", n, addr)
}

// load places a module's data in memory, once.
func (m *Memory) load(mod *Module) map[string]uint64 {
	if s, ok := m.symbols[mod]; ok {
		return s
	}
	s := map[string]uint64{}
	for _, d := range mod.data {
		a := m.alloc(len(d.init), d.name)
		copy(m.regions[len(m.regions)-1].data, d.init)
		s[d.name] = a
	}
	m.symbols[mod] = s
	return s
}

// space is a small address space: a block's shared memory, or a thread's
// local memory, from offset 16 (0 stays unmapped).
type space struct {
	data []byte
	name string
}

func (s *space) place(size, align int) uint64 {
	if align < 1 {
		align = 1
	}
	off := (max(len(s.data), 16) + align - 1) / align * align
	if off > len(s.data) {
		s.data = append(s.data, make([]byte, off-len(s.data))...)
	}
	s.data = append(s.data, make([]byte, size)...)
	return uint64(off)
}

func (s *space) span(addr uint64, n int) ([]byte, error) {
	if addr < 16 || addr > uint64(len(s.data)) || uint64(n) > uint64(len(s.data))-addr {
		return nil, fmt.Errorf("%s access of %d bytes at %#x is outside its %d bytes", s.name, n, addr, len(s.data))
	}
	return s.data[addr : addr+uint64(n)], nil
}
