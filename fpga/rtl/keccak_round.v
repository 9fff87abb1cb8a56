// keccak_round.v — one round of Keccak-f[1600] (see keccak_f1600.v).

// keccak_round is one round of Keccak-f[1600], combinational: θ, ρ, π, χ,
// then ι with the round constant rc.
module keccak_round (
	input  wire [1599:0] in,
	input  wire [63:0]   rc,
	output wire [1599:0] out
);
	// ρ's rotation offset of lane i = x + 5y (FIPS 202, Algorithm 2).
	function integer rho(input integer i);
		case (i)
			0: rho = 0;   1: rho = 1;   2: rho = 62;  3: rho = 28;  4: rho = 27;
			5: rho = 36;  6: rho = 44;  7: rho = 6;   8: rho = 55;  9: rho = 20;
			10: rho = 3;  11: rho = 10; 12: rho = 43; 13: rho = 25; 14: rho = 39;
			15: rho = 41; 16: rho = 45; 17: rho = 15; 18: rho = 21; 19: rho = 8;
			20: rho = 18; 21: rho = 2;  22: rho = 61; 23: rho = 56; 24: rho = 14;
			default: rho = 0;
		endcase
	endfunction

	wire [319:0]  c;  // θ: column parities C[x]
	wire [319:0]  d;  // θ: D[x] = C[x-1] ^ rot(C[x+1], 1)
	wire [1599:0] e;  // after θ
	wire [1599:0] b;  // after ρ and π
	wire [1599:0] x;  // after χ

	genvar i, j;
	generate
		for (i = 0; i < 5; i = i + 1) begin : theta_c
			assign c[64*i +: 64] = in[64*i +: 64] ^ in[64*(i+5) +: 64] ^ in[64*(i+10) +: 64] ^
				in[64*(i+15) +: 64] ^ in[64*(i+20) +: 64];
		end
		for (i = 0; i < 5; i = i + 1) begin : theta_d
			assign d[64*i +: 64] = c[64*((i+4)%5) +: 64] ^
				{c[64*((i+1)%5) +: 63], c[64*((i+1)%5) + 63]};
		end
		for (i = 0; i < 5; i = i + 1) begin : lanes_x
			for (j = 0; j < 5; j = j + 1) begin : lanes_y
				// θ
				assign e[64*(i+5*j) +: 64] = in[64*(i+5*j) +: 64] ^ d[64*i +: 64];
				// ρ and π: lane (x, y) rotated moves to (y, 2x + 3y)
				if (rho(i+5*j) == 0) begin : norot
					assign b[64*(j+5*((2*i+3*j)%5)) +: 64] = e[64*(i+5*j) +: 64];
				end else begin : rot
					assign b[64*(j+5*((2*i+3*j)%5)) +: 64] =
						{e[64*(i+5*j) +: (64-rho(i+5*j))], e[64*(i+5*j) + 64 - rho(i+5*j) +: rho(i+5*j)]};
				end
				// χ
				assign x[64*(i+5*j) +: 64] = b[64*(i+5*j) +: 64] ^
					(~b[64*((i+1)%5+5*j) +: 64] & b[64*((i+2)%5+5*j) +: 64]);
			end
		end
	endgenerate

	// ι
	assign out = {x[1599:64], x[63:0] ^ rc};
endmodule
