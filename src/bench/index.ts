/**
 * The benches passk knows, by name, and the small suites embedded in the package that they fall
 * back to when no --dataset is given (so `passk run` works on a fresh machine with no download).
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {UserError} from '../errors.js';
import type {Bench} from './bench.js';
import {loadEvalPlus} from './evalplus/index.js';
import {loadHumanEval} from './humaneval/index.js';
import {loadVerilogEvalV1} from './verilog/v1.js';
import {loadVerilogEvalV2} from './verilog/v2.js';

/** The package root (holds datasets/), from both src/ (tsx) and dist/ (built). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const benchNames = ['verilog-eval-v2', 'verilog-eval-v1', 'humaneval', 'humaneval-plus', 'mbpp-plus', 'mbpp'] as const;
export type BenchName = (typeof benchNames)[number];

export interface BenchSpec {
  bench: BenchName;
  task?: string;
  /** Dataset location; absent: the embedded suite. */
  dataset?: string;
  shots?: number;
  rules?: boolean;
  /** Python per-program time limit. */
  timeoutMs?: number;
  /** EvalPlus: HumanEval+-Mini, all inputs instead of fail-fast, per-input limit floor (s) and factor. */
  mini?: boolean;
  testDetails?: boolean;
  minTimeLimitS?: number;
  timeFactor?: number;
}

interface BenchInfo {
  tasks: readonly string[];
  /** Embedded suite and its demo samples, relative to the package root. */
  embedded?: {dataset: string; demoSamples: string};
}

export const benchInfo: Record<BenchName, BenchInfo> = {
  'verilog-eval-v2': {
    tasks: ['spec-to-rtl', 'code-complete'],
    embedded: {dataset: 'datasets/verilog-mini', demoSamples: 'datasets/demo/verilog-samples.jsonl'},
  },
  'verilog-eval-v1': {tasks: ['human', 'machine']},
  humaneval: {
    tasks: ['base'],
    embedded: {dataset: 'datasets/python-mini/problems.jsonl', demoSamples: 'datasets/demo/python-samples.jsonl'},
  },
  'humaneval-plus': {tasks: ['plus', 'base']},
  'mbpp-plus': {tasks: ['plus', 'base']},
  mbpp: {tasks: ['base']},
};

/** The dataset path a spec resolves to (the embedded suite when none is given). */
export function resolveDataset(spec: BenchSpec): string {
  if (spec.dataset) return path.resolve(spec.dataset);
  const embedded = benchInfo[spec.bench].embedded;
  if (!embedded) throw new UserError(`${spec.bench} has no embedded suite: pass --dataset (see \`passk datasets fetch\`)`);
  return path.join(packageRoot, embedded.dataset);
}

/** Demo samples for the embedded suite, used when no --model is given. */
export function embeddedDemoSamples(spec: BenchSpec): string | undefined {
  const embedded = benchInfo[spec.bench].embedded;
  return !spec.dataset && embedded ? path.join(packageRoot, embedded.demoSamples) : undefined;
}

export async function openBench(spec: BenchSpec): Promise<Bench> {
  const info = benchInfo[spec.bench];
  if (!info) throw new UserError(`unknown bench ${spec.bench}; choose one of ${benchNames.join(', ')}`);
  const task = spec.task ?? info.tasks[0];
  if (!info.tasks.includes(task)) throw new UserError(`${spec.bench} has no task ${task}; choose one of ${info.tasks.join(', ')}`);
  const dataset = resolveDataset(spec);
  switch (spec.bench) {
    case 'verilog-eval-v2':
      return loadVerilogEvalV2({dataset, task: task as 'spec-to-rtl' | 'code-complete', shots: spec.shots ?? 0, rules: spec.rules ?? false});
    case 'verilog-eval-v1':
      return loadVerilogEvalV1({dataset, task: task as 'human' | 'machine'});
    case 'humaneval':
      return loadHumanEval({dataset, timeoutMs: spec.timeoutMs});
    case 'humaneval-plus':
    case 'mbpp-plus':
    case 'mbpp':
      return loadEvalPlus({
        bench: spec.bench,
        task: task as 'base' | 'plus',
        dataset,
        mini: spec.mini,
        testDetails: spec.testDetails,
        minTimeLimitS: spec.minTimeLimitS,
        factor: spec.timeFactor,
        timeoutMs: spec.timeoutMs,
      });
  }
}
