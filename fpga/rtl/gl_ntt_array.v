// gl_ntt_array.v — an array of B radix-2 butterfly units over Goldilocks
// (p = 2^64 − 2^32 + 1, canonical values), the datapath of an NTT: every
// cycle it takes B pairs (a, b) with B twiddles w and, three cycles later,
// gives B results, fully pipelined (one 64×64-bit modular multiplier per
// unit). The unit's operation comes with its operands, so passes of
// different modes follow one another without a gap:
//
//   mode 0  DIF butterfly    a' = a + b,      b' = (a − b)·w
//   mode 1  DIT butterfly    a' = a + b·w,    b' = a − b·w
//   mode 2  scale            a' = a·w         (b' = 0; coset shifts, 1/n,
//                                              and building power tables)
//
// The control — which elements and twiddles enter in which cycle, the
// passes of a transform — is the memory system's (in the reference
// driver, fpga/sim/ntt_core.h), which must supply 2B elements and B
// twiddles and take 2B results every cycle.
//
// Pipeline: the operands are registered (stage 1); the sum, difference and
// product are computed and registered (stage 2); the DIT sums are computed
// and the results registered (stage 3). out_valid follows in_valid three
// cycles later.

module gl_ntt_array #(
	parameter integer B = 4
) (
	input  wire           clk,
	input  wire           rst,       // synchronous, active high
	input  wire           in_valid,
	input  wire [1:0]     in_mode,
	input  wire [64*B-1:0] in_a,
	input  wire [64*B-1:0] in_b,
	input  wire [64*B-1:0] in_w,
	output reg            out_valid,
	output wire [64*B-1:0] out_a,
	output wire [64*B-1:0] out_b
);
	reg        v1, v2;
	reg [1:0]  m1, m2;

	always @(posedge clk) begin
		if (rst) begin
			v1 <= 1'b0;
			v2 <= 1'b0;
			out_valid <= 1'b0;
		end else begin
			v1 <= in_valid;
			v2 <= v1;
			out_valid <= v2;
		end
		m1 <= in_mode;
		m2 <= m1;
	end

	genvar i;
	generate
		for (i = 0; i < B; i = i + 1) begin : unit
			reg [63:0] a1, b1, w1;   // stage 1: the operands
			reg [63:0] p2, q2;       // stage 2: the pass-through sum and the product
			reg [63:0] ra, rb;       // stage 3: the results

			always @(posedge clk) begin
				a1 <= in_a[64*i +: 64];
				b1 <= in_b[64*i +: 64];
				w1 <= in_w[64*i +: 64];
			end

			// Stage 1 → 2: DIF multiplies a − b, DIT b, scale a.
			wire [63:0] sum, diff, prod;
			gl_add add1 (.a(a1), .b(b1), .r(sum));
			gl_sub sub1 (.a(a1), .b(b1), .r(diff));
			wire [63:0] mul_in = (m1 == 2'd0) ? diff : (m1 == 2'd1) ? b1 : a1;
			gl_mul mul (.a(mul_in), .b(w1), .r(prod));
			always @(posedge clk) begin
				p2 <= (m1 == 2'd0) ? sum : a1;
				q2 <= prod;
			end

			// Stage 2 → 3: DIT adds and subtracts the product.
			wire [63:0] dsum, ddiff;
			gl_add add2 (.a(p2), .b(q2), .r(dsum));
			gl_sub sub2 (.a(p2), .b(q2), .r(ddiff));
			always @(posedge clk) begin
				case (m2)
					2'd0: begin ra <= p2;   rb <= q2;    end
					2'd1: begin ra <= dsum; rb <= ddiff; end
					default: begin ra <= q2; rb <= 64'd0; end
				endcase
			end
			assign out_a[64*i +: 64] = ra;
			assign out_b[64*i +: 64] = rb;
		end
	endgenerate
endmodule
