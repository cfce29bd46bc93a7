/**
 * Real model answers that are whole modules: VeriCoder's gpt-4o-mini samples for VerilogEval v1
 * Human (`module top_module (...) ... endmodule`), replayed through a run. Compat mode assembles
 * test + prompt + answer as upstream does, so every one is a syntax error, and the run says why;
 * strict mode takes each answer as the whole design and records that it did.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {openBench} from '../src/bench/index.js';
import {openSandbox} from '../src/execute/index.js';
import {replayProvider} from '../src/generate/replay.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {resultLine} from '../src/score/summary.js';
import {Store} from '../src/store/store.js';
import {sharedDataset} from './helpers/datasets.js';

const verilogEval = sharedDataset('verilog-eval');
const samplesDir = sharedDataset('verilog-samples');
const samplesFile = samplesDir && path.join(samplesDir, 'vericoder-v1-human', 'gpt4o-mini_t_0.2_verilog_eval_Human_inf_results.jsonl.gz');
const sandbox = verilogEval && samplesDir ? await openSandbox() : undefined;
afterAll(() => sandbox?.close());

// Four problems × 10 samples each, from a constant to FSM next-state logic.
const problemIds = ['zero', 'mux2to1v', 'gatesv', 'm2014_q6b'];

async function replay(verdictMode: 'strict' | 'compat') {
  const bench = await openBench({bench: 'verilog-eval-v1', task: 'human', dataset: path.join(verilogEval!, 'v1')});
  const store = new Store(':memory:');
  const config: RunConfig = {
    bench: bench.name,
    task: bench.task,
    dataset: verilogEval!,
    datasetHash: bench.datasetHash,
    benchOptions: {},
    model: `replay:${samplesFile}`,
    n: 10,
    params: {temperature: 0.2, topP: 1, maxTokens: 1024},
    seed: 0,
    verdictMode,
    problemIds,
  };
  const summary = await executeRun({store, bench, provider: replayProvider(samplesFile!, bench), sandbox: sandbox!, config, concurrency: 1, execConcurrency: 2, passkVersion: 'test'});
  const results = store.samples(summary.runId).map(resultLine);
  store.close();
  return {summary, results};
}

describe.skipIf(!sandbox)('VeriCoder gpt-4o-mini whole-module answers to VerilogEval v1 Human', () => {
  it('compat: upstream’s literal assembly fails every one with a syntax error, and the run names the likely cause', async () => {
    const {summary, results} = await replay('compat');
    expect(results).toHaveLength(40);
    expect(new Set(results.map((row) => row.result))).toEqual(new Set(['failed: syntax error.']));
    expect(summary.passAtK['1']?.value).toBe(0);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/^40 of 40 samples did not compile: most are whole modules \(`module top_module \.\.\.`\)/);
  });

  it('strict: each answer replaces the prompt’s header, the assembly is recorded, and the right ones pass', async () => {
    const {summary, results} = await replay('strict');
    expect(new Set(results.map((row) => row.assembly))).toEqual(new Set(['whole module']));
    expect(results.filter((row) => row.result === 'failed: syntax error.')).toEqual([]);
    expect(summary.warnings).toEqual([]);
    expect(summary.uncalibrated).toEqual([]);
    // Every answer to `zero` (assign zero = 0) is right; together well over half pass.
    expect(summary.perProblem.find((p) => p.id === 'zero')).toMatchObject({n: 10, passed: 10});
    expect(summary.passAtK['1']?.value).toBeGreaterThan(0.5);
  });
});
