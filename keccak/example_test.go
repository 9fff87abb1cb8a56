package keccak_test

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/keccak"
)

func ExampleSum256Batch() {
	// Ethereum's keccak256 of three messages, in one batch. Without a device
	// option the batch runs on zkaccel.Default().
	digests, err := keccak.Sum256Batch([][]byte{nil, []byte("abc"), []byte("transfer(address,uint256)")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", digests[0])
	fmt.Printf("%x\n", digests[1])
	fmt.Printf("function selector %x\n", digests[2][:4])
	// Output:
	// c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
	// 4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45
	// function selector a9059cbb
}

func ExampleSum256Batch_withReport() {
	// Ask for the CPU explicitly, on one goroutine, with a report.
	var rep zkaccel.Report
	msgs := [][]byte{[]byte("a"), []byte("b")}
	if _, err := keccak.Sum256Batch(msgs, keccak.WithDevice(zkaccel.HostCPU()), keccak.WithNbTasks(1), keccak.WithReport(&rep)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s n=%d ran on %v, fallback %v\n", rep.Op, rep.N, rep.Ran, rep.Fallback)
	// Output: keccak256 n=2 ran on cpu:0, fallback false
}

func ExamplePermuteBatch() {
	// Keccak-f[1600] of the all-zero state, twice (XKCP's known answers).
	states := make([][25]uint64, 1)
	for range 2 {
		if err := keccak.PermuteBatch(states); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("lane 0 %016X, lane 24 %016X\n", states[0][0], states[0][24])
	}
	// Output:
	// lane 0 F1258F7940E1DDE7, lane 24 EAF1FF7B5CECA249
	// lane 0 2D5C954DF96ECB3C, lane 24 20D06CD26A8FBF5C
}

func ExampleMerkleTree() {
	// Three leaves are padded with a zero leaf: the tree of [a, b, c, 0].
	leaves := [][32]byte{{0xa}, {0xb}, {0xc}}
	layers, err := keccak.MerkleTree(leaves)
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, layer := range layers {
		fmt.Printf("layer %d: %d node(s)\n", k, len(layer))
	}
	root, _ := keccak.MerkleRoot(leaves)
	fmt.Println(root == layers[2][0])
	// Output:
	// layer 0: 4 node(s)
	// layer 1: 2 node(s)
	// layer 2: 1 node(s)
	// true
}

func ExampleMerkleRoot() {
	// Two leaves: the root is Keccak-256(left ‖ right).
	left, right := [32]byte{1}, [32]byte{2}
	root, err := keccak.MerkleRoot([][32]byte{left, right})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := keccak.Sum256Batch([][]byte{append(left[:], right[:]...)})
	fmt.Println(root == d[0])
	// Output: true
}
