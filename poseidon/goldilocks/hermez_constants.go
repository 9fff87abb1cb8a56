package goldilocks

import "github.com/zkaccel/zkaccel/internal/hermezparams"

// The constants of Polygon Hermez's Poseidon over Goldilocks (width 12, 8 full
// and 22 partial rounds, x^7), in the "optimised" form of the Poseidon paper's
// appendix B: the published parameters live in internal/hermezparams (shared
// with the GPU device code, with their source); these are this package's
// names for them. TestHermezConstants checks every value against
// go-iden3-crypto's exported C, M, P and S.

// hermezMDSCirc and hermezMDSDiag define the MDS matrix M: the linear layer
// of the full rounds maps the state s to s' with
//
//	s'[i] = Σ_k hermezMDSCirc[k]·s[(i+k) mod 12] + hermezMDSDiag[i]·s[i].
var (
	hermezMDSCirc = hermezparams.MDSCirc
	hermezMDSDiag = hermezparams.MDSDiag
)

// hermezRoundConsts are the round constants, in the order they are added
// (see hermezparams.RoundConsts).
var hermezRoundConsts = hermezparams.RoundConsts

// hermezPreMatrix is the pre-matrix P that replaces M in the last of the 4
// first full rounds: s'[j] = Σ_i hermezPreMatrix[i][j]·s[i].
var hermezPreMatrix = hermezparams.PreMatrix

// hermezSparse holds the sparse matrix of each partial round, 23 values per
// round (see hermezparams.Sparse).
var hermezSparse = hermezparams.Sparse
