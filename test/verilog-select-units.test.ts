/**
 * The pure parts of behavioural Verilog selection: reading interfaces, finding clock and reset,
 * planning seeded stimulus, the VerilogEval x/z agreement rule, the agreement matrix, mutants.
 * (Simulation in the sandbox: verilog-select-run.test.ts.)
 */
import {describe, expect, it} from 'vitest';
import {agrees, behaviourMatrix} from '../src/select/verilog/agreement.js';
import {detectRoles, majorityInterface, parseInterface} from '../src/select/verilog/interface.js';
import {mutantPool, mutantsOf, poolShapes} from '../src/select/verilog/mutants.js';
import {planStimulus, renderTestbench} from '../src/select/verilog/stimulus.js';
import {readTrace} from '../src/select/verilog/traces.js';

describe('parseInterface', () => {
  it('reads ANSI ports with types, ranges, shared declarations and comments', () => {
    const code = `module TopModule (
      input  logic clk, // the clock
      input wire signed [7:0] a, b,
      input [3:1] c, /* three bits */
      output reg [0:4] q,
      output logic done
    ); endmodule`;
    expect(parseInterface(code, 'TopModule')?.ports).toEqual([
      {name: 'clk', direction: 'input', width: 1},
      {name: 'a', direction: 'input', width: 8},
      {name: 'b', direction: 'input', width: 8},
      {name: 'c', direction: 'input', width: 3},
      {name: 'q', direction: 'output', width: 5},
      {name: 'done', direction: 'output', width: 1},
    ]);
  });

  it('reads the list-of-names form with declarations in the body, and parameter widths', () => {
    const code = 'module top_module #(parameter N = 4) (a, y);\n  input [N-1:0] a;\n  output [2*N-1:0] y;\n  assign y = {a, a};\nendmodule';
    expect(parseInterface(code, 'top_module')?.ports).toEqual([
      {name: 'a', direction: 'input', width: 4},
      {name: 'y', direction: 'output', width: 8},
    ]);
  });

  it('refuses what it cannot drive or name: no such module, unpacked array ports, unknown widths, duplicates', () => {
    expect(parseInterface('module Other (input a); endmodule', 'TopModule')).toBeUndefined();
    expect(parseInterface('module TopModule (input [7:0] mem [3:0], output q); endmodule', 'TopModule')).toBeUndefined();
    expect(parseInterface('module TopModule (input [W-1:0] a, output q); endmodule', 'TopModule')).toBeUndefined();
    expect(parseInterface('module TopModule (input a, output a); endmodule', 'TopModule')).toBeUndefined();
    expect(parseInterface('', 'TopModule')).toBeUndefined();
  });

  it('takes the interface most samples declare, ignoring unreadable candidates', () => {
    const wide = 'module TopModule (input [7:0] a, output q); endmodule';
    const narrow = 'module TopModule (input [3:0] a, output q); endmodule';
    const chosen = majorityInterface([{code: narrow, weight: 1}, {code: 'garbage', weight: 5}, {code: wide, weight: 2}], 'TopModule');
    expect(chosen?.ports[0]).toEqual({name: 'a', direction: 'input', width: 8});
  });

  it('counts the same ports in another order as the same interface (connections are by name)', () => {
    const ab = 'module TopModule (input [3:0] a, input b, output q); endmodule';
    const ba = 'module TopModule (input b, input [3:0] a, output q); endmodule';
    const other = 'module TopModule (input [3:0] a, input c, output q); endmodule';
    const chosen = majorityInterface([{code: other, weight: 2}, {code: ba, weight: 2}, {code: ab, weight: 1}], 'TopModule');
    expect(chosen?.ports.map((p) => p.name)).toEqual(['b', 'a', 'q']);
  });
});

