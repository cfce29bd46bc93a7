
module RefModule (
  input  logic [7:0] in,
  output logic [2:0] idx,
  output logic       valid
);

  always @(*) begin
    idx = 3'd0;
    for (int i = 0; i < 8; i++) if (in[i]) idx = i[2:0];
  end
  assign valid = |in;

endmodule

