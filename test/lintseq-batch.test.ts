/**
 * Batched Verilog linting (src/train/lintseq/batch.ts): many program states in one Icarus run must
 * give each state exactly the error lines linting it alone gives (the iverilog driver, one state
 * per call), on hand-made states and on every state LintSeq visits over the VerilogEval v2
 * references, errors included.
 */
import pLimit from 'p-limit';
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {BatchLinter, renameUnits} from '../src/train/lintseq/batch.js';
import {generateLintSeq} from '../src/train/lintseq/generate.js';
import {iverilogBatchErrorLines, iverilogErrorLines} from '../src/train/lintseq/linters.js';
import {languages} from '../src/train/lintseq/languages.js';
import {WorkerPool} from '../src/train/lintseq/pool.js';
import {seededRandom} from '../src/train/lintseq/random.js';
import {LintSeqFailure, sampleDeletionPath, verilogErrorLine} from '../src/train/lintseq/sample.js';
import {readBenchRows} from '../src/train/lintseq/sources.js';
import {designUnitNames} from '../src/train/lintseq/verilog-structure.js';
import {sharedDataset} from './helpers/datasets.js';
import {sweep, sweepLabel} from './helpers/sweep.js';

const sandbox: Sandbox | undefined = await openSandbox({backend: 'bwrap'}).catch((error: unknown) => {
  console.warn(`skipping batched Verilog lint tests: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

const verilogEval = sharedDataset('verilog-eval');

describe('renaming design units and reading a batch run', () => {
  it('design units and every use of them are renamed per file; lines stay where they are', () => {
    const text = 'module sub(input a, output b); // sub\n  assign b = a;\nendmodule\nmodule automatic top$x(input a, output b);\n  sub u(.a(a), .b(b));\n  wire subway;\nendmodule';
    expect(designUnitNames(text.split('\n'))).toEqual(['sub', 'top$x']);
    const renamed = renameUnits(text, 3);
    expect(renamed.split('\n')).toHaveLength(text.split('\n').length);
    expect(renamed).toContain('module sub__lintseq3(input a');
    expect(renamed).toContain('// sub__lintseq3');
    expect(renamed).toContain('module automatic top$x__lintseq3(');
    expect(renamed).toContain('  sub__lintseq3 u(');
    expect(renamed).toContain('wire subway;');
    // A module instantiated but not declared (deleted in this state) keeps its name, so it stays unknown.
    expect(renameUnits('module top;\n  sub u();\nendmodule', 0)).toBe('module top__lintseq0;\n  sub u();\nendmodule');
  });

  it('per file: clean runs, attributed errors, unknown files and runs it cannot read', () => {
    expect(iverilogBatchErrorLines({rc: 0, output: ''}, 3)).toEqual([[], [], []]);
    expect(iverilogBatchErrorLines({rc: 1, output: 'No top level modules, and no -s option.\n'}, 2)).toEqual([[], []]);
    expect(iverilogBatchErrorLines({rc: 2, output: 's1.sv:3: syntax error\nI give up.\n'}, 3)).toEqual([undefined, [3], undefined]);
    expect(iverilogBatchErrorLines({rc: 2, output: 's0.sv:2: error: Unable to bind wire/reg/memory `c\'\ns2.sv:4: error: Unknown module type: sub\n2 error(s) during elaboration.\n'}, 3)).toEqual([[2], undefined, [4]]);
    // An error in a file that is not one of the batch, exit status 2 with no error, a worker failure: not understood.
    expect(iverilogBatchErrorLines({rc: 2, output: 'other.sv:1: syntax error\n'}, 2)).toBeUndefined();
    expect(iverilogBatchErrorLines({rc: 2, output: 's5.sv:1: syntax error\n'}, 2)).toBeUndefined();
    expect(iverilogBatchErrorLines({rc: 2, output: 'Segmentation fault\n'}, 2)).toBeUndefined();
    expect(iverilogBatchErrorLines({error: 'TimeoutExpired: …'}, 2)).toBeUndefined();
  });
});

/** Lints every text alone with the iverilog driver, two workers. */
async function aloneVerdicts(texts: readonly string[]): Promise<Map<string, number[]>> {
  const pool = new WorkerPool(sandbox!, 'iverilog', 2);
  const limit = pLimit(2);
  try {
    const verdicts = await Promise.all(texts.map((text) => limit(() => pool.use(async (worker) => iverilogErrorLines(await worker.lint(text))))));
    return new Map(texts.map((text, i) => [text, verdicts[i]!]));
  } finally {
    await pool.close();
  }
}

