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
