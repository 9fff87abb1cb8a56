// poseidon2_gl.v — the Poseidon2 permutation (Grassi, Khovratovich,
// Schofnegger, eprint 2023/323) over Goldilocks (p = 2^64 − 2^32 + 1) with
// the S-box x^7, as gnark-crypto's field/goldilocks/poseidon2 defines it,
// for a width T that is a multiple of 4 (gnark-crypto's widths are 8 and
// 12). The round keys, the internal matrix's diagonal and the round counts
// are loaded at run time, so one core runs any parameter set of its width.
//
// Schedule: an iterative core, one state in flight, T 64×64-bit modular
// multipliers. A permutation is
//   M_E · s                                                    1 cycle
//   ⌊rf/2⌋ full rounds, rp partial rounds, the other full rounds:
//     5 cycles each: A  x = s + k (every lane in a full round, lane 0 in a
//                       partial one); acc = x^2
//                    B  acc = x^3       C  acc = x^6       D  s = x^7
//                    L  s = M_E·s (full) or s_i = d_i·s_i + Σ_j s_j (partial)
// so 1 + 5·(rf + rp) cycles after the cycle that loads it: 116 for
// gnark-crypto's rf = 6, rp = 17. The partial rounds leave T − 1 of the
// multipliers idle; overlapping states there is the next step (see
// fpga/README.md).
//
// M_E = circ(2·M4, M4, …, M4) with HorizenLabs' M4 = [[5 7 1 3] [4 6 1 1]
// [1 3 5 7] [1 1 4 6]]: M4 on each block of 4 lanes, then each lane plus
// the sum of its position over all blocks. Both linear layers are summed
// unreduced and reduced once per lane (gl_red72).
//
// Lane i of a state is bits [64i+63 : 64i], canonical (< p).
//
// Configuration (while ready): a cycle with cfg_we high writes cfg_data to
//   cfg_sel 0  the round key of lane cfg_lane of round cfg_row (rounds in
//              order: the first ⌊rf/2⌋ full, the rp partial — lane 0 only —
//              then the rest)
//   cfg_sel 1  the diagonal entry d_cfg_lane of the internal matrix (its
//              diagonal minus one: s_i ← d_i·s_i + Σ_j s_j)
//   cfg_sel 2  the round counts: rf = cfg_data[7:0], rp = cfg_data[15:8]
//              (rf + rp ≤ RMAX)
//
// Protocol: while ready, a cycle with start high loads state_in; done is
// high for one cycle when state_out holds the result, which it keeps until
// the next start.

