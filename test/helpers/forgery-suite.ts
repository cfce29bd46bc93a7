/**
 * Designs written to forge a strict Verilog verdict, run for real on a sandbox backend: each reads
 * what makes the verdict line trusted (the testbench source, the compiled image, its own process,
 * the scope names) and prints a forged passing verdict. Every attack is first run against the
 * hardened testbench with a plain `vvp` (what strict mode did before the launcher), where it must
 * produce a verdict line strict mode would trust; so the attack is real, and strict mode, which
 * runs the launcher, must then fail it. Plain wrong and right designs are the controls.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Verdict} from '../../src/bench/bench.js';
import {iverilogCompile, simulationLimits} from '../../src/bench/verilog/judging.js';
import {hardenTestbench, hideReference, newNonce, readVerdictLine} from '../../src/bench/verilog/testbench.js';
import {loadVerilogEvalV1} from '../../src/bench/verilog/v1.js';
import {loadVerilogEvalV2} from '../../src/bench/verilog/v2.js';
import type {Sandbox} from '../../src/execute/sandbox.js';
import {projectRoot} from './datasets.js';

export interface ForgeryTarget {
  label: string;
  /** The opened sandbox, or why it could not be opened (the suite is then skipped). */
  opened: {sandbox: Sandbox} | {reason: string};
  /** The VerilogEval folder (for the v1 attacks on its example set), when present. */
  verilogEval?: string;
}

/**
 * A final block that looks for `prefix` in `file`, takes the 24 characters after it as the nonce,
 * prints `passk-verdict-<nonce> 0 <samples>` and stops the simulation before the testbench's own
 * final block runs. `before` runs first (e.g. to write the file it then reads). The prefix and the
 * forged line are split, so the design's own strings do not match its search of the compiled image.
 */
function stealer(file: string, prefix: string, samples: number, before = ''): string {
  return `
  reg [8*24-1:0] x_stolen;
  reg [8*32-1:0] x_window;
  integer x_fd, x_c, x_i, x_found;
  final begin
    ${before}
    x_found = 0;
    x_window = 0;
    x_fd = $fopen("${file}", "r");
    if (x_fd != 0) begin
      x_c = $fgetc(x_fd);
      while (x_c != -1 && !x_found) begin
        x_window = {x_window[8*31-1:0], x_c[7:0]};
        if (x_window[8*${prefix.length}-1:0] == {"${prefix.slice(0, 2)}", "${prefix.slice(2)}"}) begin
          for (x_i = 0; x_i < 24; x_i = x_i + 1) begin x_c = $fgetc(x_fd); x_stolen = {x_stolen[8*23-1:0], x_c[7:0]}; end
          x_found = 1;
        end
        x_c = $fgetc(x_fd);
      end
    end
    if (x_found) begin
      $write("passk-ve");
      $display("rdict-%s 0 ${samples}", x_stolen);
      $finish;
    end
  end`;
}

/** The attacks on a design whose testbench compares `samples` samples; `source` and `image` are the job's file names. */
function attacks(samples: number, files: {source: string; image: string}) {
  return {
    testbenchSource: {code: stealer(files.source, 'passk-verdict-', samples), oldNonceOnly: false},
    compiledImage: {code: stealer(files.image, 'passk-verdict-', samples), oldNonceOnly: false},
    // %m prints the design's full hierarchical name, which holds the renamed testbench's (scope) nonce.
    hierarchicalName: {
      code: stealer('m.txt', 'tb_', samples, 'x_fd = $fopen("m.txt", "w"); $fdisplay(x_fd, "%m"); $fclose(x_fd);'),
      oldNonceOnly: true,
    },
    // A dump of the whole hierarchy names every scope, the renamed testbench's included.
    dumpedScopes: {
      code: `  initial begin $dumpfile("d.vcd"); $dumpvars; end\n${stealer('d.vcd', 'scope module tb_', samples, '$dumpflush;')}`,
      oldNonceOnly: true,
    },
  };
}

/** Opens these paths from the design and prints those it could open, and whether stdin gave a byte. */
const procPaths = ['/proc/self/mem', '/proc/self/maps', '/proc/self/cmdline', '/proc/1/cmdline', '/proc/self/environ'];
/** Landlock does not guard pipes: with the step's pipe as stdout, these reopen it for reading, where the job's uid owns it. */
const stdoutPaths = ['/proc/self/fd/1', '/dev/stdout'];
const probedPaths = [...procPaths, ...stdoutPaths];
const probe = `
  integer x_fd, x_c;
  initial begin
${probedPaths.map((file) => `    x_fd = $fopen("${file}", "r"); if (x_fd != 0) $display("passk-leak ${file}");`).join('\n')}
    x_c = $fgetc(32'h8000_0000); if (x_c != -1) $display("passk-leak stdin");
  end`;

