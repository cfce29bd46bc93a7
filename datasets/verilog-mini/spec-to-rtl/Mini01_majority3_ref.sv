
module RefModule (
  input  logic a,
  input  logic b,
  input  logic c,
  output logic out
);

  assign out = (a & b) | (a & c) | (b & c);

endmodule

