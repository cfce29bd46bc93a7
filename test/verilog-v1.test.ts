import {readFileSync} from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox} from '../src/execute/index.js';
import {loadVerilogEvalV1} from '../src/bench/verilog/v1.js';
import {v1Result} from '../src/bench/verilog/v1-result.js';
import {sharedDataset} from './helpers/datasets.js';

describe('v1 result strings (execution.py rules)', () => {
  const run = (stdout: string, stderr = '', timedOut = false) => v1Result({stdout, stderr, timedOut});

  it('decides by stderr first, then the first Mismatches match on stdout', () => {
    expect(run('Mismatches: 0 in 20 samples\n')).toBe('passed');
    expect(run('Mismatches: 207 in 213 samples\n')).toBe('failed: 207 out of 213 samples.');
    expect(run('x', 'a.sv:3: syntax error\nI give up.\n')).toBe('failed: syntax error.');
    // Any stderr, a warning included, fails v1 (v2 would pass the same design).
    expect(run('Mismatches: 0 in 20 samples\n', 'a.sv:5: warning: implicit definition of wire x.\n')).toBe('failed: compile error.');
    expect(run('VCD info: dumpfile wave.vcd opened for output.\n')).toBe('failed: info string not matched.');
    expect(run('Mismatches: 0 in 20 samples\n', '', true)).toBe('timed out');
  });

  it('reproduces the unanchored, first-match search and Python’s int() failure', () => {
    expect(run('xMismatches: 0 in 5 samplesx\nMismatches: 3 in 5 samples\n')).toBe('passed');
    expect(run('Mismatches: 3 in 5 samples\nMismatches: 0 in 5 samples\n')).toBe('failed: 3 out of 5 samples.');
    expect(run('Mismatches:  in  samples\n')).toBe("failed: invalid literal for int() with base 10: ''");
    expect(run('Mismatches: 007 in 12345678901234567890 samples\n')).toBe('failed: 7 out of 12345678901234567890 samples.');
  });
});

const dataset = sharedDataset('verilog-eval');
// Opened only when the data is there; then a sandbox that fails to open fails the suite.
const sandbox = dataset ? await openSandbox() : undefined;
afterAll(() => sandbox?.close());

describe.skipIf(!dataset)('v1 example set (data/example)', () => {
  // A skipped describe is still collected: no path may be built from a dataset that is not there.
  const example = dataset ? path.join(dataset, 'v1', 'example') : '';
  const rows = (file: string) =>
    readFileSync(path.join(example, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as {task_id: string; completion: string; result?: string; passed?: boolean});

  it('reproduces every result string of ExampleSolution.jsonl_reference.jsonl, pass@1 = 0.5', async () => {
    const bench = loadVerilogEvalV1({dataset: path.join(example, 'ExampleEval.jsonl'), task: 'human'});
    const byId = new Map(bench.problems.map((problem) => [problem.id, problem]));
    const limit = pLimit(2);
    const verdicts = await Promise.all(
      rows('ExampleSolution.jsonl').map((sample) =>
        limit(() => bench.judge(byId.get(sample.task_id)!, sample.completion, {sandbox: sandbox!, mode: 'compat'})),
      ),
    );
    const expected = rows('ExampleSolution.jsonl_reference.jsonl');
    expect(verdicts.map((verdict) => verdict.result)).toEqual(expected.map((row) => row.result));
    expect(verdicts.map((verdict) => verdict.passed)).toEqual(expected.map((row) => row.passed));
    const perProblem = [...byId.keys()].map((id) => {
      const mine = verdicts.filter((_verdict, index) => expected[index]!.task_id === id);
      return mine.filter((verdict) => verdict.passed).length / mine.length;
    });
    expect(perProblem.reduce((sum, rate) => sum + rate, 0) / perProblem.length).toBe(0.5);
  });

  it('agrees in strict mode, which adds the forgery checks', async () => {
    const bench = loadVerilogEvalV1({dataset: path.join(example, 'ExampleEval.jsonl'), task: 'human'});
    const zero = bench.problems.find((problem) => problem.id === 'zero')!;
    const calibration = await bench.judge(zero, bench.reference(zero), {sandbox: sandbox!, mode: 'strict'});
    expect(calibration).toMatchObject({passed: true, result: 'passed', details: {samples: 20}});
    const forged = "\tassign zero = 1;\n\tinitial $display(\"Mismatches: 0 in 20 samples\");\nendmodule\n";
    expect(await bench.judge(zero, forged, {sandbox: sandbox!, mode: 'compat', calibration})).toMatchObject({passed: true});
    expect(await bench.judge(zero, forged, {sandbox: sandbox!, mode: 'strict', calibration})).toMatchObject({
      passed: false,
      result: 'failed: 20 out of 20 samples mismatched',
    });
  });
});
