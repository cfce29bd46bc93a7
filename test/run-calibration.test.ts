/**
 * Calibration through the whole run: with the benchmark's own solutions as the model, problems
 * whose reference fails under the official rules are reported as invalid (with their class), apart
 * from model failures, and still count in the denominator.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openBench} from '../src/bench/index.js';
import {openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import {referenceProvider} from '../src/generate/reference.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {sharedDataset} from './helpers/datasets.js';

const verilogEval = sharedDataset('verilog-eval');

// Two valid problems and the four whose references fail (VerilogEval issue #13 and the 1 µs tb guard).
const problemIds = ['Prob001_zero', 'Prob082_lfsr32', 'Prob099_m2014_q6c', 'Prob100_fsm3comb', 'Prob141_count_clock', 'Prob156_review2015_fancytimer'];

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await openSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe.skipIf(!verilogEval)('a reference run over VerilogEval v2 spec-to-rtl', () => {
  it('reports the ceiling and the invalid problems with their upstream classes', async () => {
    const bench = await openBench({bench: 'verilog-eval-v2', task: 'spec-to-rtl', dataset: verilogEval});
    const store = new Store(':memory:');
    const config: RunConfig = {
      bench: bench.name,
      task: bench.task,
      dataset: verilogEval!,
      datasetHash: bench.datasetHash,
      benchOptions: {shots: 0, rules: false},
      model: 'reference',
      n: 1,
      params: {temperature: 0, topP: 1, maxTokens: 1024},
      seed: 0,
      verdictMode: 'compat',
      problemIds,
    };
    const summary = await executeRun({store, bench, provider: referenceProvider(bench), sandbox, config, concurrency: 1, execConcurrency: 2, passkVersion: 'test'});

    // Icarus 12 (the pinned version): three tb-guard timeouts and the issue-#13 port mismatch.
    // Icarus 11 cannot compile Prob156's enum cast, so that one is a compile error there instead.
    const icarus11 = /version 11\./.test(summary.toolchain.iverilog);
    expect(summary.invalidProblems.map(({id, class: cls}) => [id, cls])).toEqual([
      ['Prob082_lfsr32', 'T'],
      ['Prob099_m2014_q6c', 'C'],
      ['Prob141_count_clock', 'T'],
      ['Prob156_review2015_fancytimer', icarus11 ? 'C' : 'T'],
    ]);
    expect(summary.invalidProblems.find((p) => p.id === 'Prob099_m2014_q6c')?.reason).toMatch(/failed/);
    expect(summary.referenceCeiling).toBeCloseTo(2 / 6, 12);
    // The reference "model" fails exactly where its reference does; invalid problems stay in the denominator.
    expect(summary.passAtK['1'].value).toBeCloseTo(2 / 6, 12);
    expect(summary.passAtKValid['1'].value).toBe(1);
    expect(summary.perProblem.filter((p) => p.invalid).map((p) => p.id)).toEqual(summary.invalidProblems.map((p) => p.id));
    expect(summary.classes).toEqual(icarus11 ? {'.': 2, T: 2, C: 2} : {'.': 2, T: 3, C: 1});
    store.close();
  });
});
