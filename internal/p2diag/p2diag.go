// Package p2diag holds the diagonals of Goldilocks Poseidon2's internal
// matrices, shared by the front end (poseidon/goldilocks) and the FPGA
// backend, which cannot import the front end: the front end's tests
// import every backend.
package p2diag

// Goldilocks are the internal matrices' diagonals minus one, as canonical
// values, per width: Plonky3's Goldilocks Poseidon2 diagonals, as
// gnark-crypto v0.21.0 sets them (field/goldilocks/poseidon2/hash.go,
// diag8 and diag12). Read only.
var Goldilocks = map[int][]uint64{
	8: {
		12216033376705242021, 2072934925475504800, 16432743296706583078, 1287600597097751715,
		10482065724875379356, 3057917794534811537, 4460508886913832365, 4574242228824269566,
	},
	12: {
		14102670999874605824, 15585654191999307702, 940187017142450255, 8747386241522630711,
		6750641561540124747, 7440998025584530007, 6136358134615751536, 12413576830284969611,
		11675438539028694709, 17580553691069642926, 892707462476851331, 15167485180850043744,
	},
}
