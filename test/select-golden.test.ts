/**
 * Golden figures on the derived HumanEval / CodeGen-16B passing matrix (../shared/datasets/b4/derived):
 * every strategy under both protocols. They depend on the matrix alone, so they must never move.
 * Cross-checked to 4 decimals against an independent Python implementation (math.lgamma, naive
 * block counting for B4, CodeT's multiplicity expansion for codet-original).
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {seededRandom} from '../src/select/rng.js';
import {defaultAlphaXY, defaultBeta0, runSelection, type SelectionOptions, type SelectionReport} from '../src/select/selection.js';
import {strategyNames} from '../src/select/strategies.js';
import {sharedDataset} from './helpers/datasets.js';

const b4Data = sharedDataset('b4');
const matrixFile = b4Data && path.join(b4Data, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz');

const options: SelectionOptions = {
  strategies: [...strategyNames],
  beta0: defaultBeta0,
  alphaXY: defaultAlphaXY,
  protocols: ['mixed', 'all'],
  ks: [2, 10],
  seed: 0,
};

/** strategy[/beta0] → [pass@1 mixed (115 tasks), pass@1 all (164 tasks)], each strategy's own dedup. */
const golden: Record<string, [number, number]> = {
  random: [0.3233, 0.2267],
  maxpass: [0.3008, 0.2109],
  'mbr-exec': [0.4428, 0.3105],
  codet: [0.5213, 0.3656],
  'codet-original': [0.5159, 0.3618],
  'b4/10000': [0.5718, 0.4009],
  'b4/100000': [0.5841, 0.4096],
  'b4/1000000': [0.5733, 0.402],
};

describe.skipIf(!matrixFile)('selection on the derived HumanEval / CodeGen-16B matrix', () => {
  const matrix = matrixFile ? readMatrixFile(matrixFile) : undefined;
  const report = matrix ? runSelection(matrix, options) : undefined;

  it('classifies the tasks as the data documents: 115 mixed, 40 all wrong, 9 without usable tests', () => {
    expect(report!.taskClasses).toEqual({mixed: 115, 'all-correct': 0, 'all-wrong': 40, 'no-rows': 9});
  });

  it.each(Object.entries(golden))('%s pass@1 under both protocols', (key, [mixed, all]) => {
    const [strategy, beta0] = key.split('/');
    const results = report!.results.filter((r) => r.strategy === strategy && (beta0 === undefined || r.params.beta0 === Number(beta0)));
    expect(results.map((r) => [r.protocol, r.tasks])).toEqual([
      ['mixed', 115],
      ['all', 164],
    ]);
    expect(results[0]!.pass1).toBeCloseTo(mixed, 4);
    expect(results[1]!.pass1).toBeCloseTo(all, 4);
    expect(results[0]!.dedup).toBe(strategy === 'codet-original' ? 'weighted' : 'unique');
  });

  it('pins pass@k by round robin for B4 and CodeT', () => {
    const pick = (strategy: string, protocol: string, beta0?: number) =>
      report!.results.find((r) => r.strategy === strategy && r.protocol === protocol && (beta0 === undefined || r.params.beta0 === beta0))!;
    expect(pick('b4', 'mixed', 1e5).passAtK['2']).toBeCloseTo(0.6459, 4);
    expect(pick('b4', 'mixed', 1e5).passAtK['10']).toBeCloseTo(0.8163, 4);
    expect(pick('codet-original', 'all').passAtK['10']).toBeCloseTo(0.5715, 4);
  });

  it('reports plain sampling next to the strategies', () => {
    expect(report!.sampling.map((s) => [s.protocol, s.tasks, Number(s.pass1.toFixed(4))])).toEqual([
      ['mixed', 115, 0.3003],
      ['all', 164, 0.2213],
    ]);
  });

  it('is deterministic: a second run gives the same report', () => {
    expect(runSelection(matrix!, options)).toEqual(report);
  });

  it('does not depend on the order of solutions or tests (shuffled rows and columns give the same figures)', () => {
    const random = seededRandom(42);
    const shuffled = (n: number) => {
      const order = Array.from({length: n}, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return order;
    };
    const tasks = matrix!.tasks.map((task) => {
      const rows = shuffled(task.solutions.length);
      const columns = shuffled(task.tests.length);
      return {
        ...task,
        solutions: rows.map((i) => task.solutions[i]!),
        solCount: rows.map((i) => task.solCount[i]!),
        execOk: rows.map((i) => task.execOk[i]!),
        gt: rows.map((i) => task.gt[i]!),
        rows: rows.map((i) => (task.execOk[i] ? columns.map((j) => task.rows[i]![j]).join('') : '')),
        tests: columns.map((j) => task.tests[j]!),
        testCount: columns.map((j) => task.testCount[j]!),
      };
    });
    const figures = (r: SelectionReport) => r.results.map((x) => [x.strategy, x.params, x.protocol, x.pass1, x.passAtK]);
    expect(figures(runSelection({meta: matrix!.meta, tasks}, options))).toEqual(figures(report!));
  });

  it('under the weighted convention B4 and CodeT move, and codet-original differs from codet only by its rules', () => {
    const weighted = runSelection(matrix!, {...options, dedup: 'weighted', strategies: ['codet', 'b4'], beta0: [1e5], ks: []});
    expect(weighted.results.map((r) => Number(r.pass1.toFixed(4)))).toEqual([0.5162, 0.362, 0.576, 0.4039]);
  });
});
