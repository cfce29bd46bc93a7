
module RefModule (
  input  logic [7:0] in,
  output logic [3:0] count
);

  always @(*) begin
    count = 0;
    for (int i = 0; i < 8; i++) count = count + in[i];
  end

endmodule

