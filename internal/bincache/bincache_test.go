package bincache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTripAndCorruption(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	t.Setenv(EnvCache, "")
	dir := Dir("unit")
	if dir == "" || filepath.Base(dir) != "unit" {
		t.Fatalf("Dir(unit) = %q", dir)
	}
	f := Format{Magic: "ZKTESTBN", Version: 3}
	p := Path(dir, "a", "bc")
	if p == Path(dir, "ab", "c") {
		t.Fatal("Path: length-prefixing lost: (a, bc) and (ab, c) collide")
	}
	bin := []byte("a compiled program\x00\x01\x02")
	if err := f.Write(p, bin); err != nil {
		t.Fatal(err)
	}
	got, err := f.Read(p)
	if err != nil || string(got) != string(bin) {
		t.Fatalf("Read = %q, %v", got, err)
	}
	if _, err := (Format{Magic: "ZKTESTBN", Version: 4}).Read(p); err == nil || !strings.Contains(err.Error(), "format 3") {
		t.Errorf("another version read: %v", err)
	}
	if _, err := (Format{Magic: "OTHERMAG", Version: 3}).Read(p); err == nil {
		t.Error("another magic read")
	}
	raw, _ := os.ReadFile(p)
	for name, bad := range map[string][]byte{
		"flipped": append(append([]byte{}, raw[:len(raw)-1]...), raw[len(raw)-1]^1),
		"short":   raw[:len(raw)-2],
		"header":  raw[:10],
	} {
		if err := os.WriteFile(p, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Read(p); err == nil {
			t.Errorf("%s entry read without an error", name)
		}
	}
	Remove(p)
	Remove(p) // absent: no error, no panic
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("Remove left %s: %v", p, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if err := (Format{Magic: "short"}).Write(p, bin); err == nil {
		t.Error("a magic of 5 bytes accepted")
	}
}

func TestOff(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	t.Setenv(EnvCache, "OFF")
	if d := Dir("x"); d != "" {
		t.Errorf("ZKACCEL_CACHE=OFF: Dir = %q", d)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	t.Setenv(EnvCache, "")
	t.Setenv(EnvDir, file)
	if d := Dir("x"); d != "" {
		t.Errorf("uncreatable directory: Dir = %q", d)
	}
}
