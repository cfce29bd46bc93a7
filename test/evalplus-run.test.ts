/**
 * `passk run --bench humaneval-plus` end to end through the built CLI on a small hand-made
 * EvalPlus-format dataset: replayed EvalPlus samples (`completion`, `solution`, and a sample
 * folder), pass@k per test set, results lines with base/plus statuses, the EvalPlus exporter (also
 * after a compat run), and the one-line errors for EvalPlus-only flags elsewhere. (`npm test` builds first.)
 */
import {execa} from 'execa';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
let work: string;
let dataset: string;

const problems = [
  {
    task_id: 'HumanEval/0',
    prompt: 'def add(a, b):\n    """a + b"""\n',
    entry_point: 'add',
    canonical_solution: '    return a + b\n',
    test: '',
    atol: 0,
    base_input: [[1, 2], [3, 4]],
    plus_input: [[10 ** 6, 1], [-5, 5], [0, 0]],
  },
  {
    task_id: 'HumanEval/1',
    prompt: 'def half(x):\n    """x / 2"""\n',
    entry_point: 'half',
    canonical_solution: '    return x / 2\n',
    test: '',
    atol: 0,
    base_input: [[4], [1]],
    plus_input: [[3], [1e-9]],
  },
];

function passk(args: string[]) {
  return execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-evalplus-run-'));
  dataset = path.join(work, 'HumanEvalPlus-tiny.jsonl');
  writeFileSync(dataset, problems.map((p) => JSON.stringify(p)).join('\n') + '\n');
});

