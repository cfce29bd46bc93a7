
module RefModule (
  input  logic clk,
  input  logic reset,
  input  logic trig,
  output logic out
);

  logic [1:0] left;
  always @(posedge clk)
    if (reset) left <= 2'd0;
    else if (trig) left <= 2'd3;
    else if (left != 2'd0) left <= left - 2'd1;
  assign out = left != 2'd0;

endmodule

