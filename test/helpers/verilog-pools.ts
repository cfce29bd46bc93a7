/**
 * Candidate pools for behavioural Verilog selection, run through the real pipeline: the samples
 * replayed and judged by the real VerilogEval testbench (the ground truth), then selected by
 * behaviour. Real pools are the model samples in ../shared/datasets/verilog-samples; mutant pools
 * are written from the benchmark's references (src/select/verilog/mutants.ts).
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {openBench} from '../../src/bench/index.js';
import type {Sandbox} from '../../src/execute/sandbox.js';
import {resolveRun} from '../../src/run/config.js';
import {executeRun} from '../../src/run/run.js';
import {defaultAlphaXY, defaultBeta0, type SelectionOptions} from '../../src/select/selection.js';
import {strategyNames} from '../../src/select/strategies.js';
import {mutantPool, poolShapes} from '../../src/select/verilog/mutants.js';
import {selectVerilogRun, type VerilogRunSelection} from '../../src/select/verilog/run.js';
import {defaultStimulus} from '../../src/select/verilog/stimulus.js';
import type {Store} from '../../src/store/store.js';

export interface Pool {
  name: string;
  bench: 'verilog-eval-v1' | 'verilog-eval-v2';
  task: 'human' | 'spec-to-rtl';
  /** The samples file (replay:) */
  samples: string;
}

/** The real pools: Gemini 2.5 Flash on v2 spec-to-rtl (5 per problem), three models on v1 Human (10 each). */
export function realPools(samplesRoot: string): Pool[] {
  const vericoder = (file: string) => path.join(samplesRoot, 'vericoder-v1-human', `${file}_verilog_eval_Human_inf_results.jsonl.gz`);
  return [
    {name: 'gemini-2.5-flash v2', bench: 'verilog-eval-v2', task: 'spec-to-rtl', samples: path.join(samplesRoot, 'turtle-gemini-2.5-flash-v2', 'verilog_eval_rtl.json.gz')},
    {name: 'gpt-4o-mini v1', bench: 'verilog-eval-v1', task: 'human', samples: vericoder('gpt4o-mini_t_0.2')},
    {name: 'vericoder-qwen14b v1', bench: 'verilog-eval-v1', task: 'human', samples: vericoder('qwen14b_sft_120k_t_0.6')},
    {name: 'rtlcoder-mistral v1', bench: 'verilog-eval-v1', task: 'human', samples: vericoder('rtlcodermistral_t_0.7')},
  ];
}

export function benchDataset(verilogEval: string, bench: Pool['bench']): string {
  return bench === 'verilog-eval-v1' ? path.join(verilogEval, 'v1') : verilogEval;
}

/** Writes a mutant pool (one per problem, seeded) as a samples file and describes it. */
export async function mutantPoolFile(
  verilogEval: string,
  bench: Pool['bench'],
  shape: keyof typeof poolShapes,
  seed: number,
  file: string,
): Promise<Pool> {
  const task = bench === 'verilog-eval-v1' ? 'human' : 'spec-to-rtl';
  const opened = await openBench({bench, task, dataset: benchDataset(verilogEval, bench)});
  const lines = opened.problems.flatMap((problem) =>
    mutantPool(opened.reference(problem), bench === 'verilog-eval-v2', poolShapes[shape], seed).map((entry) => JSON.stringify({task_id: problem.id, completion: entry.code})),
  );
  writeFileSync(file, lines.join('\n') + '\n');
  return {name: `mutants-${shape} ${bench === 'verilog-eval-v1' ? 'v1' : 'v2'}`, bench, task, samples: file};
}

export const allStrategies = (seed = 0): SelectionOptions => ({
  strategies: [...strategyNames],
  beta0: defaultBeta0,
  alphaXY: defaultAlphaXY,
  protocols: ['all', 'mixed'],
  ks: [],
  seed,
});

export interface PoolRun {
  pool: Pool;
  runId: string;
  selection: VerilogRunSelection;
}

/** Judges the pool's samples for `problemIds` (all when absent) in a run, then selects by behaviour. */
export async function runPool(
  store: Store,
  sandbox: Sandbox,
  verilogEval: string,
  pool: Pool,
  options: {problemIds?: string[]; seed?: number; concurrency?: number} = {},
): Promise<PoolRun> {
  const {bench, provider, config} = await resolveRun(
    {bench: pool.bench, task: pool.task, dataset: benchDataset(verilogEval, pool.bench), model: `replay:${pool.samples}`, problemIds: options.problemIds},
    undefined,
    {},
  );
  const concurrency = options.concurrency ?? 2;
  const summary = await executeRun({store, bench, provider, sandbox, config, concurrency, execConcurrency: concurrency, passkVersion: 'test'});
  const run = store.getRun(summary.runId)!;
  const seed = options.seed ?? 0;
  const selection = await selectVerilogRun(store, run, sandbox, {...defaultStimulus, seed, concurrency}, allStrategies(seed));
  return {pool, runId: run.id, selection};
}
