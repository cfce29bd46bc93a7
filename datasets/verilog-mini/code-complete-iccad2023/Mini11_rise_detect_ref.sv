
module RefModule (
  input  logic clk,
  input  logic reset,
  input  logic in,
  output logic pulse
);

  logic prev;
  always @(posedge clk)
    if (reset) begin
      prev <= 1'b0;
      pulse <= 1'b0;
    end else begin
      prev <= in;
      pulse <= in & ~prev;
    end

endmodule

