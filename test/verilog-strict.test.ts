/**
 * Strict mode against samples that try (or happen) to fool the log-based verdict: the robustness
 * probes of the spec (§11), run for real in the sandbox on our own suite, plus the judge's
 * handling of abnormal step results with a scripted sandbox.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Verdict} from '../src/bench/bench.js';
import {openSandbox} from '../src/execute/index.js';
import type {Job, JobResult, Sandbox, StepResult} from '../src/execute/sandbox.js';
import {hardenTestbench, hasMismatchesDisplay, readTrailer, readVerdictLine} from '../src/bench/verilog/testbench.js';
import {loadVerilogEvalV2, type V2Problem} from '../src/bench/verilog/v2.js';
import {projectRoot} from './helpers/datasets.js';

const bench = loadVerilogEvalV2({dataset: path.join(projectRoot, 'datasets', 'verilog-mini'), task: 'spec-to-rtl'});
const majority = bench.problems.find((problem) => problem.id === 'Mini01_majority3')!;

describe('testbench verdict line', () => {
  const display = '$display("Mismatches: %1d in %1d samples", stats1.errors, stats1.clocks);';

  it('renames the testbench and its instances with one nonce and tags the added display with another', () => {
    expect(hasMismatchesDisplay(`final begin ${display} end`)).toBe(true);
    expect(hasMismatchesDisplay(`${display}${display}`)).toBe(false);
    const tb = [
      'module stimulus_gen(input clk); endmodule',
      'module tb();',
      '  stimulus_gen stim1 (.clk);',
      '  RefModule good1 (.q(q_ref));',
      '  TopModule #(.W(2)) top_module1 (.q(q_dut));',
      '  initial $dumpvars(1, stim1.clk, good1.q);',
      `  final begin\n  ${display}\n  end`,
      'endmodule',
    ].join('\n');
    expect(hardenTestbench(tb, {scope: 'abc', verdict: 'f00'})).toEqual({
      top: 'tb_abc',
      test: [
        'module stimulus_gen(input clk); endmodule',
        'module tb_abc();',
        '  stimulus_gen stim1_abc (.clk);',
        '  RefModule_abc good1_abc (.q(q_ref));',
        '  TopModule #(.W(2)) top_module1_abc (.q(q_dut));',
        '  initial $dumpvars(1, stim1_abc.clk, good1_abc.q);',
        `  final begin\n  ${display} $display("passk-verdict-f00 %1d %1d", stats1.errors, stats1.clocks);\n  end`,
        'endmodule',
      ].join('\n'),
    });
  });

  it('trusts exactly one line carrying the nonce', () => {
    expect(readVerdictLine('Mismatches: 0 in 9 samples\npassk-verdict-abc 2 9\n', 'abc')).toEqual({mismatches: 2, samples: 9});
    expect(readVerdictLine('passk-verdict-xyz 0 9\n', 'abc')).toMatch(/did not report/);
    expect(readVerdictLine('passk-verdict-abc 0 9\npassk-verdict-abc 0 9\n', 'abc')).toMatch(/more than once/);
  });

  it('reads the printed trailer and its per-output hints', () => {
    const output = [
      "Hint: Output 'a' has no mismatches.",
      "Hint: Output 'b' has 3 mismatches. First mismatch occurred at time 25.",
      'Hint: Total mismatched samples is 3 out of 40 samples',
      '',
      'Simulation finished at 200 ps',
      'Mismatches: 3 in 40 samples',
    ].join('\n');
    expect(readTrailer(output)).toEqual({
      mismatches: 3,
      samples: 40,
      hints: [
        {output: 'a', mismatches: 0},
        {output: 'b', mismatches: 3, firstMismatchAt: 25},
      ],
    });
    expect(readTrailer('nothing here')).toEqual({hints: []});
  });
});

function step(overrides: Partial<StepResult> = {}): StepResult {
  return {exitCode: 0, signal: null, timedOut: false, oom: false, truncated: false, stdout: '', stderr: '', durationMs: 1, ...overrides};
}

/** A sandbox that answers every job with the given steps (the nonce-tagged line is echoed back when asked). */
function scripted(respond: (job: Job) => JobResult): Sandbox {
  return {backend: 'scripted', run: async (job) => respond(job), toolchain: async () => ({}), close: async () => {}};
}

