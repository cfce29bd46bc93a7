
module RefModule (
  input  logic clk,
  input  logic reset,
  input  logic in,
  output logic found
);

  localparam logic [1:0] IDLE = 2'd0, GOT1 = 2'd1, GOT10 = 2'd2, MATCH = 2'd3;
  logic [1:0] state, next;
  always @(*)
    case (state)
      IDLE:    next = in ? GOT1 : IDLE;
      GOT1:    next = in ? GOT1 : GOT10;
      GOT10:   next = in ? MATCH : IDLE;
      default: next = in ? GOT1 : GOT10;
    endcase
  always @(posedge clk)
    if (reset) state <= IDLE;
    else state <= next;
  assign found = state == MATCH;

endmodule