describe('passk run --bench humaneval-plus', () => {
  it('scores replayed EvalPlus samples on base and plus, and exports eval_results.json', {timeout: 120_000}, async () => {
    const samples = path.join(work, 'samples.jsonl');
    const lines = [
      {task_id: 'HumanEval/0', completion: '    return a + b\n'},
      // Right on base, wrong on plus: special-cases the small inputs.
      {task_id: 'HumanEval/0', solution: 'def add(a, b):\n    return {(1, 2): 3, (3, 4): 7}.get((a, b), 0)\n'},
      {task_id: 'HumanEval/1', solution: 'def half(x):\n    return x * 0.5\n'},
      {task_id: 'HumanEval/1', completion: '    return x // 2\n'},
    ];
    writeFileSync(samples, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const db = path.join(work, 'a.db');
    const out = path.join(work, 'out');
    const run = await passk(['run', '--bench', 'humaneval-plus', '--dataset', dataset, '--model', `replay:${samples}`, '--db', db, '--json', '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({bench: 'humaneval-plus', task: 'plus', problems: 2, samples: 4, invalidProblems: [], complete: true});
    // base: HumanEval/0 2 of 2, HumanEval/1 1 of 2 (x // 2 fails on 1); plus: 1 of 2 and 1 of 2.
    expect(summary.passAtKByTests.base['1'].value).toBeCloseTo(0.75, 10);
    expect(summary.passAtKByTests.plus['1'].value).toBeCloseTo(0.5, 10);
    expect(summary.passAtK['1'].value).toBeCloseTo(0.5, 10);
    const results = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const cheat = results.find((r) => r.task_id === 'HumanEval/0' && r.sample_index === 1);
    expect(cheat).toMatchObject({passed: false, base_status: 'pass', plus_status: 'fail'});
    expect(cheat.result).toBe('failed: plus input #0 [1000000, 1]: wrong output: got 0, expected 1000001');

    const exported = path.join(work, 'eval_results.json');
    const exporting = await passk(['runs', 'export', 'latest', '--format', 'evalplus', '--db', db, '-o', exported]);
    expect(exporting.exitCode, exporting.stderr).toBe(0);
    const evalplus = JSON.parse(readFileSync(exported, 'utf8'));
    expect(evalplus.hash).toBe(summary.dataset.sha256);
    expect(evalplus.eval['HumanEval/0'][1]).toEqual({
      task_id: 'HumanEval/0',
      solution: lines[1]!.solution,
      base_status: 'pass',
      plus_status: 'fail',
      base_fail_tests: [],
      plus_fail_tests: [[1000000, 1]],
    });
    // A completion is judged after the prompt, as EvalPlus does.
    expect(evalplus.eval['HumanEval/0'][0].solution).toBe(problems[0]!.prompt + lines[0]!.completion);
    expect(evalplus.pass_at_k).toEqual({base: {'pass@1': 0.75}, plus: {'pass@1': 0.5}});
  });

  it('replays an EvalPlus sample folder (<task_id with / as _>/<i>.py) on the base task', {timeout: 120_000}, async () => {
    const folder = path.join(work, 'samples-folder');
    for (const [id, solutions] of [['HumanEval_0', ['def add(a, b):\n    return a + b\n']], ['HumanEval_1', ['def half(x):\n    return x / 2\n', 'def half(x):\n    return 0\n']]] as const) {
      mkdirSync(path.join(folder, id), {recursive: true});
      solutions.forEach((code, i) => writeFileSync(path.join(folder, id, `${i}.py`), code));
    }
    const run = await passk(['run', '--bench', 'humaneval-plus', '--task', 'base', '--dataset', dataset, '--model', `replay:${folder}`, '--db', path.join(work, 'b.db'), '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({task: 'base', samples: 3});
    expect(summary.passAtKByTests.plus).toBeUndefined();
    expect(summary.perProblem).toEqual([
      {id: 'HumanEval/0', n: 1, passed: 1, invalid: false},
      {id: 'HumanEval/1', n: 2, passed: 1, invalid: false},
    ]);
  });

  it('scores the same samples the same way with --verdict compat, and exports the same statuses', {timeout: 120_000}, async () => {
    const samples = path.join(work, 'samples-compat.jsonl');
    const lines = [
      {task_id: 'HumanEval/0', completion: '    return a + b\n'},
      {task_id: 'HumanEval/0', solution: 'def add(a, b):\n    return {(1, 2): 3, (3, 4): 7}.get((a, b), 0)\n'},
    ];
    writeFileSync(samples, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const db = path.join(work, 'compat.db');
    const run = await passk(['run', '--bench', 'humaneval-plus', '--dataset', dataset, '--problems', 'HumanEval/0', '--model', `replay:${samples}`, '--verdict', 'compat', '--db', db, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({verdictMode: 'compat', samples: 2, invalidProblems: [], complete: true});
    expect(summary.passAtKByTests.base['1'].value).toBeCloseTo(1, 10);
    expect(summary.passAtKByTests.plus['1'].value).toBeCloseTo(0.5, 10);
    const exported = path.join(work, 'eval_results_compat.json');
    const exporting = await passk(['runs', 'export', 'latest', '--format', 'evalplus', '--db', db, '-o', exported]);
    expect(exporting.exitCode, exporting.stderr).toBe(0);
    const evalplus = JSON.parse(readFileSync(exported, 'utf8'));
    expect(evalplus.eval['HumanEval/0'][1]).toMatchObject({base_status: 'pass', plus_status: 'fail', base_fail_tests: [], plus_fail_tests: [[1000000, 1]]});
    expect(evalplus.pass_at_k).toEqual({base: {'pass@1': 1}, plus: {'pass@1': 0.5}});
  });

  it('refuses EvalPlus-only flags elsewhere and compat verdicts on mbpp, in one line, exit 2', async () => {
    const suite = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');
    const wrongBench = await passk(['run', '--bench', 'humaneval', '--dataset', suite, '--model', 'reference', '--test-details', '--db', path.join(work, 'c.db')]);
    expect(wrongBench.exitCode).toBe(2);
    expect(wrongBench.stderr.trim()).toBe('passk: --mini, --test-details, --min-time-limit and --gt-time-limit-factor apply to humaneval-plus and mbpp-plus only');
    const mbpp = path.join(work, 'Mbpp-tiny.jsonl');
    const row = {task_id: 'Mbpp/1', prompt: '"""\nAdd.\n"""\n', entry_point: 'add', canonical_solution: 'def add(a, b):\n    return a + b\n', assertion: 'assert add(1, 2) == 3', base_input: [[1, 2]], plus_input: [], atol: 0};
    writeFileSync(mbpp, JSON.stringify(row) + '\n');
    const compat = await passk(['run', '--bench', 'mbpp', '--dataset', mbpp, '--model', 'reference', '--verdict', 'compat', '--db', path.join(work, 'c.db')]);
    expect(compat.exitCode).toBe(2);
    expect(compat.stderr.trim()).toBe('passk: mbpp has strict verdicts only (the asserts run in the checker); drop --verdict compat');
  });
});
