/**
 * Issue 7's acceptance: from CodeT's raw CodeGen-16B HumanEval files (b4/codet_raw), passk builds its
 * own passing matrix the way a user would (`passk run --model replay:<CodeT solutions>` for the
 * ground truth, then `passk select --tests replay:<CodeT tests> --compare-matrix`) and compares it
 * with the independently built derived matrix: the same solutions and tests after post-processing,
 * cell and ground-truth agreement each ≥ 99.5 %, every disagreement given a cause. An even subset
 * of the problems in `npm test`; all 164 under PASSK_FULL=1 (about ten minutes on 2 cores).
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import type {MatrixComparison} from '../src/select/compare-matrix.js';
import {disagreementsByCause} from '../src/select/compare-matrix.js';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';
import {fullSweeps, sweep, sweepLabel} from './helpers/sweep.js';

const b4 = sharedDataset('b4');
const cli = path.join(projectRoot, 'bin', 'run.js');
const raw = (name: string) => path.join(b4!, 'codet_raw', name);
const derivedFile = () => path.join(b4!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz');

const passk = (args: string[]) => execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});

describe.skipIf(!b4)('the CodeGen-16B matrix built by passk against the derived one', () => {
  const all = b4 ? readMatrixFile(derivedFile()).tasks.map((task) => task.taskId) : [];
  const chosen = sweep(all, 3);

  it(
    `same solutions and tests, cells and ground truth agree ≥ 99.5 %, every disagreement explained (${sweepLabel(all.length, chosen.length)} problems)`,
    async () => {
      const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'passk-codet-matrix-')), 'store.db');
      const run = await passk([
        'run', '--db', db, '--bench', 'humaneval', '--dataset', raw('HumanEval_for_code_generation.jsonl.gz'),
        '--model', `replay:${raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl.gz')}`,
        // The derived matrix's ground truth had 1.0 s (CodeT's own: 0.1 s).
        '--exec-timeout', '1', '--sandbox', 'bwrap', '--json', ...(fullSweeps ? [] : ['--problems', chosen.join(',')]),
      ]);
      expect(run.exitCode, run.stderr).toBe(0);
      const select = await passk([
        'select', '--db', db, '--run', 'latest', '--sandbox', 'bwrap', '--json', '--strategy', 'b4', '--beta0', '1e5',
        '--tests', `replay:${raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl.gz')}`,
        '--test-prompts', raw('HumanEval_for_test_case_generation.jsonl.gz'),
        '--compare-matrix', derivedFile(),
      ]);
      expect(select.exitCode, select.stderr).toBe(0);
      const comparison = JSON.parse(select.stdout).comparison as MatrixComparison;
      const groups = disagreementsByCause(comparison);
      console.log(
        `${chosen.length} problems: cells ${comparison.cells.agree}/${comparison.cells.compared} (${(comparison.cells.rate * 100).toFixed(3)}%), ` +
          `ground truth ${comparison.groundTruth.agree}/${comparison.groundTruth.compared} (${(comparison.groundTruth.rate * 100).toFixed(3)}%), ` +
          `executed rows ${comparison.execOk.agree}/${comparison.execOk.compared}\n` +
          groups.map((g) => `  ${g.count} ${g.kind}: ${g.cause}`).join('\n'),
      );
      expect(comparison.tasks.compared).toBe(chosen.length);
      expect(comparison.solutions).toEqual([]);
      expect(comparison.tests).toEqual([]);
      const derived = readMatrixFile(derivedFile()).tasks.filter((task) => chosen.includes(task.taskId));
      expect(comparison.groundTruth.compared).toBe(derived.reduce((sum, task) => sum + task.solutions.length, 0));
      expect(comparison.cells.compared).toBe(derived.reduce((sum, task) => sum + task.solutions.length * task.tests.length, 0));
      expect(comparison.cells.rate).toBeGreaterThanOrEqual(0.995);
      expect(comparison.groundTruth.rate).toBeGreaterThanOrEqual(0.995);
      expect(comparison.disagreements.filter((d) => d.cause === undefined)).toEqual([]);
    },
    fullSweeps ? 3_600_000 : 240_000,
  );
});
