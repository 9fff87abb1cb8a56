package goldilocks

import "github.com/zkaccel/zkaccel/internal/p2diag"

// p2DiagValues are the internal matrices' diagonals minus one, as canonical
// values, per width (gnark-crypto v0.21.0's; see internal/p2diag, which
// the FPGA backend shares).
var p2DiagValues = p2diag.Goldilocks
