// bn254_g1_unit.v — a BN254 G1 point unit, the start of an MSM unit: it
// adds an affine point to a Jacobian accumulator (the bucket accumulation
// of Pippenger's algorithm) or doubles the accumulator, on Montgomery-form
// coordinates (R = 2^256, gnark-crypto's fp.Element layout), with every
// exceptional case handled:
//
//   op 0  P1 ← P1 + P2   madd-2007-bl (a = 0); P1 = ∞ gives P2, P1 = P2
//                        doubles, P1 = −P2 gives ∞
//   op 1  P1 ← 2·P1      dbl-2009-l (a = 0); ∞ stays ∞
//
// P1 = (X1, Y1, Z1) is Jacobian (x = X/Z², y = Y/Z³; Z1 = 0 is ∞, written
// (1, 1, 0) as gnark-crypto does); P2 = (x2, y2) is affine and not ∞.
//
// The datapath is one Montgomery multiplier (bn254_mont_mul, 10 cycles), a
// modular adder and subtractor, and a file of 16 registers of 256 bits; a
// microprogram in a ROM sequences them (MUL 11 cycles, ADD/SUB/MOV 1,
// branches 1). A mixed addition takes 11 multiplications and 143 cycles,
// a doubling 7 multiplications and 96 cycles (start to done, as the
// testbench counts them).
//
// Protocol: while ready, a cycle with start high begins op; with load high
// it first loads P1 from p1_in, else it keeps the accumulator from the
// previous operation; P2 comes from p2_in. done is high for one cycle when
// p1_out holds the result, which stays the accumulator.

