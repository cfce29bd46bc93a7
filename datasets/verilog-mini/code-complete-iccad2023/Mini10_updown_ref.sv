
module RefModule (
  input  logic       clk,
  input  logic       reset,
  input  logic       load,
  input  logic       up,
  input  logic [7:0] d,
  output logic [7:0] q
);

  always @(posedge clk)
    if (reset) q <= 8'd0;
    else if (load) q <= d;
    else if (up) q <= q + 8'd1;
    else q <= q - 8'd1;

endmodule

