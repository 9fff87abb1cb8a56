package rawbytes

import "testing"

func TestOf(t *testing.T) {
	if Of([]uint64(nil)) != nil {
		t.Error("Of(nil) is not nil")
	}
	s := []uint64{0x0102030405060708, 0x1112131415161718}
	b := Of(s)
	if len(b) != 16 {
		t.Fatalf("len(Of) = %d, want 16", len(b))
	}
	b[0] = 0xAA // a view, not a copy
	if s[0]&0xFF != 0xAA {
		t.Errorf("writing the view did not change the slice: %#x", s[0])
	}
	Poison(b)
	if s[0] != ^uint64(0) || s[1] != ^uint64(0) {
		t.Errorf("Poison left %#x %#x", s[0], s[1])
	}
}

func TestClearInfinity(t *testing.T) {
	// X = Y = 1 (any values), Z = 0: cleared.
	inf := []byte{1, 0, 0, 0, 7, 7, 7, 7, 0, 0, 0, 0}
	ClearInfinity(inf)
	for i, b := range inf {
		if b != 0 {
			t.Fatalf("byte %d of the point at infinity = %d after ClearInfinity, want 0", i, b)
		}
	}
	// Z ≠ 0 in its last byte only: kept.
	p := []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9}
	want := string(p)
	if ClearInfinity(p); string(p) != want {
		t.Fatalf("ClearInfinity changed a finite point: %v", p)
	}
}
