// keccak_f1600.v — Keccak-f[1600] (FIPS 202, Keccak-p[1600, 24]) as an
// iterative core: one round per clock cycle, 24 cycles per permutation, one
// permutation in flight. Throughput: clock / 24 permutations per second per
// core; a device instantiates as many cores as fit.
//
// Lane (x, y) of a state is bits [64(x+5y)+63 : 64(x+5y)], the layout of a
// little-endian [25]uint64 (zkaccel's and gnark-crypto's).
//
// Protocol: while ready, a cycle with start high loads state_in; 24 cycles
// later done is high for one cycle and state_out holds the result (and keeps
// it until the next start).

module keccak_f1600 (
	input  wire          clk,
	input  wire          rst,      // synchronous, active high
	input  wire          start,
	input  wire [1599:0] state_in,
	output wire          ready,
	output reg           done,
	output wire [1599:0] state_out
);
	reg  [1599:0] st;
	reg  [4:0]    round;
	reg           busy;
	wire [1599:0] next;

	keccak_round rnd (.in(st), .rc(keccak_rc(round)), .out(next));

	assign ready = !busy;
	assign state_out = st;

	always @(posedge clk) begin
		if (rst) begin
			busy <= 1'b0;
			done <= 1'b0;
			round <= 5'd0;
		end else begin
			done <= 1'b0;
			if (!busy && start) begin
				st <= state_in;
				busy <= 1'b1;
				round <= 5'd0;
			end else if (busy) begin
				st <= next;
				if (round == 5'd23) begin
					busy <= 1'b0;
					done <= 1'b1;
				end else begin
					round <= round + 5'd1;
				end
			end
		end
	end

	// keccak_rc is ι's round constant of round r (FIPS 202, Algorithm 6),
	// from the LFSR of Algorithm 5.
	function [63:0] keccak_rc(input [4:0] r);
		case (r)
			5'd0:  keccak_rc = 64'h0000000000000001;
			5'd1:  keccak_rc = 64'h0000000000008082;
			5'd2:  keccak_rc = 64'h800000000000808a;
			5'd3:  keccak_rc = 64'h8000000080008000;
			5'd4:  keccak_rc = 64'h000000000000808b;
			5'd5:  keccak_rc = 64'h0000000080000001;
			5'd6:  keccak_rc = 64'h8000000080008081;
			5'd7:  keccak_rc = 64'h8000000000008009;
			5'd8:  keccak_rc = 64'h000000000000008a;
			5'd9:  keccak_rc = 64'h0000000000000088;
			5'd10: keccak_rc = 64'h0000000080008009;
			5'd11: keccak_rc = 64'h000000008000000a;
			5'd12: keccak_rc = 64'h000000008000808b;
			5'd13: keccak_rc = 64'h800000000000008b;
			5'd14: keccak_rc = 64'h8000000000008089;
			5'd15: keccak_rc = 64'h8000000000008003;
			5'd16: keccak_rc = 64'h8000000000008002;
			5'd17: keccak_rc = 64'h8000000000000080;
			5'd18: keccak_rc = 64'h000000000000800a;
			5'd19: keccak_rc = 64'h800000008000000a;
			5'd20: keccak_rc = 64'h8000000080008081;
			5'd21: keccak_rc = 64'h8000000000008080;
			5'd22: keccak_rc = 64'h0000000080000001;
			5'd23: keccak_rc = 64'h8000000080008008;
			default: keccak_rc = 64'h0;
		endcase
	endfunction
endmodule
