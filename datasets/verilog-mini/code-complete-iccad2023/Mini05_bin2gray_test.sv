`timescale 1 ps/1 ps

// passk verilog-mini testbench. stimulus_gen drives the inputs; tb compares TopModule
// with RefModule on both clock edges and reports in the VerilogEval format.

module stimulus_gen (
  input clk,
  output logic [5:0] bin
);

  initial begin
    bin <= 6'd0;
    for (int i = 0; i < 64; i++) @(negedge clk) bin <= i[5:0];
    @(negedge clk);
    $finish;
  end

endmodule

module tb();

  logic clk = 0;
  initial forever #5 clk = ~clk;

  logic [5:0] bin;
  logic [5:0] gray_ref, gray_dut;

  stimulus_gen stim1 (.clk(clk), .bin(bin));
  RefModule ref1 (.bin(bin), .gray(gray_ref));
  TopModule dut1 (.bin(bin), .gray(gray_dut));

  // A reference bit that is X accepts any DUT value; an X from the DUT only matches X.
  wire ok_gray = (gray_ref === (gray_ref ^ gray_dut ^ gray_ref));
  wire ok = ok_gray;

  int samples = 0;
  int errors = 0;
  int errors_gray = 0;
  int first_gray = 0;

  always @(posedge clk, negedge clk) begin
    samples++;
    if (!ok) errors++;
    if (!ok_gray) begin
      if (errors_gray == 0) first_gray = $time;
      errors_gray++;
    end
  end

  final begin
    if (errors_gray) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "gray", errors_gray, first_gray);
    else $display("Hint: Output '%s' has no mismatches.", "gray");
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
