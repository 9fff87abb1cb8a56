package proofs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	gnarkio "github.com/consensys/gnark/io"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bincache"
	"github.com/zkaccel/zkaccel/internal/envflag"
)

// EnvSetupCache names the variable that keeps set-ups (the compiled
// circuit and its keys) on disk, in the cache directory's "setups" folder
// (see zkaccel.EnvCacheDir), so that a later benchmark of the same circuit
// loads them in seconds where a set-up at 2^20 takes minutes: "1" keeps
// them, unset or "0" does not. An entry is hundreds of MiB at 2^20, hence
// off by default. Entries are keyed by the system, curve, circuit, size
// and gnark's version, and checked by a checksum when read; the keys are
// read without gnark's point checks, as the cache is the user's own.
const EnvSetupCache = "ZKACCEL_SETUP_CACHE"

// setupFormat identifies set-up entries.
var setupFormat = bincache.Format{Magic: "ZKSETUP1", Version: 1}

// SetupCached returns the set-up of the circuit that key names (with the
// curve id): from the cache where EnvSetupCache keeps set-ups and holds
// this one, else compiled (compile) and set up (s.Setup), and then stored
// where the cache keeps them. cached says it came from the cache. A
// corrupt or foreign entry is deleted and made again; a failure to store
// only leaves the next call to make it again.
func (s *System) SetupCached(id ecc.ID, key string, compile func() (constraint.ConstraintSystem, error)) (ccs constraint.ConstraintSystem, pk, vk any, cached bool, err error) {
	on, err := envflag.Switch(EnvSetupCache, false)
	if err != nil {
		return nil, nil, nil, false, err
	}
	var path string
	if on {
		if dir := bincache.Dir("setups"); dir != "" {
			path = bincache.Path(dir, s.Name, id.String(), key, moduleVersion("github.com/consensys/gnark"), moduleVersion("github.com/consensys/gnark-crypto"))
		}
	}
	if path != "" {
		b, err := setupFormat.Read(path)
		if err == nil {
			if ccs, pk, vk, err = s.decode(id, b); err == nil {
				return ccs, pk, vk, true, nil
			}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			zkaccel.Debugf("setup cache: %s: %v; setting up again", path, err)
			bincache.Remove(path)
		}
	}
	if ccs, err = compile(); err != nil {
		return nil, nil, nil, false, err
	}
	if pk, vk, err = s.Setup(ccs); err != nil {
		return nil, nil, nil, false, err
	}
	if path != "" {
		b, err := encodeSetup(ccs, pk, vk)
		if err == nil {
			err = setupFormat.Write(path, b)
		}
		if err != nil {
			zkaccel.Debugf("setup cache: storing %s: %v", path, err)
		}
	}
	return ccs, pk, vk, false, nil
}

// moduleVersion is the version of module path in this binary's build
// information ("unknown" where it has none).
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				if m.Replace != nil {
					m = m.Replace
				}
				return m.Version
			}
		}
	}
	return "unknown"
}

// encodeSetup writes the circuit (gnark's encoding) and the keys (gnark's
// raw encoding), each after its length, into one buffer (hundreds of MiB
// at 2^20: no part is copied apart).
func encodeSetup(ccs constraint.ConstraintSystem, pk, vk any) ([]byte, error) {
	var out bytes.Buffer
	for i, x := range []any{ccs, pk, vk} {
		at := out.Len()
		out.Write(make([]byte, 8)) // the length, once known
		var err error
		if i == 0 {
			_, err = ccs.WriteTo(&out)
		} else if w, ok := x.(gnarkio.WriterRawTo); ok {
			_, err = w.WriteRawTo(&out)
		} else {
			err = fmt.Errorf("%T has no raw encoding", x)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding part %d of the set-up: %w", i, err)
		}
		b := out.Bytes()
		binary.LittleEndian.PutUint64(b[at:], uint64(len(b)-at-8))
	}
	return out.Bytes(), nil
}

// decode reads what encodeSetup wrote, for system s on curve id.
func (s *System) decode(id ecc.ID, b []byte) (ccs constraint.ConstraintSystem, pk, vk any, err error) {
	var parts [3][]byte
	for i := range parts {
		if len(b) < 8 {
			return nil, nil, nil, errors.New("truncated set-up")
		}
		n := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if n > uint64(len(b)) {
			return nil, nil, nil, errors.New("truncated set-up")
		}
		parts[i], b = b[:n], b[n:]
	}
	if len(b) != 0 {
		return nil, nil, nil, errors.New("trailing bytes after the set-up")
	}
	var pkr, vkr gnarkio.UnsafeReaderFrom
	switch s.Name {
	case Groth16:
		ccs = groth16.NewCS(id)
		p, v := groth16.NewProvingKey(id), groth16.NewVerifyingKey(id)
		pk, vk, pkr, vkr = p, v, p, v
	case Plonk:
		ccs = plonk.NewCS(id)
		p, v := plonk.NewProvingKey(id), plonk.NewVerifyingKey(id)
		pk, vk, pkr, vkr = p, v, p, v
	default:
		return nil, nil, nil, fmt.Errorf("no set-up cache for %s", s.Name)
	}
	if _, err := ccs.ReadFrom(bytes.NewReader(parts[0])); err != nil {
		return nil, nil, nil, fmt.Errorf("reading the circuit: %w", err)
	}
	if _, err := pkr.UnsafeReadFrom(bytes.NewReader(parts[1])); err != nil {
		return nil, nil, nil, fmt.Errorf("reading the proving key: %w", err)
	}
	if _, err := vkr.UnsafeReadFrom(bytes.NewReader(parts[2])); err != nil {
		return nil, nil, nil, fmt.Errorf("reading the verifying key: %w", err)
	}
	return ccs, pk, vk, nil
}
