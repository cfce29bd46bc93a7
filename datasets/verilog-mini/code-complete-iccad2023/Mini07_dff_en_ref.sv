
module RefModule (
  input  logic       clk,
  input  logic       reset,
  input  logic       en,
  input  logic [7:0] d,
  output logic [7:0] q
);

  always @(posedge clk)
    if (reset) q <= 8'd0;
    else if (en) q <= d;

endmodule