describe('detectRoles', () => {
  const iface = (ports: string) => parseInterface(`module M (${ports}); endmodule`, 'M')!;

  it('finds clock and reset by name, active low from the name or from negedge use', () => {
    expect(detectRoles(iface('input clk, input reset, input d, output q'), [])).toEqual({clock: 'clk', reset: {name: 'reset', activeLow: false}});
    expect(detectRoles(iface('input clk, input aresetn, output q'), [])).toEqual({clock: 'clk', reset: {name: 'aresetn', activeLow: true}});
    expect(detectRoles(iface('input clk, input rst, output q'), ['always @(posedge clk or negedge rst)', 'always @(posedge clk, negedge rst)']).reset).toEqual({
      name: 'rst',
      activeLow: true,
    });
  });

  it('finds a clock by use when its name says nothing, and none in a combinational design', () => {
    const codes = ['always @(posedge tick) q <= d;', 'always @(posedge tick) begin q <= d; end', 'assign q = d;'];
    expect(detectRoles(iface('input tick, input d, output q'), codes).clock).toBe('tick');
    expect(detectRoles(iface('input a, input b, output y'), ['assign y = a & b;'])).toEqual({});
  });
});

describe('planStimulus and the testbench', () => {
  const iface = parseInterface('module TopModule (input clk, input reset, input a, input b, input [7:0] d, output [7:0] q); endmodule', 'TopModule')!;
  const roles = {clock: 'clk', reset: {name: 'reset', activeLow: false}};

  it('is the same for the same seed and differs for another', () => {
    const one = planStimulus(iface, roles, {seed: 1, blocks: 4, cycles: 8});
    expect(planStimulus(iface, roles, {seed: 1, blocks: 4, cycles: 8})).toEqual(one);
    expect(planStimulus(iface, roles, {seed: 2, blocks: 4, cycles: 8}).blocks).not.toEqual(one.blocks);
  });

  it('starts every block in reset, counts the one-bit inputs through their values in the corner block, and makes the last block long', () => {
    const {blocks, driven} = planStimulus(iface, roles, {seed: 3, blocks: 4, cycles: 8});
    expect(driven.map((p) => p.name)).toEqual(['reset', 'a', 'b', 'd']);
    expect(blocks.map((block) => block.length)).toEqual([8, 8, 8, 256]);
    for (const block of blocks) expect(block.slice(0, 2).map((vector) => vector[0])).toEqual(['1', '1']);
    expect(blocks[0]!.slice(0, 4).map((vector) => vector[1]! + vector[2]!)).toEqual(['00', '10', '01', '11']);
    expect(new Set(blocks[0]!.map((vector) => vector[3]))).toContain('11111111');
    for (const block of blocks) for (const vector of block) expect(vector[3]).toMatch(/^[01]{8}$/);
  });

  it('drives an active-low reset low, and treats a reset without a clock as a plain input', () => {
    const low = planStimulus(iface, {clock: 'clk', reset: {name: 'reset', activeLow: true}}, {seed: 0, blocks: 3, cycles: 4});
    expect(low.blocks[0]!.slice(0, 2).map((vector) => vector[0])).toEqual(['0', '0']);
    const combinational = planStimulus(iface, {reset: {name: 'reset', activeLow: false}}, {seed: 0, blocks: 3, cycles: 4});
    expect(combinational.roles).toEqual({});
    expect(combinational.driven.map((p) => p.name)).toEqual(['clk', 'reset', 'a', 'b', 'd']);
  });

  it('prints each sample under the tag; readTrace splits blocks and refuses a short or padded trace', () => {
    const stimulus = planStimulus(iface, roles, {seed: 0, blocks: 3, cycles: 3});
    const tb = renderTestbench(stimulus, 'TopModule', 'abc123');
    expect(tb.top).toBe('passk_stim_abc123');
    expect(tb.source).toContain('TopModule passk_dut_abc123 (.clk(clk), .reset(reset), .a(a), .b(b), .d(d), .q(q));');
    const lines: string[] = [];
    let k = 0;
    for (const block of stimulus.blocks) for (let c = 0; c < block.length; c++, k++) lines.push(`abc123 ${k} a 0000000${c % 2}`, `abc123 ${k} b xxxxxxxx`);
    const trace = readTrace(['design noise', ...lines, 'abc123 end', ''].join('\n'), stimulus, 'abc123');
    expect(trace.status).toBe('ok');
    expect(trace.status === 'ok' && trace.blocks[0]).toBe('00000000\nxxxxxxxx\n00000001\nxxxxxxxx\n00000000\nxxxxxxxx');
    expect(readTrace([...lines.slice(0, -1), 'abc123 end'].join('\n'), stimulus, 'abc123').status).toBe('incomplete');
    expect(readTrace([...lines, 'abc123 end', 'abc123 end'].join('\n'), stimulus, 'abc123').status).toBe('incomplete');
    expect(readTrace(lines.join('\n'), stimulus, 'abc123').status).toBe('incomplete');
  });
});

