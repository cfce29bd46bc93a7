
module RefModule (
  input  logic       clk,
  input  logic       reset,
  input  logic       en,
  output logic [3:0] count
);

  always @(posedge clk)
    if (reset) count <= 4'd0;
    else if (en) count <= count == 4'd9 ? 4'd0 : count + 4'd1;

endmodule