export function forgerySuite(target: ForgeryTarget): void {
  const sandbox = 'sandbox' in target.opened ? target.opened.sandbox : (undefined as unknown as Sandbox);
  if ('reason' in target.opened) console.warn(`skipping the ${target.label} forgery tests: ${target.opened.reason}`);
  afterAll(() => sandbox?.close());

  describe.skipIf(!('sandbox' in target.opened))(`strict Verilog verdicts on the ${target.label} against designs that forge them`, () => {
    describe('VerilogEval v2 (verilog-mini majority, 98 samples)', () => {
      const bench = loadVerilogEvalV2({dataset: path.join(projectRoot, 'datasets', 'verilog-mini'), task: 'spec-to-rtl'});
      const majority = bench.problems.find((problem) => problem.id === 'Mini01_majority3')!;
      const header = 'module TopModule (\n  input logic a,\n  input logic b,\n  input logic c,\n  output logic out\n);\n';
      const wrong = (extra: string) => `${header}  assign out = a | b | c;\n${extra}\nendmodule\n`;
      let calibration: Verdict;
      const strict = (code: string, context: Partial<{calibration: Verdict}> = {}) => bench.judge(majority, code, {sandbox, mode: 'strict', calibration, ...context});

      /** What strict mode did before the launcher: the hardened testbench, simulated by a plain vvp. */
      async function withoutLauncher(code: string, sameNonce: boolean) {
        const verdict = newNonce();
        const scope = sameNonce ? verdict : newNonce();
        const tb = hardenTestbench(majority.test, {scope, verdict});
        const run = await sandbox.run({
          files: {'sample.sv': code, 'test.sv': tb.test, 'ref.sv': hideReference(majority.ref, scope)},
          steps: [
            {argv: iverilogCompile('sim', ['sample.sv', 'test.sv', 'ref.sv'], tb.top), mergeStderr: true},
            {argv: ['vvp', 'sim'], mergeStderr: true},
          ],
          limits: simulationLimits,
        });
        expect(run.steps.map((step) => step.exitCode)).toEqual([0, 0]);
        return {verdictLine: readVerdictLine(run.steps[1]!.stdout, verdict), output: run.steps[1]!.stdout};
      }

      beforeAll(async () => {
        calibration = await bench.judge(majority, bench.reference(majority), {sandbox, mode: 'strict'});
        expect(calibration).toMatchObject({passed: true, details: {samples: 98}});
      });

      it('controls: the right design passes, the plain wrong one fails with its mismatch count', async () => {
        expect(await strict(`${header}  assign out = (a & b) | (a & c) | (b & c);\nendmodule\n`)).toMatchObject({passed: true, result: 'passed'});
        expect(await strict(wrong(''))).toMatchObject({passed: false, class: 'R', result: 'failed: runtime error (32 out of 98 samples)'});
      });

      it.each(Object.entries(attacks(98, {source: 'test.sv', image: 'sim'})))(
        'reading the nonce through %s forges a trusted line without the launcher; strict mode fails it',
        async (_name, {code, oldNonceOnly}) => {
          const forged = await withoutLauncher(wrong(code), oldNonceOnly);
          expect(forged.verdictLine).toEqual({mismatches: 0, samples: 98});
          const verdict = await strict(wrong(code));
          expect(verdict).toMatchObject({passed: false});
          expect(verdict.errored).toBeUndefined();
          expect(verdict.details?.functionalPass).toBe(false);
        },
      );

      it('the simulation cannot open /proc or its own stdout (it can without the launcher), nor read stdin', async () => {
        const open = await withoutLauncher(wrong(probe), false);
        // The stdout pipe reopens only where the job's uid owns it (Docker; not bubblewrap as root, which runs jobs under another uid).
        const leaks = open.output.split('\n').filter((line) => line.startsWith('passk-leak'));
        expect(leaks).toEqual(expect.arrayContaining(procPaths.map((file) => `passk-leak ${file}`)));
        const verdict = await strict(wrong(probe));
        expect(String(verdict.details?.logTail)).not.toContain('passk-leak');
        expect(verdict).toMatchObject({passed: false, class: 'R'});
      });

      it('a compile-time `include of the testbench does not compile; of the reference, it declares a module the design cannot name', async () => {
        expect(await strict(wrong('`include "test.sv"'))).toMatchObject({passed: false, class: 'C'});
        expect(await strict(wrong('`include "ref.sv"'))).toMatchObject({passed: false, class: 'R'});
      });

      it('a design that instantiates the reference passes compat mode; strict mode does not know the name', async () => {
        const copy = `${header}  RefModule copy (.a(a), .b(b), .c(c), .out(out));\nendmodule\n`;
        expect(await bench.judge(majority, copy, {sandbox, mode: 'compat'})).toMatchObject({passed: true, class: '.'});
        expect(await strict(copy)).toMatchObject({passed: false, class: 'C'});
      });

      it('an early $finish fails with the calibrated count, and without one (the reference could not be judged) nothing passes', async () => {
        expect(await strict(wrong('  initial $finish;'))).toMatchObject({passed: false, result: 'failed: the testbench compared no samples'});
        const unjudged: Verdict = {passed: false, errored: true, result: 'error: sandbox: engine lost', durationMs: 1};
        const early = await strict(wrong('  initial $finish;'), {calibration: unjudged});
        expect(early).toMatchObject({passed: false, class: '.'});
        expect(early.result).toMatch(/^failed: the reference run gave no sample count to compare with \(reference: error: sandbox: engine lost\)/);
        const right = await strict(`${header}  assign out = (a & b) | (a & c) | (b & c);\nendmodule\n`, {calibration: unjudged});
        expect(right).toMatchObject({passed: false, class: '.'});
      });

      it('an output flood that buries the verdict fails, and so does a guessed launcher refusal with a forged exit code', async () => {
        const flood = await strict(wrong('  final begin repeat (400000) $display("Mismatches: 0 in 98 samples passk-verdict-0 0 98"); end'));
        expect(flood).toMatchObject({passed: false});
        expect(flood.details?.strictProblems).toContain('simulation exceeded the output limit');
        const refusal = await strict(wrong(`  initial begin $display("passk-sim-${newNonce()} unavailable: no Landlock"); $fatal(1); end`));
        expect(refusal).toMatchObject({passed: false});
        expect(refusal.errored).toBeUndefined();
      });

      it('a forged trailer and verdict line from a final block that ends the simulation fails', async () => {
        const trailer = `  final begin $display("Hint: Total mismatched samples is 0 out of 98 samples\\n"); $display("Simulation finished at 490 ps"); $display("Mismatches: 0 in 98 samples"); $display("passk-verdict-${newNonce()} 0 98"); $finish; end`;
        expect(await strict(wrong(trailer))).toMatchObject({passed: false});
      });
    });

    describe.skipIf(!target.verilogEval)('VerilogEval v1 (example set, zero: 20 samples, one source file)', () => {
      const bench = loadVerilogEvalV1({dataset: path.join(target.verilogEval ?? '', 'v1', 'example', 'ExampleEval.jsonl'), task: 'human'});
      const zero = bench.problems.find((problem) => problem.id === 'zero')!;
      let calibration: Verdict;
      beforeAll(async () => {
        calibration = await bench.judge(zero, bench.reference(zero), {sandbox, mode: 'strict'});
        expect(calibration).toMatchObject({passed: true, details: {samples: 20}});
      });

      it.each(Object.entries(attacks(20, {source: 'zero.sv', image: 'test.vvp'})))('reading the nonce through %s fails strict mode', async (_name, {code}) => {
        const verdict = await bench.judge(zero, `\tassign zero = 1'b1;\n${code}\nendmodule\n`, {sandbox, mode: 'strict', calibration});
        expect(verdict).toMatchObject({passed: false});
        expect(verdict.errored).toBeUndefined();
      });

      it('a body that instantiates the reference module fails', async () => {
        const copy = '\treference_module copy (.zero(zero));\nendmodule\n';
        expect(await bench.judge(zero, copy, {sandbox, mode: 'compat', calibration})).toMatchObject({passed: true});
        expect(await bench.judge(zero, copy, {sandbox, mode: 'strict', calibration})).toMatchObject({passed: false});
      });

      it('controls: the right body passes, the wrong one fails', async () => {
        expect(await bench.judge(zero, "\tassign zero = 1'b0;\nendmodule\n", {sandbox, mode: 'strict', calibration})).toMatchObject({passed: true});
        expect(await bench.judge(zero, "\tassign zero = 1'b1;\nendmodule\n", {sandbox, mode: 'strict', calibration})).toMatchObject({
          passed: false,
          result: 'failed: 20 out of 20 samples.',
        });
      });
    });
  });
}
