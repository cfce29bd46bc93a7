/**
 * Paired comparison of two scored runs: aligned on problem id, pass@k per problem in each run, and
 * the per-problem differences (candidate − baseline) averaged with a standard error over problems,
 * a 95% confidence interval and a p-value (paired t; exact McNemar when every problem has one
 * sample in each run). Pairing removes the problem-difficulty variance an unpaired test keeps, which
 * is most of it (Miller, "Adding Error Bars to Evals", 2024). Pure: summaries in, numbers out.
 */
import {UserError} from '../errors.js';
import {mcnemarExactP, tQuantile, tTwoSidedP} from './distributions.js';
import {passAtK} from './passk.js';
import type {ProblemResult, Summary} from './summary.js';

export const comparisonSchemaVersion = 1;

export interface PairedDifference {
  k: number;
  /** Problems in both runs with at least k judged samples in each. */
  problems: number;
  base: number;
  cand: number;
  /** Mean over problems of candidate − baseline pass@k. */
  mean: number;
  stderr: number;
  ci95: [number, number];
  pValue: number;
  test: 'paired-t' | 'mcnemar-exact';
  /** n = 1: problems that went pass → fail and fail → pass (McNemar's discordant pairs). */
  discordant?: {regressed: number; improved: number};
  /** The smallest true difference this comparison detects with 80% power at the 5% level: (z.975 + z.8) · SE. */
  detectable: number;
}

export interface ProblemChange {
  id: string;
  base: {n: number; passed: number};
  cand: {n: number; passed: number};
  /** Candidate − baseline pass rate (pass@1 estimate). */
  delta: number;
  status: 'regressed' | 'improved' | 'unchanged';
}

export interface RunRef {
  runId: string;
  model: string;
  bench: string;
  task: string;
  complete: boolean;
}

export interface Comparison {
  schemaVersion: number;
  base: RunRef;
  cand: RunRef;
  /** Settings that differ between the runs (only when forced: otherwise compare refuses). */
  mismatches: string[];
  onlyInBase: string[];
  onlyInCand: string[];
  ks: PairedDifference[];
  /** Every paired problem, regressions first (largest drop first), then improvements, then unchanged. */
  problems: ProblemChange[];
}

export interface CompareOptions {
  ks?: number[];
  /** Compare runs of different benches, datasets or verdict modes anyway. */
  force?: boolean;
}

const z975 = 1.959963984540054;
const z80 = 0.8416212335729143;

function ref(summary: Summary): RunRef {
  return {runId: summary.runId, model: summary.model, bench: summary.bench, task: summary.task, complete: summary.complete};
}

/** What must match for a difference to mean something about the model. */
function settingMismatches(base: Summary, cand: Summary): string[] {
  const facts: Array<[string, unknown, unknown]> = [
    ['bench', base.bench, cand.bench],
    ['task', base.task, cand.task],
    ['dataset', base.dataset.sha256, cand.dataset.sha256],
    ['verdict mode', base.verdictMode, cand.verdictMode],
    ['bench options', JSON.stringify(base.benchOptions), JSON.stringify(cand.benchOptions)],
  ];
  return facts.filter(([, a, b]) => a !== b).map(([name, a, b]) => `${name} (${String(a)} vs ${String(b)})`);
}

/** Mean, SE, CI and p of paired differences; `mcnemar` gives the exact test's p for 0/1 outcomes. */
export function pairedStatistics(differences: number[], mcnemar?: {regressed: number; improved: number}): Pick<PairedDifference, 'mean' | 'stderr' | 'ci95' | 'pValue' | 'detectable'> {
  const count = differences.length;
  const mean = count === 0 ? 0 : differences.reduce((sum, d) => sum + d, 0) / count;
  if (count < 2) {
    // No spread can be estimated from one problem: report the widest a difference of rates allows.
    return {mean, stderr: 1, ci95: [-1, 1], pValue: 1, detectable: 2};
  }
  const variance = differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (count - 1);
  const stderr = Math.sqrt(variance / count);
  const half = tQuantile(0.975, count - 1) * stderr;
  const ci95: [number, number] = [mean - half, mean + half];
  let pValue: number;
  if (mcnemar) pValue = mcnemarExactP(mcnemar.regressed, mcnemar.improved);
  else if (stderr === 0) pValue = mean === 0 ? 1 : 0;
  else pValue = tTwoSidedP(mean / stderr, count - 1);
  return {mean, stderr, ci95, pValue, detectable: (z975 + z80) * stderr};
}

