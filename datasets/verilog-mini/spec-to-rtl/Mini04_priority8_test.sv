`timescale 1 ps/1 ps

// passk verilog-mini testbench. stimulus_gen drives the inputs; tb compares TopModule
// with RefModule on both clock edges and reports in the VerilogEval format.

module stimulus_gen (
  input clk,
  output logic [7:0] in
);

  initial begin
    in <= 8'h00;
    for (int i = 0; i < 8; i++) @(negedge clk) in <= 8'h01 << i;
    repeat (100) @(negedge clk) in <= $random & $random;
    @(negedge clk);
    $finish;
  end

endmodule

module tb();

  logic clk = 0;
  initial forever #5 clk = ~clk;

  logic [7:0] in;
  logic [2:0] idx_ref, idx_dut;
  logic valid_ref, valid_dut;

  stimulus_gen stim1 (.clk(clk), .in(in));
  RefModule ref1 (.in(in), .idx(idx_ref), .valid(valid_ref));
  TopModule dut1 (.in(in), .idx(idx_dut), .valid(valid_dut));

  // A reference bit that is X accepts any DUT value; an X from the DUT only matches X.
  wire ok_idx = (idx_ref === (idx_ref ^ idx_dut ^ idx_ref));
  wire ok_valid = (valid_ref === (valid_ref ^ valid_dut ^ valid_ref));
  wire ok = ok_idx && ok_valid;

  int samples = 0;
  int errors = 0;
  int errors_idx = 0;
  int first_idx = 0;
  int errors_valid = 0;
  int first_valid = 0;

  always @(posedge clk, negedge clk) begin
    samples++;
    if (!ok) errors++;
    if (!ok_idx) begin
      if (errors_idx == 0) first_idx = $time;
      errors_idx++;
    end
    if (!ok_valid) begin
      if (errors_valid == 0) first_valid = $time;
      errors_valid++;
    end
  end

  final begin
    if (errors_idx) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "idx", errors_idx, first_idx);
    else $display("Hint: Output '%s' has no mismatches.", "idx");
    if (errors_valid) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "valid", errors_valid, first_valid);
    else $display("Hint: Output '%s' has no mismatches.", "valid");
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
