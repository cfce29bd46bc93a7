/** `passk select` through the built CLI (run `npx tsc -p tsconfig.build.json` first; `npm test` does). */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {projectRoot, sharedDataset} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const passk = (args: string[]) => execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});

const work = mkdtempSync(path.join(os.tmpdir(), 'passk-select-'));
const small = path.join(work, 'small.json');
writeFileSync(
  small,
  JSON.stringify({
    meta: {limit: 5, gt_timeout: 1, test_timeout: 0.1},
    tasks: [
      {task_id: 'a', entry_point: 'f', solutions: ['x', 'y', 'z'], sol_count: [2, 1, 1], exec_ok: [1, 1, 1], gt: [1, 1, 0], tests: ['assert f(1)', 'assert f(2)'], test_count: [1, 1], E: ['11', '11', '01']},
      {task_id: 'b', entry_point: 'g', solutions: ['u'], sol_count: [4], exec_ok: [1], gt: [0], tests: ['assert g()'], test_count: [1], E: ['0']},
    ],
  }),
);

describe('passk select --matrix', () => {
  it('prints the documented JSON: one result per strategy, params, dedup and protocol, pass1 as a fraction', async () => {
    const result = await passk(['select', '--matrix', small, '--strategy', 'codet', '--strategy', 'b4', '--beta0', '1e4', '--beta0', '1e6', '--json']);
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.results.map((r: Record<string, unknown>) => [r.strategy, r.params, r.dedup, r.protocol, r.tasks, r.pass1])).toEqual([
      ['codet', {}, 'unique', 'mixed', 1, 1],
      ['codet', {}, 'unique', 'all', 2, 0.5],
      ['b4', {beta0: 1e4, alphaXY: 1e3}, 'unique', 'mixed', 1, 1],
      ['b4', {beta0: 1e4, alphaXY: 1e3}, 'unique', 'all', 2, 0.5],
      ['b4', {beta0: 1e6, alphaXY: 1e3}, 'unique', 'mixed', 1, 1],
      ['b4', {beta0: 1e6, alphaXY: 1e3}, 'unique', 'all', 2, 0.5],
    ]);
    expect(doc.sampling.map((s: Record<string, unknown>) => [s.protocol, s.tasks, s.pass1])).toEqual([
      ['mixed', 1, 0.75],
      ['all', 2, 0.375],
    ]);
    expect(doc.conventions.tests).toBe('the first 5 valid asserts of each test sample (CodeT)');
    expect(doc.conventions.testTimeout).toBe('0.1 s');
  });

  it('prints a table without --json and exports the matrix unchanged', async () => {
    const exported = path.join(work, 'copy.json.gz');
    const result = await passk(['select', '--matrix', small, '--strategy', 'mbr-exec', '--task-filter', 'all', '--export-matrix', exported]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/mbr-exec\s+unique\s+all\s+2\s+50\.00%/);
    expect(result.stdout).toMatch(/\(sampling\)\s+weighted\s+all\s+2\s+37\.50%/);
    const again = await passk(['select', '--matrix', exported, '--json']);
    expect(JSON.parse(again.stdout).results).toEqual(JSON.parse((await passk(['select', '--matrix', small, '--json'])).stdout).results);
  });

  it.each([
    [['select', '--matrix', path.join(work, 'absent.json')], /absent.json: cannot read matrix \(no such file\)/],
    [['select', '--matrix', small, '--beta0', 'lots'], /--beta0 must be a number, got "lots"/],
    [['select', '--matrix', small, '--alpha-xy', '-1'], /--alpha-xy must be > 0/],
    [['select', '--matrix', small, '-k', '5'], /pass@5 needs at least 5 samples per task; a task has 4/],
    [['select'], /give --matrix FILE/],
    [['select', '--db', path.join(work, 'empty.db'), '--run', 'r1', '--tests', 'replay:t.jsonl'], /no run r1 in the store/],
    [['select', '--db', path.join(work, 'empty.db'), '--run', 'r1'], /select --run needs --tests/],
  ])('bad input is one line and exit 2: %j', async (args, message) => {
    const result = await passk(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('a malformed matrix names the task and field', async () => {
    const bad = path.join(work, 'bad.json');
    const doc = JSON.parse(readFileSync(small, 'utf8'));
    doc.tasks[1].E = ['01'];
    writeFileSync(bad, JSON.stringify(doc));
    const result = await passk(['select', '--matrix', bad, '--json']);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toMatch(/task b: E\[0\] must be 1 characters of 0\/1/);
  });
});

const b4Data = sharedDataset('b4');
describe.skipIf(!b4Data)('passk select on the derived matrix', () => {
  it('gives the golden B4 figure through the CLI', async () => {
    const file = path.join(b4Data!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz');
    const result = await passk(['select', '--matrix', file, '--strategy', 'b4', '--beta0', '1e5', '--json']);
    const doc = JSON.parse(result.stdout);
    expect(doc.results.map((r: {pass1: number}) => Number(r.pass1.toFixed(4)))).toEqual([0.5841, 0.4096]);
  });
});

describe('passk select --compare-matrix', () => {
  it('compares two matrix files: agreements and every disagreement (unexplained without a run to re-run it)', async () => {
    const other = path.join(work, 'other.json');
    const doc = JSON.parse(readFileSync(small, 'utf8'));
    doc.tasks[0].E[2] = '00';
    doc.tasks[1].gt = [1];
    writeFileSync(other, JSON.stringify(doc));
    const result = await passk(['select', '--matrix', small, '--compare-matrix', other, '--strategy', 'random', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const {comparison} = JSON.parse(result.stdout);
    expect([comparison.cells, comparison.groundTruth]).toEqual([
      {compared: 7, agree: 6, rate: 6 / 7},
      {compared: 4, agree: 3, rate: 0.75},
    ]);
    expect(comparison.disagreements).toEqual([
      {kind: 'cell', taskId: 'a', solution: 2, test: 1, ours: true, reference: false},
      {kind: 'gt', taskId: 'b', solution: 0, ours: false, reference: true},
    ]);
    const text = await passk(['select', '--matrix', small, '--compare-matrix', other, '--strategy', 'random']);
    expect(text.stdout).toContain('cells (solution passes test): 6 of 7 agree (85.714%)');
    expect(text.stdout).toContain('1  cell: unexplained');
    const missing = await passk(['select', '--matrix', small, '--compare-matrix', path.join(work, 'nope.json')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read matrix \(no such file\)/);
  });
});