function pairedDifference(k: number, pairs: Array<{base: ProblemResult; cand: ProblemResult}>): PairedDifference {
  const usable = pairs.filter((p) => p.base.n >= k && p.cand.n >= k);
  const baseValues = usable.map((p) => passAtK(p.base.n, p.base.passed, k));
  const candValues = usable.map((p) => passAtK(p.cand.n, p.cand.passed, k));
  const differences = candValues.map((value, i) => value - baseValues[i]!);
  const single = k === 1 && usable.length > 0 && usable.every((p) => p.base.n === 1 && p.cand.n === 1);
  const discordant = single
    ? {regressed: differences.filter((d) => d < 0).length, improved: differences.filter((d) => d > 0).length}
    : undefined;
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length);
  return {
    k,
    problems: usable.length,
    base: mean(baseValues),
    cand: mean(candValues),
    ...pairedStatistics(differences, discordant),
    test: single ? 'mcnemar-exact' : 'paired-t',
    ...(discordant ? {discordant} : {}),
  };
}

function problemChange(base: ProblemResult, cand: ProblemResult): ProblemChange {
  const rate = (p: ProblemResult) => (p.n === 0 ? 0 : p.passed / p.n);
  const delta = rate(cand) - rate(base);
  return {
    id: base.id,
    base: {n: base.n, passed: base.passed},
    cand: {n: cand.n, passed: cand.passed},
    delta,
    status: delta < 0 ? 'regressed' : delta > 0 ? 'improved' : 'unchanged',
  };
}

const statusOrder = {regressed: 0, improved: 1, unchanged: 2} as const;

export function compareRuns(base: Summary, cand: Summary, options: CompareOptions = {}): Comparison {
  const mismatches = settingMismatches(base, cand);
  if (mismatches.length > 0 && !options.force) {
    throw new UserError(`runs ${base.runId} and ${cand.runId} are not comparable: they differ in ${mismatches.join(', ')} (--force to compare anyway)`);
  }
  const candById = new Map(cand.perProblem.map((p) => [p.id, p]));
  const baseIds = new Set(base.perProblem.map((p) => p.id));
  const pairs = base.perProblem.filter((p) => candById.has(p.id)).map((p) => ({base: p, cand: candById.get(p.id)!}));
  if (pairs.length === 0) throw new UserError(`runs ${base.runId} and ${cand.runId} have no problem in common`);

  const reported = Object.keys(base.passAtK).filter((k) => k in cand.passAtK).map(Number);
  const ks = (options.ks && options.ks.length > 0 ? [...new Set(options.ks)] : reported).sort((a, b) => a - b);
  const problems = pairs
    .filter((p) => p.base.n > 0 && p.cand.n > 0)
    .map((p) => problemChange(p.base, p.cand))
    .sort((a, b) => statusOrder[a.status] - statusOrder[b.status] || Math.abs(b.delta) - Math.abs(a.delta) || a.id.localeCompare(b.id));
  return {
    schemaVersion: comparisonSchemaVersion,
    base: ref(base),
    cand: ref(cand),
    mismatches,
    onlyInBase: base.perProblem.filter((p) => !candById.has(p.id)).map((p) => p.id),
    onlyInCand: cand.perProblem.filter((p) => !baseIds.has(p.id)).map((p) => p.id),
    ks: ks.map((k) => pairedDifference(k, pairs)),
    problems,
  };
}
