`timescale 1 ps/1 ps

// passk verilog-mini testbench. stimulus_gen drives the inputs; tb compares TopModule
// with RefModule on both clock edges and reports in the VerilogEval format.

module stimulus_gen (
  input clk,
  output logic [1:0] sel,
  output logic [7:0] d0,
  output logic [7:0] d1,
  output logic [7:0] d2,
  output logic [7:0] d3
);

  initial begin
    {sel, d0, d1, d2, d3} <= '0;
    repeat (120) @(negedge clk) begin
      sel <= $random; d0 <= $random; d1 <= $random; d2 <= $random; d3 <= $random;
    end
    @(negedge clk);
    $finish;
  end

endmodule

module tb();

  logic clk = 0;
  initial forever #5 clk = ~clk;

  logic [1:0] sel;
  logic [7:0] d0;
  logic [7:0] d1;
  logic [7:0] d2;
  logic [7:0] d3;
  logic [7:0] out_ref, out_dut;

  stimulus_gen stim1 (.clk(clk), .sel(sel), .d0(d0), .d1(d1), .d2(d2), .d3(d3));
  RefModule ref1 (.sel(sel), .d0(d0), .d1(d1), .d2(d2), .d3(d3), .out(out_ref));
  TopModule dut1 (.sel(sel), .d0(d0), .d1(d1), .d2(d2), .d3(d3), .out(out_dut));

  // A reference bit that is X accepts any DUT value; an X from the DUT only matches X.
  wire ok_out = (out_ref === (out_ref ^ out_dut ^ out_ref));
  wire ok = ok_out;

  int samples = 0;
  int errors = 0;
  int errors_out = 0;
  int first_out = 0;

  always @(posedge clk, negedge clk) begin
    samples++;
    if (!ok) errors++;
    if (!ok_out) begin
      if (errors_out == 0) first_out = $time;
      errors_out++;
    end
  end

  final begin
    if (errors_out) $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.", "out", errors_out, first_out);
    else $display("Hint: Output '%s' has no mismatches.", "out");
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
