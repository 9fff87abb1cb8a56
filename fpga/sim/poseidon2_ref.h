// poseidon2_ref.h — a plain software reference of Poseidon2 over Goldilocks
// (x^7 S-box, widths 4k) for the testbenches, written independently of the
// RTL: the linear layers are explicit T×T matrices built from their
// definitions and applied by matrix-vector products with % p.
#ifndef ZKACCEL_POSEIDON2_REF_H
#define ZKACCEL_POSEIDON2_REF_H

#include <stdint.h>

#include <vector>

namespace p2ref {

constexpr uint64_t kP = 0xFFFFFFFF00000001ull;

inline uint64_t add(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a + b) % kP); }
inline uint64_t mul(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) % kP); }
inline uint64_t pow7(uint64_t x) {
	uint64_t r = 1;
	for (int i = 0; i < 7; i++) r = mul(r, x);
	return r;
}

// Params: width t, rf full and rp partial rounds, keys[r] the keys of round
// r (t of them for a full round, 1 for a partial one), diag the internal
// matrix's diagonal minus one.
struct Params {
	int t, rf, rp;
	std::vector<std::vector<uint64_t>> keys;
	std::vector<uint64_t> diag;
};

// mv returns m·s.
inline std::vector<uint64_t> mv(const std::vector<std::vector<uint64_t>>& m, const std::vector<uint64_t>& s) {
	std::vector<uint64_t> out(s.size(), 0);
	for (size_t i = 0; i < s.size(); i++)
		for (size_t j = 0; j < s.size(); j++) out[i] = add(out[i], mul(m[i][j], s[j]));
	return out;
}

// external returns M_E = circ(2·M4, M4, …, M4) for width t, with
// HorizenLabs' M4 (the Poseidon2 paper, appendix B).
inline std::vector<std::vector<uint64_t>> external(int t) {
	static const uint64_t m4[4][4] = {{5, 7, 1, 3}, {4, 6, 1, 1}, {1, 3, 5, 7}, {1, 1, 4, 6}};
	std::vector<std::vector<uint64_t>> m(t, std::vector<uint64_t>(t));
	for (int i = 0; i < t; i++)
		for (int j = 0; j < t; j++) m[i][j] = m4[i % 4][j % 4] * (i / 4 == j / 4 ? 2 : 1);
	return m;
}

// internal returns M_I = J + diag(d) (J all ones).
inline std::vector<std::vector<uint64_t>> internal(const std::vector<uint64_t>& d) {
	size_t t = d.size();
	std::vector<std::vector<uint64_t>> m(t, std::vector<uint64_t>(t, 1));
	for (size_t i = 0; i < t; i++) m[i][i] = add(1, d[i]);
	return m;
}

// permute applies the permutation to s (t elements, canonical).
inline void permute(const Params& p, std::vector<uint64_t>& s) {
	auto me = external(p.t), mi = internal(p.diag);
	s = mv(me, s);
	int half = p.rf / 2;
	for (int r = 0; r < p.rf + p.rp; r++) {
		bool partial = r >= half && r < half + p.rp;
		if (partial) {
			s[0] = pow7(add(s[0], p.keys[r][0]));
			s = mv(mi, s);
		} else {
			for (int i = 0; i < p.t; i++) s[i] = pow7(add(s[i], p.keys[r][i]));
			s = mv(me, s);
		}
	}
}

}  // namespace p2ref

#endif