describe('agreement (VerilogEval: tb_match = ref === (ref ^ dut ^ ref))', () => {
  it('an x in the reference matches anything, an x in the candidate only an x, a z in the reference nothing', () => {
    expect(agrees('0101', '0101')).toBe(true);
    expect(agrees('0111', '01x1')).toBe(true);
    expect(agrees('01x1', '0111')).toBe(false);
    expect(agrees('01x1', '01x1')).toBe(true);
    expect(agrees('01z1', '01z1')).toBe(false);
    expect(agrees('0101', '010')).toBe(false);
  });

  it('makes one check per distinct block trace, weighted by samples; unrun candidates have no row', () => {
    const ok = (...blocks: string[]) => ({status: 'ok' as const, blocks});
    const matrix = behaviourMatrix(
      {taskId: 't', solutions: ['A', 'B', 'C', 'D'], solCount: [3, 1, 1, 2], gt: [true, false, false, false]},
      [ok('00', '11'), ok('00', '10'), ok('xx', '11'), {status: 'compile error', detail: 'syntax'}],
      'TopModule',
    );
    expect(matrix.execOk).toEqual([true, true, true, false]);
    // Checks: block 0 traces 00 (A, B: 4 samples), xx (C); block 1 traces 11 (A, C: 4), 10 (B).
    expect(matrix.testCount).toEqual([4, 1, 4, 1]);
    expect(matrix.rows).toEqual(['1110', '1101', '0110', '']);
    expect(new Set(matrix.tests).size).toBe(4);
  });
});

describe('mutants', () => {
  const reference = `module TopModule (input clk, input reset, input [3:0] d, output reg [3:0] q, output y);
  // keeps d
  reg [3:0] r;
  always @(posedge clk)
    if (reset) q <= 4'd0;
    else if (d == 9) q <= q + 1;
    else q <= d & r;
  assign y = q[0] | q[1];
endmodule`;

  it('makes every kind of single-site mutant, each different from the reference, never touching the port list', () => {
    const mutants = mutantsOf(reference, true);
    expect(new Set(mutants.map((m) => m.kind))).toEqual(new Set(['operator', 'condition', 'width', 'constant', 'reset']));
    const header = reference.slice(0, reference.indexOf(');') + 2);
    for (const mutant of mutants) {
      expect(mutant.code.startsWith(header)).toBe(true);
      expect(mutant.code).not.toContain('keeps d');
    }
    expect(mutants.find((m) => m.kind === 'reset')?.code).toContain("q <= ~(4'd0);");
    expect(mutants.find((m) => m.kind === 'width')?.code).toContain('reg [2:0] r;');
    expect(mutants.find((m) => m.kind === 'condition')?.code).toContain('if (!(reset))');
    expect(mutants.filter((m) => m.kind === 'constant').map((m) => m.description)).toEqual(expect.arrayContaining([expect.stringContaining('9 → 10')]));
  });

  it('pools are seeded: the shape’s copies, mixed kinds, the same for a seed', () => {
    const pool = mutantPool(reference, true, poolShapes.minority, 7);
    expect(pool).toHaveLength(5);
    expect(pool.filter((entry) => !entry.mutant)).toHaveLength(1);
    expect(new Set(pool.filter((entry) => entry.mutant).map((entry) => entry.mutant!.kind)).size).toBe(3);
    expect(mutantPool(reference, true, poolShapes.minority, 7)).toEqual(pool);
    expect(mutantPool(reference, true, poolShapes.minority, 8)).not.toEqual(pool);
  });
});
