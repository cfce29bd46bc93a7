/**
 * Selection cost on the derived HumanEval / CodeGen-16B passing matrix (164 tasks, 11,152 executable rows,
 * 572,484 cells): one B4 setting over the whole benchmark (ranking, tie merging, pass@1 under both
 * protocols) with passk's O(N·M + K·M) form, against the baseline measured in the same run: the
 * reference's O(K·N·M) block counting (bench/b4-naive.ts, scores only). Also CodeT and the whole
 * default report (every strategy, three β0). Rounds alternate the variants; medians are printed.
 *
 *   npx tsx bench/select.ts [--rounds 15] [--matrix FILE]
 */
import path from 'node:path';
import {parseArgs} from 'node:util';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {defaultAlphaXY, defaultBeta0, runSelection, type SelectionOptions} from '../src/select/selection.js';
import {strategyNames} from '../src/select/strategies.js';
import {taskView} from '../src/select/view.js';
import {sharedDatasetsRoot} from '../test/helpers/datasets.js';
import {b4NaiveScores} from './b4-naive.js';

const {values} = parseArgs({options: {rounds: {type: 'string', default: '15'}, matrix: {type: 'string'}}});
const file = values.matrix ?? path.join(sharedDatasetsRoot(), 'b4', 'derived', 'humaneval_codegen16B_passing_matrix.json.gz');
const matrix = readMatrixFile(file);
const base: SelectionOptions = {strategies: ['b4'], beta0: [1e5], alphaXY: defaultAlphaXY, protocols: ['mixed', 'all'], ks: [], seed: 0};

const variants: Record<string, () => unknown> = {
  'b4, naive block counting (baseline, scores only)': () =>
    matrix.tasks.map((task) => b4NaiveScores(taskView(task, 'unique').patterns, 1e5, defaultAlphaXY)),
  'b4, passk (one β0, both protocols)': () => runSelection(matrix, base),
  'codet, passk (both protocols)': () => runSelection(matrix, {...base, strategies: ['codet']}),
  'all strategies, β0 ×3 (passk select default)': () => runSelection(matrix, {...base, strategies: [...strategyNames], beta0: defaultBeta0}),
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
const rounds = Number(values.rounds);
for (let round = -1; round < rounds; round++) {
  const names = Object.keys(variants);
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + Math.max(round, 0)) % names.length]!;
    const start = performance.now();
    variants[name]!();
    // Round -1 warms the JIT up and is not counted.
    if (round >= 0) times[name]!.push(performance.now() - start);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = median(Object.values(times)[0]!);
const cells = matrix.tasks.reduce((sum, task) => sum + task.rows.reduce((s, row) => s + row.length, 0), 0);
console.log(`${file}: ${matrix.tasks.length} tasks, ${cells} cells; ${rounds} rounds, medians`);
for (const [name, xs] of Object.entries(times)) {
  const ms = median(xs);
  console.log(`  ${name.padEnd(50)} ${ms.toFixed(1).padStart(8)} ms   ${(baseline / ms).toFixed(1).padStart(6)}× faster than the baseline`);
}
