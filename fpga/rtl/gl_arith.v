// gl_arith.v — arithmetic modulo the Goldilocks prime p = 2^64 − 2^32 + 1,
// on canonical 64-bit values (0 ≤ x < p). Every module is combinational.
// The reductions use 2^64 ≡ 2^32 − 1 =: ε and 2^96 ≡ −1 (mod p).

// gl_mul: r = a·b mod p. The 128-bit product lo + 2^64·h0 + 2^96·h1 (h0,
// h1 of 32 bits) is ≡ lo − h1 + ε·h0.
module gl_mul (
	input  wire [63:0] a,
	input  wire [63:0] b,
	output wire [63:0] r
);
	localparam [63:0] P = 64'hFFFFFFFF00000001;
	localparam [63:0] EPS = 64'h00000000FFFFFFFF;

	wire [127:0] prod = a * b;
	wire [63:0]  lo = prod[63:0];
	wire [31:0]  h0 = prod[95:64];
	wire [31:0]  h1 = prod[127:96];

	// t0 ≡ lo − h1, below 2^64: on a borrow, lo − h1 + p = (lo − h1 + 2^64) − ε.
	wire [64:0] d = {1'b0, lo} - {33'b0, h1};
	wire [63:0] t0 = d[64] ? d[63:0] - EPS : d[63:0];
	// t1 = ε·h0 = 2^32·h0 − h0 < 2^64.
	wire [63:0] t1 = {h0, 32'b0} - {32'b0, h0};
	// t0 + t1 < 2^65 − 2^33; a carry of 2^64 is ε, and the sum then stays
	// below 2^64.
	wire [64:0] s = {1'b0, t0} + {1'b0, t1};
	wire [63:0] t2 = s[64] ? s[63:0] + EPS : s[63:0];
	assign r = (t2 >= P) ? t2 - P : t2;
endmodule

// gl_add: r = a + b mod p.
module gl_add (
	input  wire [63:0] a,
	input  wire [63:0] b,
	output wire [63:0] r
);
	localparam [64:0] P = 65'h0FFFFFFFF00000001;
	wire [64:0] s = {1'b0, a} + {1'b0, b};
	assign r = (s >= P) ? s[63:0] - P[63:0] : s[63:0];
endmodule

// gl_sub: r = a − b mod p.
module gl_sub (
	input  wire [63:0] a,
	input  wire [63:0] b,
	output wire [63:0] r
);
	localparam [63:0] P = 64'hFFFFFFFF00000001;
	wire [64:0] d = {1'b0, a} - {1'b0, b};
	assign r = d[64] ? d[63:0] + P : d[63:0];
endmodule

// gl_red72: r = x mod p for x < 2^72 (sums of a few dozen canonical
// values): lo + 2^64·hi ≡ lo + ε·hi, below 2^64 + 2^40 < 2p.
module gl_red72 (
	input  wire [71:0] x,
	output wire [63:0] r
);
	localparam [64:0] P = 65'h0FFFFFFFF00000001;
	wire [7:0]  hi = x[71:64];
	wire [64:0] v = {1'b0, x[63:0]} + {25'b0, hi, 32'b0} - {57'b0, hi};
	assign r = (v >= P) ? v[63:0] - P[63:0] : v[63:0];
endmodule

// gl_arith_tb: the four modules side by side, for the testbench
// (fpga/sim/tb_gl_arith.cpp); not part of a core.
module gl_arith_tb (
	input  wire [63:0] a,
	input  wire [63:0] b,
	input  wire [7:0]  hi,
	output wire [63:0] mul,
	output wire [63:0] add,
	output wire [63:0] sub,
	output wire [63:0] red
);
	gl_mul m (.a(a), .b(b), .r(mul));
	gl_add s (.a(a), .b(b), .r(add));
	gl_sub d (.a(a), .b(b), .r(sub));
	gl_red72 w (.x({hi, a}), .r(red));
endmodule
