/**
 * A stored run in EvalPlus's `eval_results.json` shape, so tools that read EvalPlus's results read
 * passk's: {date, hash, eval: {task_id: [{task_id, solution, base_status, plus_status,
 * base_fail_tests, plus_fail_tests}]}, pass_at_k: {base: {"pass@k"}, plus: {...}}}, with EvalPlus's
 * k (1, 10, 100 where every problem has that many samples). `hash` is passk's sha256 of the
 * dataset file (EvalPlus writes an md5 of its own cache); failing inputs are the dataset's JSON
 * values as JavaScript reads them (integers past 2^53 rounded, NaN as null).
 */
import type {EvalPlusProblem} from '../bench/evalplus/dataset.js';
import type {RunRow, SampleRow} from '../store/store.js';
import {passAtK} from './passk.js';

export interface EvalPlusResults {
  date: string;
  hash: string;
  eval: Record<string, EvalPlusRow[]>;
  pass_at_k: {base: Record<string, number>; plus?: Record<string, number>};
}

interface EvalPlusRow {
  task_id: string;
  solution: string;
  base_status: string | null;
  plus_status: string | null;
  base_fail_tests: unknown[];
  plus_fail_tests: unknown[];
}

function stamp(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function failTests(sample: SampleRow, group: 'base' | 'plus', problem: EvalPlusProblem | undefined): unknown[] {
  const indices = sample.verdict?.details?.[`${group}_fail`];
  if (!Array.isArray(indices) || !problem) return [];
  return indices.map((index) => problem.inputs[group][index as number]);
}

function meanPassAtK(counts: Array<{n: number; c: number}>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const k of [1, 10, 100]) {
    if (counts.length === 0 || counts.some(({n}) => n < k)) continue;
    result[`pass@${k}`] = counts.reduce((sum, {n, c}) => sum + passAtK(n, c, k), 0) / counts.length;
  }
  return result;
}

export function evalPlusResults(run: RunRow, samples: SampleRow[], problems: readonly EvalPlusProblem[]): EvalPlusResults {
  const byId = new Map(problems.map((p) => [p.id, p]));
  const evalRows: Record<string, EvalPlusRow[]> = {};
  const judged = samples.filter((s) => s.error === undefined && s.verdict && !s.verdict.errored).sort((a, b) => a.sampleIndex - b.sampleIndex);
  for (const sample of judged) {
    const problem = byId.get(sample.problemId);
    const details = sample.verdict!.details ?? {};
    (evalRows[sample.problemId] ??= []).push({
      task_id: sample.problemId,
      solution: sample.code ?? '',
      base_status: (details.base_status as string | undefined) ?? null,
      plus_status: (details.plus_status as string | undefined) ?? null,
      base_fail_tests: failTests(sample, 'base', problem),
      plus_fail_tests: failTests(sample, 'plus', problem),
    });
  }
  const rows = Object.values(evalRows);
  const count = (pass: (row: EvalPlusRow) => boolean) => rows.map((r) => ({n: r.length, c: r.filter(pass).length}));
  const hasPlus = rows.some((r) => r.some((row) => row.plus_status !== null));
  return {
    date: stamp(run.createdAt),
    hash: String(run.config.datasetHash ?? ''),
    eval: evalRows,
    pass_at_k: {
      base: meanPassAtK(count((row) => row.base_status === 'pass')),
      ...(hasPlus ? {plus: meanPassAtK(count((row) => row.base_status === 'pass' && row.plus_status === 'pass'))} : {}),
    },
  };
}
