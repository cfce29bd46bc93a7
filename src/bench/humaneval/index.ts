/**
 * The HumanEval bench (openai/human-eval semantics): also serves any suite in the same row format,
 * such as datasets/python-mini. A sample passes exactly when `check(entry_point)` returns: in strict
 * mode with `check` in a checker process apart from the sample (judge.ts), in compat mode as
 * upstream's single program.
 */
import type {Bench} from '../bench.js';
import {readHumanEvalDataset, type HumanEvalProblem} from './dataset.js';
import {extractHumanEval} from './extract.js';
import {judgeCompletion, judgeCompletions} from './judge.js';
import {humanEvalPrompt} from './prompt.js';

export interface HumanEvalOptions {
  /** A HumanEval-format `.jsonl` or `.jsonl.gz` file. */
  dataset: string;
  /** Per-program wall-clock limit (default 3 s, as human-eval). */
  timeoutMs?: number;
}

export async function loadHumanEval(options: HumanEvalOptions): Promise<Bench<HumanEvalProblem>> {
  const {problems, hash} = await readHumanEvalDataset(options.dataset);
  return {
    name: 'humaneval',
    task: 'base',
    language: 'python',
    datasetHash: hash,
    problems,
    prompt: humanEvalPrompt,
    extract: extractHumanEval,
    reference: (problem) => problem.canonicalSolution,
    judge: (problem, code, {sandbox, mode}) => judgeCompletion(problem, code, {sandbox, mode, timeoutMs: options.timeoutMs}),
    judgeMany: (items, {sandbox, mode}) => judgeCompletions(items, {sandbox, mode, timeoutMs: options.timeoutMs}),
  };
}

export type {HumanEvalProblem} from './dataset.js';
export {defaultTimeoutMs} from './judge.js';