module poseidon2_gl #(
	parameter integer T = 12,
	parameter integer RMAX = 64
) (
	input  wire           clk,
	input  wire           rst,      // synchronous, active high
	input  wire           cfg_we,
	input  wire [1:0]     cfg_sel,
	input  wire [5:0]     cfg_row,
	input  wire [3:0]     cfg_lane,
	input  wire [63:0]    cfg_data,
	input  wire           start,
	input  wire [64*T-1:0] state_in,
	output wire           ready,
	output reg            done,
	output wire [64*T-1:0] state_out
);
	localparam [2:0] IDLE = 3'd0, EXT0 = 3'd1, PA = 3'd2, PB = 3'd3, PC = 3'd4, PD = 3'd5, PL = 3'd6;
	localparam integer NB = T / 4;

	reg [2:0]  phase;
	reg [6:0]  round;
	reg [7:0]  rf, rp;
	reg [63:0] s   [0:T-1];
	reg [63:0] acc [0:T-1];
	reg [63:0] diag [0:T-1];

	// The current round: full unless ⌊rf/2⌋ ≤ round < ⌊rf/2⌋ + rp.
	wire [7:0] half = {1'b0, rf[7:1]};
	wire       partial = ({1'b0, round} >= half) && ({1'b0, round} < half + rp);
	wire [7:0] nrounds = rf + rp;

	assign ready = (phase == IDLE);

	genvar i, k;

	// The round keys: one memory per lane, RMAX rows, read at the round.
	wire [63:0] key [0:T-1];
	generate
		for (i = 0; i < T; i = i + 1) begin : keys
			reg [63:0] mem [0:RMAX-1];
			always @(posedge clk)
				if (cfg_we && phase == IDLE && cfg_sel == 2'd0 && cfg_lane == i)
					mem[cfg_row] <= cfg_data;
			assign key[i] = mem[round[5:0]];
		end
	endgenerate

	// Lane i is active in this round's S-box: every lane of a full round,
	// lane 0 of a partial one.
	wire active [0:T-1];
	wire [63:0] x [0:T-1];   // s + k
	wire [63:0] mo [0:T-1];  // the multipliers' products
	generate
		for (i = 0; i < T; i = i + 1) begin : lanes
			assign active[i] = (i == 0) || !partial;
			gl_add addk (.a(s[i]), .b(key[i]), .r(x[i]));
			// The multiplier's operands per phase: A x·x, B acc·s, C acc·acc,
			// D acc·s, L s·d.
			wire [63:0] ma = (phase == PA) ? x[i] : (phase == PL) ? s[i] : acc[i];
			wire [63:0] mb = (phase == PA) ? x[i] : (phase == PC) ? acc[i] : (phase == PL) ? diag[i] : s[i];
			gl_mul mul (.a(ma), .b(mb), .r(mo[i]));
			assign state_out[64*i+63:64*i] = s[i];
		end
	endgenerate

	// The external layer M_E·s, summed unreduced: y = M4 per block (< 2^68),
	// z = Σ over blocks (< 2^70), lane = y + z (< 2^71).
	wire [71:0] y [0:T-1];
	wire [71:0] z [0:3];
	wire [63:0] ext [0:T-1];
	generate
		for (k = 0; k < NB; k = k + 1) begin : blocks
			// M4 by the Poseidon2 paper's addition chain (appendix B): shifts
			// and adds, no multipliers.
			wire [71:0] a0 = {8'b0, s[4*k]}, a1 = {8'b0, s[4*k+1]}, a2 = {8'b0, s[4*k+2]}, a3 = {8'b0, s[4*k+3]};
			wire [71:0] t0 = a0 + a1, t1 = a2 + a3;
			wire [71:0] t2 = (a1 << 1) + t1, t3 = (a3 << 1) + t0;
			wire [71:0] t4 = (t1 << 2) + t3, t5 = (t0 << 2) + t2;
			assign y[4*k]   = t3 + t5; // 5·a0 + 7·a1 +   a2 + 3·a3
			assign y[4*k+1] = t5;      // 4·a0 + 6·a1 +   a2 +   a3
			assign y[4*k+2] = t2 + t4; //   a0 + 3·a1 + 5·a2 + 7·a3
			assign y[4*k+3] = t4;      //   a0 +   a1 + 4·a2 + 6·a3
		end
		for (i = 0; i < 4; i = i + 1) begin : cols
			if (NB == 1) begin : one
				assign z[i] = y[i];
			end else if (NB == 2) begin : two
				assign z[i] = y[i] + y[4+i];
			end else begin : three
				assign z[i] = y[i] + y[4+i] + y[8+i];
			end
		end
		for (i = 0; i < T; i = i + 1) begin : extred
			gl_red72 red (.x(y[i] + z[i % 4]), .r(ext[i]));
		end
	endgenerate

	// The internal layer d_i·s_i + Σ_j s_j (the products from the
	// multipliers in phase PL).
	reg [71:0] sum;
	integer j;
	always @(*) begin
		sum = 72'd0;
		for (j = 0; j < T; j = j + 1) sum = sum + {8'b0, s[j]};
	end
	wire [63:0] intl [0:T-1];
	generate
		for (i = 0; i < T; i = i + 1) begin : intred
			gl_red72 red (.x({8'b0, mo[i]} + sum), .r(intl[i]));
		end
	endgenerate

	integer l;
	always @(posedge clk) begin
		if (rst) begin
			phase <= IDLE;
			done <= 1'b0;
			round <= 7'd0;
			rf <= 8'd0;
			rp <= 8'd0;
		end else begin
			done <= 1'b0;
			case (phase)
				IDLE: begin
					for (l = 0; l < T; l = l + 1)
						if (cfg_we && cfg_sel == 2'd1 && {28'b0, cfg_lane} == l) diag[l] <= cfg_data;
					if (cfg_we && cfg_sel == 2'd2) begin
						rf <= cfg_data[7:0];
						rp <= cfg_data[15:8];
					end
					if (start) begin
						for (l = 0; l < T; l = l + 1) s[l] <= state_in[64*l +: 64];
						round <= 7'd0;
						phase <= EXT0;
					end
				end
				EXT0: begin
					for (l = 0; l < T; l = l + 1) s[l] <= ext[l];
					if (nrounds == 8'd0) begin
						phase <= IDLE;
						done <= 1'b1;
					end else begin
						phase <= PA;
					end
				end
				PA: begin
					for (l = 0; l < T; l = l + 1) begin
						if (active[l]) s[l] <= x[l];
						acc[l] <= mo[l];
					end
					phase <= PB;
				end
				PB: begin
					for (l = 0; l < T; l = l + 1) acc[l] <= mo[l];
					phase <= PC;
				end
				PC: begin
					for (l = 0; l < T; l = l + 1) acc[l] <= mo[l];
					phase <= PD;
				end
				PD: begin
					for (l = 0; l < T; l = l + 1) if (active[l]) s[l] <= mo[l];
					phase <= PL;
				end
				PL: begin
					for (l = 0; l < T; l = l + 1) s[l] <= partial ? intl[l] : ext[l];
					if ({1'b0, round} + 8'd1 == nrounds) begin
						phase <= IDLE;
						done <= 1'b1;
					end else begin
						round <= round + 7'd1;
						phase <= PA;
					end
				end
				default: phase <= IDLE;
			endcase
		end
	end
endmodule
