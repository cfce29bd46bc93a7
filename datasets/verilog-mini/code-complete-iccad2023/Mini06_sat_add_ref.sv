
module RefModule (
  input  logic [7:0] a,
  input  logic [7:0] b,
  output logic [7:0] sum
);

  logic [8:0] full;
  assign full = a + b;
  assign sum = full[8] ? 8'hff : full[7:0];

endmodule

