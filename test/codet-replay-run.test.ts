/**
 * Issue 10 with real samples: CodeT's CodeGen-16B HumanEval solutions (b4/codet_raw), replayed as
 * they are (CodeT's post-processing, joined to EvalPlus's problems through CodeT's dataset file),
 * judged on HumanEval+ base and plus inputs in one run, on one problem (the whole set is
 * bench work: BENCHMARKS.md). The stored run resumes without --replay-prompts (it is in its config).
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {projectRoot, sharedDataset} from './helpers/datasets.js';

const b4 = sharedDataset('b4');
const humaneval = sharedDataset('humaneval');
const cli = path.join(projectRoot, 'bin', 'run.js');
const passk = (args: string[]) => execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});

describe.skipIf(!b4 || !humaneval)("CodeT's CodeGen-16B solutions on HumanEval+ via replay", () => {
  it('one run gives base and plus pass@k for 100 samples per problem, and resumes without the prompts flag', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'passk-codet-replay-')), 'store.db');
    const solutions = path.join(b4!, 'codet_raw', 'HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl.gz');
    const args = [
      'run', '--db', db, '--bench', 'humaneval-plus', '--dataset', path.join(humaneval!, 'evalplus', 'HumanEvalPlus-v0.1.10.jsonl.gz'),
      '--model', `replay:${solutions}`, '--problems', 'HumanEval/2', '--sandbox', 'bwrap', '--json', '-k', '1', '-k', '10',
    ];
    const refused = await passk(args);
    expect(refused.exitCode).toBe(2);
    expect(JSON.parse(refused.stdout).error.message).toMatch(/matches no problem's prompt \(its prompts are not humaneval-plus's: give CodeT's dataset file of code prompts with --replay-prompts\)/);

    const run = await passk([...args, '--replay-prompts', path.join(b4!, 'codet_raw', 'HumanEval_for_code_generation.jsonl.gz')]);
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.n).toBe(100);
    expect(summary.perProblem.map((p: {id: string; n: number}) => [p.id, p.n])).toEqual([['HumanEval/2', 100]]);
    const {base, plus} = summary.passAtKByTests;
    expect(Object.keys(base)).toEqual(['1', '10']);
    // Plus adds inputs to base, so it can only lose samples.
    for (const k of ['1', '10']) expect(plus[k].value).toBeLessThanOrEqual(base[k].value);
    expect(base['1'].value).toBeGreaterThan(0);

    const rescored = await passk(['run', '--db', db, '--resume', summary.runId, '--json', '-k', '1']);
    expect(rescored.exitCode, rescored.stderr).toBe(0);
    expect(JSON.parse(rescored.stdout).passAtKByTests.plus['1']).toEqual(plus['1']);
  }, 180_000);
});
