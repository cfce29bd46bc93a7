`timescale 1 ps/1 ps

// passk verilog-mini testbench. stimulus_gen drives the inputs; tb compares TopModule
// with RefModule on both clock edges and reports in the VerilogEval format.

module stimulus_gen (
  input clk,
  output logic reset,
  output logic in
);

  initial begin
    reset <= 1; in <= 0;
    repeat (2) @(posedge clk);
    repeat (150) @(posedge clk) begin
      reset <= ($random & 63) == 0; in <= $random;
    end
    @(negedge clk);
    $finish;
  end

endmodule

module tb();

  logic clk = 0;
  initial forever #5 clk = ~clk;

  logic reset;
  logic in;
  logic [3:0] q_ref, q_dut;

  stimulus_gen stim1 (.clk(clk), .reset(reset), .in(in));
  RefModule ref1 (.clk(clk), .reset(reset), .in(in), .q(q_ref));
  TopModule dut1 (.clk(clk), .reset(reset), .in(in), .q(q_dut));

  // A reference bit that is X accepts any DUT value; an X from the DUT only matches X.
  wire ok_q = (q_ref === (q_ref ^ q_dut ^ q_ref));
  wire ok = ok_q;

  int samples = 0;
  int errors = 0;
  int errors_q = 0;
  int first_q = 0;

  always @(posedge clk, negedge clk) begin
    samples++;
    if (!ok) errors++;
    if (!ok_q) begin
      if (errors_q == 0) first_q = $time;
      errors_q++;
    end
  end

  final begin
    if (errors_q) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "q", errors_q, first_q);
    else $display("Hint: Output '%s' has no mismatches.", "q");
    $display("Hint: Total mismatched samples is %1d out of %1d samples\n", errors, samples);
    $display("Simulation finished at %0d ps", $time);
    $display("Mismatches: %1d in %1d samples", errors, samples);
  end

  // Stop a runaway simulation after 1 us (100k clock cycles).
  initial begin
    #1000000 $display("TIMEOUT");
    $finish();
  end

endmodule
