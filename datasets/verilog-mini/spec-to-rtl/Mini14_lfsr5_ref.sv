
module RefModule (
  input  logic       clk,
  input  logic       reset,
  output logic [4:0] q
);

  always @(posedge clk)
    if (reset) q <= 5'b00001;
    else q <= {q[3:0], q[4] ^ q[2]};

endmodule

