
module RefModule (
  input  logic       clk,
  input  logic       reset,
  input  logic       in,
  output logic [3:0] q
);

  always @(posedge clk)
    if (reset) q <= 4'd0;
    else q <= {q[2:0], in};

endmodule