module bn254_g1_unit (
	input  wire         clk,
	input  wire         rst,      // synchronous, active high
	input  wire         start,
	input  wire         op,       // 0 madd, 1 dbl
	input  wire         load,
	input  wire [767:0] p1_in,    // X1, Y1, Z1 (bits 255:0 are X1)
	input  wire [511:0] p2_in,    // x2, y2
	output wire         ready,
	output reg          done,
	output wire [767:0] p1_out
);
	localparam [255:0] P = 256'h30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
	localparam [255:0] ONE = 256'h0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d; // R mod p

	// Opcodes: END, MUL d=s1·s2, ADD d=s1+s2, SUB d=s1−s2, MOV d=s1,
	// BZ (to target if s1 = 0), BZZ (to target if s1 = s2 = 0).
	localparam [2:0] END = 3'd0, MUL = 3'd1, ADD = 3'd2, SUB = 3'd3, MOV = 3'd4, BZ = 3'd5, BZZ = 3'd6;

	// Registers: 0–2 X1 Y1 Z1, 3–4 x2 y2, 5 the constant one, 6–15 scratch.
	// Entry points of the ROM below.
	localparam [5:0] MADD = 6'd0, DBL = 6'd29, INF = 6'd53, P1INF = 6'd57;

	reg [255:0] rf [0:15];
	reg [5:0]   pc;
	reg         busy, waiting;

	assign ready = !busy;
	assign p1_out = {rf[2], rf[1], rf[0]};

	// The microprogram: {op, d, s1, s2, target}.
	function [20:0] rom(input [5:0] a);
		case (a)
			// madd-2007-bl: Z1Z1 = Z1², U2 = x2·Z1Z1, S2 = y2·Z1·Z1Z1,
			// H = U2 − X1, r = 2(S2 − Y1), I = 4H², J = H·I, V = X1·I,
			// X3 = r² − J − 2V, Y3 = r(V − X3) − 2·Y1·J,
			// Z3 = (Z1 + H)² − Z1Z1 − H².
			6'd0:  rom = {BZ,  4'd0,  4'd2,  4'd0,  P1INF};  // P1 = ∞
			6'd1:  rom = {MUL, 4'd6,  4'd2,  4'd2,  6'd0};   // Z1Z1
			6'd2:  rom = {MUL, 4'd7,  4'd3,  4'd6,  6'd0};   // U2
			6'd3:  rom = {MUL, 4'd8,  4'd2,  4'd6,  6'd0};   // Z1·Z1Z1
			6'd4:  rom = {MUL, 4'd8,  4'd4,  4'd8,  6'd0};   // S2
			6'd5:  rom = {SUB, 4'd9,  4'd7,  4'd0,  6'd0};   // H
			6'd6:  rom = {SUB, 4'd10, 4'd8,  4'd1,  6'd0};   // S2 − Y1
			6'd7:  rom = {BZZ, 4'd0,  4'd9,  4'd10, DBL};    // P1 = P2: double
			6'd8:  rom = {BZ,  4'd0,  4'd9,  4'd0,  INF};    // P1 = −P2: ∞
			6'd9:  rom = {MUL, 4'd11, 4'd9,  4'd9,  6'd0};   // HH
			6'd10: rom = {ADD, 4'd12, 4'd11, 4'd11, 6'd0};
			6'd11: rom = {ADD, 4'd12, 4'd12, 4'd12, 6'd0};   // I = 4HH
			6'd12: rom = {MUL, 4'd13, 4'd9,  4'd12, 6'd0};   // J
			6'd13: rom = {ADD, 4'd10, 4'd10, 4'd10, 6'd0};   // r
			6'd14: rom = {MUL, 4'd14, 4'd0,  4'd12, 6'd0};   // V
			6'd15: rom = {MUL, 4'd15, 4'd10, 4'd10, 6'd0};   // r²
			6'd16: rom = {SUB, 4'd15, 4'd15, 4'd13, 6'd0};
			6'd17: rom = {SUB, 4'd15, 4'd15, 4'd14, 6'd0};
			6'd18: rom = {SUB, 4'd15, 4'd15, 4'd14, 6'd0};   // X3
			6'd19: rom = {SUB, 4'd14, 4'd14, 4'd15, 6'd0};   // V − X3
			6'd20: rom = {MUL, 4'd14, 4'd10, 4'd14, 6'd0};
			6'd21: rom = {MUL, 4'd13, 4'd1,  4'd13, 6'd0};   // Y1·J
			6'd22: rom = {ADD, 4'd13, 4'd13, 4'd13, 6'd0};
			6'd23: rom = {SUB, 4'd14, 4'd14, 4'd13, 6'd0};   // Y3
			6'd24: rom = {ADD, 4'd12, 4'd2,  4'd9,  6'd0};   // Z1 + H
			6'd25: rom = {MUL, 4'd12, 4'd12, 4'd12, 6'd0};
			6'd26: rom = {SUB, 4'd12, 4'd12, 4'd6,  6'd0};
			6'd27: rom = {SUB, 4'd2,  4'd12, 4'd11, 6'd0};   // Z3
			6'd28: rom = {MOV, 4'd0,  4'd15, 4'd0,  6'd61};  // X3, then the Y3 move
			// dbl-2009-l: A = X1², B = Y1², C = B², D = 2((X1 + B)² − A − C),
			// E = 3A, F = E², X3 = F − 2D, Y3 = E(D − X3) − 8C, Z3 = 2·Y1·Z1.
			6'd29: rom = {MUL, 4'd6,  4'd0,  4'd0,  6'd0};   // A
			6'd30: rom = {MUL, 4'd7,  4'd1,  4'd1,  6'd0};   // B
			6'd31: rom = {MUL, 4'd8,  4'd7,  4'd7,  6'd0};   // C
			6'd32: rom = {ADD, 4'd9,  4'd0,  4'd7,  6'd0};
			6'd33: rom = {MUL, 4'd9,  4'd9,  4'd9,  6'd0};
			6'd34: rom = {SUB, 4'd9,  4'd9,  4'd6,  6'd0};
			6'd35: rom = {SUB, 4'd9,  4'd9,  4'd8,  6'd0};
			6'd36: rom = {ADD, 4'd9,  4'd9,  4'd9,  6'd0};   // D
			6'd37: rom = {ADD, 4'd10, 4'd6,  4'd6,  6'd0};
			6'd38: rom = {ADD, 4'd10, 4'd10, 4'd6,  6'd0};   // E
			6'd39: rom = {MUL, 4'd11, 4'd10, 4'd10, 6'd0};   // F
			6'd40: rom = {ADD, 4'd12, 4'd9,  4'd9,  6'd0};
			6'd41: rom = {SUB, 4'd11, 4'd11, 4'd12, 6'd0};   // X3
			6'd42: rom = {SUB, 4'd12, 4'd9,  4'd11, 6'd0};
			6'd43: rom = {MUL, 4'd12, 4'd10, 4'd12, 6'd0};
			6'd44: rom = {ADD, 4'd8,  4'd8,  4'd8,  6'd0};
			6'd45: rom = {ADD, 4'd8,  4'd8,  4'd8,  6'd0};
			6'd46: rom = {ADD, 4'd8,  4'd8,  4'd8,  6'd0};   // 8C
			6'd47: rom = {SUB, 4'd15, 4'd12, 4'd8,  6'd0};   // Y3
			6'd48: rom = {MUL, 4'd13, 4'd1,  4'd2,  6'd0};
			6'd49: rom = {ADD, 4'd2,  4'd13, 4'd13, 6'd0};   // Z3
			6'd50: rom = {MOV, 4'd0,  4'd11, 4'd0,  6'd0};   // X3
			6'd51: rom = {MOV, 4'd1,  4'd15, 4'd0,  6'd0};   // Y3
			6'd52: rom = {END, 4'd0,  4'd0,  4'd0,  6'd0};
			// ∞ = (1, 1, 0).
			6'd53: rom = {MOV, 4'd0,  4'd5,  4'd0,  6'd0};
			6'd54: rom = {MOV, 4'd1,  4'd5,  4'd0,  6'd0};
			6'd55: rom = {SUB, 4'd2,  4'd5,  4'd5,  6'd0};
			6'd56: rom = {END, 4'd0,  4'd0,  4'd0,  6'd0};
			// P1 = ∞: the sum is (x2, y2, 1).
			6'd57: rom = {MOV, 4'd0,  4'd3,  4'd0,  6'd0};
			6'd58: rom = {MOV, 4'd1,  4'd4,  4'd0,  6'd0};
			6'd59: rom = {MOV, 4'd2,  4'd5,  4'd0,  6'd0};
			6'd60: rom = {END, 4'd0,  4'd0,  4'd0,  6'd0};
			// The end of madd: Y3 (Z3 is in place), then END.
			6'd61: rom = {MOV, 4'd1,  4'd14, 4'd0,  6'd0};
			default: rom = {END, 4'd0, 4'd0, 4'd0, 6'd0};
		endcase
	endfunction

	wire [20:0]  ins = rom(pc);
	wire [2:0]   opc = ins[20:18];
	wire [3:0]   rd = ins[17:14], rs1 = ins[13:10], rs2 = ins[9:6];
	wire [5:0]   target = ins[5:0];
	wire [255:0] x = rf[rs1], y = rf[rs2];

	// The modular adder and subtractor (operands < p).
	wire [256:0] sum = {1'b0, x} + {1'b0, y};
	wire [256:0] sum_p = sum - {1'b0, P};
	wire [255:0] addr = sum_p[256] ? sum[255:0] : sum_p[255:0];
	wire [256:0] dif = {1'b0, x} - {1'b0, y};
	wire [255:0] subr = dif[256] ? dif[255:0] + P : dif[255:0];

	// The multiplier, started on a MUL and waited for.
	wire         mul_done;
	/* verilator lint_off UNUSEDSIGNAL */
	wire         mul_ready;  // the sequencer starts a MUL only once the last one is done
	/* verilator lint_on UNUSEDSIGNAL */
	wire [255:0] mul_r;
	bn254_mont_mul mul (.clk(clk), .rst(rst), .start(busy && !waiting && opc == MUL), .a(x), .b(y),
		.ready(mul_ready), .done(mul_done), .r(mul_r));

	always @(posedge clk) begin
		if (rst) begin
			busy <= 1'b0;
			waiting <= 1'b0;
			done <= 1'b0;
			rf[5] <= ONE;
		end else begin
			done <= 1'b0;
			if (!busy) begin
				if (start) begin
					if (load) begin
						rf[0] <= p1_in[255:0];
						rf[1] <= p1_in[511:256];
						rf[2] <= p1_in[767:512];
					end
					rf[3] <= p2_in[255:0];
					rf[4] <= p2_in[511:256];
					pc <= op ? DBL : MADD;
					busy <= 1'b1;
					waiting <= 1'b0;
				end
			end else begin
				case (opc)
					END: begin
						busy <= 1'b0;
						done <= 1'b1;
					end
					MUL: begin
						if (!waiting) waiting <= 1'b1;
						else if (mul_done) begin
							rf[rd] <= mul_r;
							waiting <= 1'b0;
							pc <= pc + 6'd1;
						end
					end
					ADD: begin rf[rd] <= addr; pc <= pc + 6'd1; end
					SUB: begin rf[rd] <= subr; pc <= pc + 6'd1; end
					MOV: begin
						rf[rd] <= x;
						pc <= (target != 6'd0) ? target : pc + 6'd1;
					end
					BZ:  pc <= (x == 256'd0) ? target : pc + 6'd1;
					BZZ: pc <= (x == 256'd0 && y == 256'd0) ? target : pc + 6'd1;
					default: begin
						busy <= 1'b0;
						done <= 1'b1;
					end
				endcase
			end
		end
	end
endmodule
