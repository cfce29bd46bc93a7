
module RefModule (
  input  logic [5:0] bin,
  output logic [5:0] gray
);

  assign gray = bin ^ (bin >> 1);

endmodule

