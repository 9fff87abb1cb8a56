// bn254_mont_mul.v — Montgomery multiplication modulo the BN254 base field
// prime p (254 bits), R = 2^256: r = a·b·R^−1 mod p for a, b < p, the
// product that gnark-crypto's fp.Element.Mul computes on Montgomery-form
// elements. The first piece of an MSM unit (see bn254_g1_unit.v).
//
// Schedule: word-serial CIOS over the four 64-bit words of b, two cycles a
// word:
//   A  u = t + a·b_i                 (a 254×64-bit product)
//      m = (u mod 2^64)·(−p^−1) mod 2^64
//   B  t = (u + m·p) / 2^64          (a 64×254-bit product by the constant p)
// t stays below 2p; after the fourth word one conditional subtraction
// makes it canonical. A multiplication takes 10 cycles from the start
// cycle to done (load, 4 × 2, final subtraction); one is in flight.
//
// Protocol: while ready, a cycle with start high loads a and b; done is
// high for one cycle when r holds the result, which it keeps until the
// next start.

module bn254_mont_mul (
	input  wire         clk,
	input  wire         rst,      // synchronous, active high
	input  wire         start,
	input  wire [255:0] a,
	input  wire [255:0] b,
	output wire         ready,
	output reg          done,
	output reg  [255:0] r
);
	localparam [255:0] P = 256'h30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
	localparam [63:0] NINV = 64'h87d20782e4866389; // −p^−1 mod 2^64

	localparam [1:0] IDLE = 2'd0, RUNA = 2'd1, RUNB = 2'd2, FIN = 2'd3;
	reg [1:0]   state;
	reg [1:0]   i;
	reg [255:0] ra, rb;
	reg [256:0] t;  // < 2p
	reg [319:0] u;  // t + a·b_i < 2^320
	reg [63:0]  m;

	assign ready = (state == IDLE);

	wire [63:0]  bi = rb[64*i +: 64];
	wire [319:0] ab = {64'b0, ra} * {256'b0, bi};
	wire [319:0] ua = {63'b0, t} + ab;
	wire [63:0]  mlo = ua[63:0] * NINV;  // the low word of the product
	wire [319:0] mp = {256'b0, m} * {64'b0, P};
	/* verilator lint_off UNUSEDSIGNAL */
	wire [320:0] sb = {1'b0, u} + {1'b0, mp};  // ≡ 0 mod 2^64: its low word is dropped
	/* verilator lint_on UNUSEDSIGNAL */
	wire [256:0] tsub = t - {1'b0, P};

	always @(posedge clk) begin
		if (rst) begin
			state <= IDLE;
			done <= 1'b0;
		end else begin
			done <= 1'b0;
			case (state)
				IDLE: if (start) begin
					ra <= a;
					rb <= b;
					t <= 257'd0;
					i <= 2'd0;
					state <= RUNA;
				end
				RUNA: begin
					u <= ua;
					m <= mlo;
					state <= RUNB;
				end
				RUNB: begin
					t <= sb[320:64];
					if (i == 2'd3) state <= FIN;
					else begin
						i <= i + 2'd1;
						state <= RUNA;
					end
				end
				FIN: begin
					r <= tsub[256] ? t[255:0] : tsub[255:0];
					done <= 1'b1;
					state <= IDLE;
				end
			endcase
		end
	end
endmodule