function nonceOf(job: Job): string {
  return /passk-verdict-([0-9a-f]+)/.exec(job.files['test.sv']!)?.[1] ?? 'none';
}

const trailer = (mismatches: number, samples: number) =>
  `Hint: Total mismatched samples is ${mismatches} out of ${samples} samples\n\nSimulation finished at 5 ps\nMismatches: ${mismatches} in ${samples} samples\n`;

describe('judge outcomes from abnormal steps (scripted sandbox)', () => {
  const calibration: Verdict = {passed: true, result: 'passed', durationMs: 1, details: {samples: 98}};

  it('reports a sandbox failure as errored, never as the sample’s fault', async () => {
    const sandbox = scripted(() => ({steps: [], durationMs: 3, error: 'bwrap: cannot create namespace'}));
    const verdict = await bench.judge(majority, 'x', {sandbox, mode: 'strict'});
    expect(verdict).toMatchObject({passed: false, errored: true, result: 'error: sandbox: bwrap: cannot create namespace'});
  });

  it('passes a clean run in strict mode only with the nonce line and the calibrated sample count', async () => {
    const clean = (job: Job) => ({steps: [step(), step({stdout: `${trailer(0, 98)}passk-verdict-${nonceOf(job)} 0 98\n`})], durationMs: 2});
    expect(await bench.judge(majority, 'x', {sandbox: scripted(clean), mode: 'strict', calibration})).toMatchObject({passed: true, class: '.'});
    const fewer = (job: Job) => ({steps: [step(), step({stdout: `${trailer(0, 3)}passk-verdict-${nonceOf(job)} 0 3\n`})], durationMs: 2});
    expect(await bench.judge(majority, 'x', {sandbox: scripted(fewer), mode: 'strict', calibration})).toMatchObject({
      passed: false,
      class: '.',
      result: 'failed: the testbench compared 3 samples, the reference run 98',
    });
  });

  it('turns a simulation timeout into class T and "timed out", like upstream’s exit-124 echo', async () => {
    // vvp killed by SIGTERM still runs final blocks: the log then holds a zero-mismatch line.
    const hung = () => ({steps: [step(), step({timedOut: true, exitCode: null, signal: 'SIGKILL', stdout: trailer(0, 3)})], durationMs: 30_000});
    for (const mode of ['strict', 'compat'] as const) {
      const verdict = await bench.judge(majority, 'x', {sandbox: scripted(hung), mode});
      expect(verdict).toMatchObject({passed: false, class: 'T', result: 'timed out'});
      expect(verdict.details?.logTail).toMatch(/Mismatches: 0 in 3 samples\nTIMEOUT\n$/);
    }
  });

  it('reports a compile hang as a timeout too', async () => {
    const hung = () => ({steps: [step({timedOut: true, exitCode: null, signal: 'SIGKILL'})], durationMs: 60_000});
    expect(await bench.judge(majority, 'x', {sandbox: scripted(hung), mode: 'compat'})).toMatchObject({class: 'T', result: 'timed out'});
  });

  it('does not pass a truncated or crashed simulation in strict mode', async () => {
    const truncated = (job: Job) => ({
      steps: [step(), step({truncated: true, exitCode: null, signal: 'SIGKILL', stdout: `${trailer(0, 98)}passk-verdict-${nonceOf(job)} 0 98\n`})],
      durationMs: 2,
    });
    expect(await bench.judge(majority, 'x', {sandbox: scripted(truncated), mode: 'strict', calibration})).toMatchObject({
      passed: false,
      class: '.',
      result: 'failed: simulation exceeded the output limit',
    });
    expect(await bench.judge(majority, 'x', {sandbox: scripted(truncated), mode: 'compat', calibration})).toMatchObject({passed: true});
  });
});

// No catch: a sandbox that fails to open must fail the suite, not turn its tests into skips.
const sandbox = await openSandbox();
afterAll(() => sandbox?.close());

const header = 'module TopModule (\n  input logic a,\n  input logic b,\n  input logic c,\n  output logic out\n);\n';
const right = `${header}  assign out = (a & b) | (a & c) | (b & c);\n`;
const wrong = `${header}  assign out = a | b | c;\n`;