describe.skipIf(!sandbox)('batched Icarus runs equal linting alone', () => {
  it('hand-made states: same program in one batch, missing endmodule, deleted submodule, parse and elaboration errors, directives, empty', async () => {
    const sub = 'module sub(input a, output b);\n  assign b = ~a;\nendmodule\n';
    const top = 'module TopModule(input a, input b, output y);\n  wire n;\n  sub u(.a(a), .b(n));\n  assign y = n & b;\nendmodule\n';
    const states = [
      sub + top,
      top,
      sub + 'module TopModule(input a, input b, output y);\n  wire n;\n  sub u(.a(a), .b(n));\n  assign y = n & c;\nendmodule\n',
      sub + 'module TopModule(input a, input b, output y);\n  assign y = a & b;\n',
      'module TopModule(input a, input b,);\n  assign y = a;\nendmodule\n',
      'module TopModule(input a, output y);\n  assign y = a\nendmodule\n',
      'module TopModule(input a, output y);\n  always @(*) begin\n    y = a;\nendmodule\n',
      '`default_nettype none\nmodule TopModule(input a, output y);\n  assign y = a & q;\nendmodule\n',
      'module TopModule(input a, output y);\n  assign y = a & q;\nendmodule\n',
      '',
      '// only a comment\n',
      'module TopModule(input a, output y);\n  assign y = a;\nendmodule\n',
    ];
    const alone = await aloneVerdicts(states);
    expect([...alone.values()].filter((lines) => lines.length > 0).length).toBeGreaterThanOrEqual(6);
    const pool = new WorkerPool(sandbox!, 'iverilog', 1);
    try {
      const linter = new BatchLinter(pool, 1, 32);
      const batched = await Promise.all(states.map((state) => linter.lint(state)));
      states.forEach((state, i) => expect(batched[i], state).toEqual(alone.get(state)));
      // Runs until every file is known (each run settles at least one), and the one with a directive alone: fewer than one per state.
      expect(linter.runs).toBeLessThan(states.length);
    } finally {
      await pool.close();
    }
  }, 300_000);

  it.skipIf(!verilogEval)(`every state LintSeq visits on the VerilogEval v2 references × 5, ${sweepLabel(156, 52)}: batched verdicts equal linting alone`, async () => {
    const rows = sweep(await readBenchRows('verilog-eval-v2', verilogEval), 52);
    const pool = new WorkerPool(sandbox!, 'iverilog', 2);
    const linter = new BatchLinter(pool, 2, 32);
    const batched = new Map<string, number[]>();
    try {
      await Promise.all(
        rows.map(async (row) => {
          const lines = row.response.split('\n');
          const structure = languages.verilog.structure(lines);
          for (let sequence = 0; sequence < 5; sequence++) {
            const lint = async (text: string) => {
              const verdict = batched.get(text) ?? (await linter.lint(text));
              batched.set(text, verdict);
              return verdict;
            };
            await sampleDeletionPath(lines, structure, lint, verilogErrorLine, seededRandom(1, row.index, sequence)).catch((error: unknown) => {
              if (!(error instanceof LintSeqFailure)) throw error;
            });
          }
        }),
      );
    } finally {
      await pool.close();
    }
    const alone = await aloneVerdicts([...batched.keys()]);
    const differing = [...batched].filter(([text, lines]) => JSON.stringify(lines) !== JSON.stringify(alone.get(text)));
    const withErrors = [...alone.values()].filter((lines) => lines.length > 0).length;
    console.log(`${batched.size} distinct states (${withErrors} with errors) in ${linter.runs} Icarus runs; ${differing.length} differ from linting alone`);
    expect(differing.map(([text, lines]) => ({text, batched: lines, alone: alone.get(text)}))).toEqual([]);
    expect(withErrors).toBeGreaterThan(batched.size / 4);
    // Batches form from whatever states are waiting, so the count moves a little from run to run.
    expect(linter.runs).toBeLessThan(batched.size / 2);
  }, 1_800_000);

  it.skipIf(!verilogEval)('datagen output is the same batched and with one iverilog per state', async () => {
    const rows = sweep(await readBenchRows('verilog-eval-v2', verilogEval), 12);
    const options = {language: 'verilog' as const, sequences: 3, seed: 7, sourceFile: 'verilog-eval-v2'};
    const batched = await generateLintSeq(sandbox!, rows, {...options, workers: 2, lintBatch: 32});
    const perState = await generateLintSeq(sandbox!, rows, {...options, workers: 1, lintBatch: 1});
    expect(batched.rows).toEqual(perState.rows);
    expect(batched.problems).toEqual(perState.problems);
    expect(batched.lintCalls).toBe(perState.lintCalls);
    expect(perState.linterRuns).toBe(perState.lintCalls);
    expect(batched.linterRuns).toBeLessThan(batched.lintCalls);
  }, 600_000);
});
