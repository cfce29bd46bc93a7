`timescale 1 ps/1 ps

// passk verilog-mini testbench. stimulus_gen drives the inputs; tb compares TopModule
// with RefModule on both clock edges and reports in the VerilogEval format.

module stimulus_gen (
  input clk,
  output logic reset,
  output logic en
);

  initial begin
    reset <= 1; en <= 0;
    repeat (2) @(posedge clk);
    reset <= 0; en <= 1;
    repeat (25) @(posedge clk);
    repeat (150) @(posedge clk) begin
      reset <= ($random & 63) == 0; en <= ($random & 3) != 0;
    end
    @(negedge clk);
    $finish;
  end

endmodule

module tb();

  logic clk = 0;
  initial forever #5 clk = ~clk;

  logic reset;
  logic en;
  logic [3:0] count_ref, count_dut;

  stimulus_gen stim1 (.clk(clk), .reset(reset), .en(en));
  RefModule ref1 (.clk(clk), .reset(reset), .en(en), .count(count_ref));
  TopModule dut1 (.clk(clk), .reset(reset), .en(en), .count(count_dut));

  // A reference bit that is X accepts any DUT value; an X from the DUT only matches X.
  wire ok_count = (count_ref === (count_ref ^ count_dut ^ count_ref));
  wire ok = ok_count;

  int samples = 0;
  int errors = 0;
  int errors_count = 0;
  int first_count = 0;

  always @(posedge clk, negedge clk) begin
    samples++;
    if (!ok) errors++;
    if (!ok_count) begin
      if (errors_count == 0) first_count = $time;
      errors_count++;
    end
  end

  final begin
    if (errors_count) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "count", errors_count, first_count);
    else $display("Hint: Output '%s' has no mismatches.", "count");
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