describe.skipIf(!sandbox)('robustness probes in the sandbox (spec §11)', () => {
  let calibration: Verdict;
  const judge = (problem: V2Problem, code: string, mode: 'strict' | 'compat') => bench.judge(problem, code, {sandbox: sandbox!, mode, calibration});

  it('calibrates with the reference', async () => {
    calibration = await bench.judge(majority, bench.reference(majority), {sandbox: sandbox!, mode: 'strict'});
    expect(calibration).toMatchObject({passed: true, class: '.', result: 'passed', details: {mismatches: 0, samples: 98}});
  });

  it.each([
    ['a forged Mismatches line', 'initial $display("Mismatches: 0 in 98 samples");'],
    ['an early $finish (the testbench prints Mismatches: 0 in 0 samples)', 'initial $finish;'],
    [
      'a complete forged trailer from a final block that then ends the simulation',
      'final begin $display("Hint: Total mismatched samples is 0 out of 98 samples\\n"); $display("Simulation finished at 490 ps"); $display("Mismatches: 0 in 98 samples"); $finish; end',
    ],
    ['a guessed verdict line', 'final $display("passk-verdict-0123456789abcdef01234567 0 98");\ninitial $display("Mismatches: 0 in 98 samples");'],
  ])('compat passes wrong logic with %s; strict does not', async (_name, trick) => {
    const code = `${wrong}  ${trick}\nendmodule\n`;
    expect(await judge(majority, code, 'compat')).toMatchObject({passed: true, class: '.'});
    const strict = await judge(majority, code, 'strict');
    expect(strict).toMatchObject({passed: false, class: '.'});
    expect(strict.details?.functionalPass).toBe(false);
  });

  it.each([
    ["the testbench's error counter", 'final tb.errors = 0;'],
    ["the testbench's comparison", 'initial force tb.ok = 1;'],
    ['the reference, a sibling instance', 'initial force ref1.out = 1;'],
    ['the stimulus, a sibling instance', 'initial begin force stim1.a = 1; force stim1.b = 1; end'],
  ])('compat passes wrong logic that rewrites %s by hierarchical name; strict cannot be reached', async (_name, trick) => {
    const code = `${header}  assign out = 1'b1;\n  ${trick}\nendmodule\n`;
    expect(await judge(majority, code, 'compat')).toMatchObject({passed: true, class: '.'});
    expect(await judge(majority, code, 'strict')).toMatchObject({passed: false, class: 'C'});
  });

  it('passes the right logic in both modes, and with $stop (stdin is /dev/null)', async () => {
    for (const code of [`${right}endmodule\n`, `${right}  initial #20 $stop;\nendmodule\n`]) {
      expect(await judge(majority, code, 'strict')).toMatchObject({passed: true, result: 'passed'});
      expect(await judge(majority, code, 'compat')).toMatchObject({passed: true});
    }
  });

  it.each([
    ['the word error printed by a correct design', 'initial $display("no error here");', 'C', true],
    ['TIMEOUT printed by a correct design', 'initial $display("TIMEOUT");', 'T', true],
    ['a second RefModule', 'endmodule\nmodule RefModule(input a, output b); assign b = a;', 'C', false],
  ])('fails %s in both modes with the upstream class', async (_name, extra, cls, functional) => {
    const code = `${right}  ${extra}\nendmodule\n`;
    for (const mode of ['strict', 'compat'] as const) {
      const verdict = await judge(majority, code, mode);
      expect(verdict).toMatchObject({passed: false, class: cls});
      expect(verdict.details?.functionalPass).toBe(functional);
    }
  });

  it('classifies no module as m, refusal text as S and a zero-delay always loop as C', async () => {
    // What upstream extracts from a [BEGIN] without [DONE]: an empty sample.
    expect(await judge(majority, '\n\n', 'strict')).toMatchObject({passed: false, class: 'm', result: 'failed: unknown module type'});
    expect(await judge(majority, '\nI am sorry, I cannot write Verilog.\n', 'strict')).toMatchObject({passed: false, class: 'S'});
    const loop = `${header}  logic x = 0;\n  always x = ~x;\n  assign out = (a & b) | (a & c) | (b & c);\nendmodule\n`;
    expect(await judge(majority, loop, 'strict')).toMatchObject({passed: false, class: 'C'});
  });
});
