/**
 * Comparing two passing matrices (pure), and CodeT's solution post-processing as replay does it
 * against the independent derived matrix: the same unique solutions with the same multiplicities,
 * in all 164 tasks (no execution needed, so all of them in the default suite).
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {openBench} from '../src/bench/index.js';
import {replayProvider} from '../src/generate/replay.js';
import {compareMatrices, disagreementsByCause, formatMatrixComparison} from '../src/select/compare-matrix.js';
import type {SelectionMatrix, TaskMatrix} from '../src/select/matrix.js';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {sharedDataset} from './helpers/datasets.js';

function task(overrides: Partial<TaskMatrix>): TaskMatrix {
  return {taskId: 'T/0', entryPoint: 'f', solutions: ['a', 'b', 'c'], solCount: [2, 1, 1], execOk: [true, true, false], gt: [true, false, false], tests: ['t1', 't2'], testCount: [1, 3], rows: ['11', '01', ''], ...overrides};
}
const matrix = (...tasks: TaskMatrix[]): SelectionMatrix => ({meta: {}, tasks});

describe('compareMatrices', () => {
  it('agrees fully with itself, whatever the order of solutions and tests', () => {
    const reordered = task({solutions: ['c', 'b', 'a'], solCount: [1, 1, 2], execOk: [false, true, true], gt: [false, false, true], tests: ['t2', 't1'], testCount: [3, 1], rows: ['', '10', '11']});
    const comparison = compareMatrices(matrix(task({})), matrix(reordered));
    expect(comparison.cells).toEqual({compared: 6, agree: 6, rate: 1});
    expect(comparison.groundTruth).toEqual({compared: 3, agree: 3, rate: 1});
    expect(comparison.execOk).toEqual({compared: 3, agree: 3, rate: 1});
    expect(comparison.disagreements).toEqual([]);
    expect(comparison.solutions).toEqual([]);
    expect(comparison.tests).toEqual([]);
  });

  it('a row executed on one side only disagrees where it passes; cells, rows and ground truth are counted apart', () => {
    const theirs = task({execOk: [true, true, true], rows: ['10', '01', '11'], gt: [true, true, false]});
    const comparison = compareMatrices(matrix(task({})), matrix(theirs));
    expect(comparison.cells).toEqual({compared: 6, agree: 3, rate: 0.5});
    expect(comparison.execOk.agree).toBe(2);
    expect(comparison.groundTruth.agree).toBe(2);
    expect(comparison.disagreements.map((d) => [d.kind, d.solution, d.test, d.ours, d.reference])).toEqual([
      ['cell', 0, 1, true, false],
      ['gt', 1, undefined, false, true],
      ['exec', 2, undefined, false, true],
      ['cell', 2, 0, false, true],
      ['cell', 2, 1, false, true],
    ]);
    expect(disagreementsByCause(comparison).map((g) => [g.kind, g.cause, g.count])).toEqual([
      ['cell', 'unexplained', 3],
      ['gt', 'unexplained', 1],
      ['exec', 'unexplained', 1],
    ]);
    expect(formatMatrixComparison(comparison, 'ref.json')).toContain('cells (solution passes test): 3 of 6 agree (50.000%)');
  });

  it('reports solutions, tests, counts and tasks present on one side only, and compares what both have', () => {
    const theirs = task({solutions: ['a', 'x', 'c'], solCount: [3, 1, 1], tests: ['t1', 't9'], testCount: [1, 3], rows: ['11', '01', '']});
    const comparison = compareMatrices(matrix(task({}), task({taskId: 'T/5'})), matrix(theirs, task({taskId: 'T/6'})));
    expect(comparison.tasks).toEqual({compared: 1, onlyOurs: ['T/5'], onlyReference: ['T/6']});
    expect(comparison.solutions).toEqual([{taskId: 'T/0', onlyOurs: ['b'], onlyReference: ['x'], countsDiffer: [['a', 2, 3]]}]);
    expect(comparison.tests).toEqual([{taskId: 'T/0', onlyOurs: ['t2'], onlyReference: ['t9'], countsDiffer: []}]);
    // Shared: solutions a and c, test t1.
    expect(comparison.cells).toEqual({compared: 2, agree: 2, rate: 1});
  });

  it('a task without tests has no cells and no executed-row comparison, only ground truth', () => {
    const comparison = compareMatrices(matrix(task({tests: [], testCount: [], rows: ['', '', ''], execOk: [true, true, true]})), matrix(task({tests: [], testCount: [], rows: ['', '', '']})));
    expect([comparison.cells.compared, comparison.execOk.compared, comparison.groundTruth.compared]).toEqual([0, 0, 3]);
  });
});

describe("CodeT's solutions replayed (b4/codet_raw) against the derived matrix", () => {
  const b4 = sharedDataset('b4');
  const humaneval = sharedDataset('humaneval');
  const raw = (name: string) => path.join(b4!, 'codet_raw', name);
  const solutionsFile = () => raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl.gz');

  it.skipIf(!b4)('humaneval on CodeT\'s dataset file: per task the same unique solutions with the same multiplicities, all 164 tasks', async () => {
    const bench = await openBench({bench: 'humaneval', dataset: raw('HumanEval_for_code_generation.jsonl.gz')});
    const provider = replayProvider(solutionsFile(), bench);
    const derived = readMatrixFile(path.join(b4!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz'));
    expect(derived.tasks).toHaveLength(164);
    let unique = 0;
    for (const expected of derived.tasks) {
      const n = provider.samplesFor!(expected.taskId);
      expect(n).toBe(100);
      const texts = await Promise.all(Array.from({length: n}, (_, i) => provider.complete({problemId: expected.taskId, prompt: {style: 'completion', text: '', stop: []}, sampleIndex: i, seed: i, params: {temperature: 0, topP: 1, maxTokens: 1}})));
      const counts = new Map<string, number>();
      for (const {text} of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
      expect(new Map(expected.solutions.map((s, i) => [s, expected.solCount[i]!]))).toEqual(counts);
      unique += counts.size;
    }
    expect(unique).toBe(12_408);
  });

  it.skipIf(!b4 || !humaneval)("humaneval-plus: EvalPlus's prompts are not CodeT's; CodeT's dataset file joins all 164 records", async () => {
    const bench = await openBench({bench: 'humaneval-plus', dataset: path.join(humaneval!, 'evalplus', 'HumanEvalPlus-v0.1.10.jsonl.gz')});
    expect(() => replayProvider(solutionsFile(), bench)).toThrow(/record 1 matches no problem's prompt .*--replay-prompts/);
    const provider = replayProvider(solutionsFile(), bench, {prompts: raw('HumanEval_for_code_generation.jsonl.gz')});
    expect(bench.problems.map((p) => provider.samplesFor!(p.id))).toEqual(bench.problems.map(() => 100));
  });
});
