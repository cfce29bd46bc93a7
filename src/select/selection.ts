/**
 * Runs strategies over a whole matrix and reports them under both protocols, next to plain
 * sampling, with the conventions that shape the numbers (dedup, tests kept per sample, timeouts,
 * post-processing). Pure: the same matrix and options give the same report.
 */
import {UserError} from '../errors.js';
import {passAtK} from '../score/passk.js';
import {mergeTies, rankingPassAtK} from './evaluate.js';
import type {SelectionMatrix, TaskMatrix} from './matrix.js';
import {classifyTask, protocolScore, type Protocol, type TaskClass} from './protocol.js';
import {seededRandom, weightedPick} from './rng.js';
import {strategies, type B4Params, type StrategyName} from './strategies.js';
import {taskView, type Dedup} from './view.js';

export const defaultBeta0 = [1e4, 1e5, 1e6];
export const defaultAlphaXY = 1e3;

export interface SelectionOptions {
  strategies: StrategyName[];
  /** One B4 result per value. */
  beta0: number[];
  alphaXY: number;
  /** Overrides every strategy's own convention. */
  dedup?: Dedup;
  protocols: Protocol[];
  /** pass@k values; 1 is always reported as pass1. */
  ks: number[];
  /** Seeds the concrete pick within each top group. */
  seed: number;
}

/** One strategy configuration: a strategy with its parameters under one dedup convention. */
export interface SelectionConfig {
  strategy: StrategyName;
  params: Partial<B4Params>;
  dedup: Dedup;
}

export interface TaskSelection {
  taskId: string;
  taskClass: TaskClass;
  /** The strategy's own pass@k for the task (before any protocol), keyed by k. */
  passAtK: Record<string, number>;
  /** The solution index picked (seeded, uniform by weight within the top merged group); absent when nothing is ranked. */
  pick?: number;
  /** True when the task scored plain sampling because nothing was ranked (codet-original). */
  fallback: boolean;
}

export interface SelectionResult extends SelectionConfig {
  protocol: Protocol;
  /** Tasks the mean is over. */
  tasks: number;
  pass1: number;
  passAtK: Record<string, number>;
}

export interface SamplingResult {
  protocol: Protocol;
  tasks: number;
  pass1: number;
  passAtK: Record<string, number>;
}

export interface SelectionReport {
  results: SelectionResult[];
  /** Plain sampling without selection: each task's correct fraction over all its samples. */
  sampling: SamplingResult[];
  taskClasses: Record<TaskClass, number>;
  conventions: Record<string, string>;
  /** Per configuration, per task: what was picked and scored. */
  selections: Array<SelectionConfig & {tasks: TaskSelection[]}>;
}

function samplingPassAtK(task: TaskMatrix, k: number): number {
  const n = task.solCount.reduce((sum, count) => sum + count, 0);
  const c = task.solCount.reduce((sum, count, i) => sum + (task.gt[i] ? count : 0), 0);
  return passAtK(n, c, k);
}

function configs(options: SelectionOptions): SelectionConfig[] {
  return options.strategies.flatMap((name): SelectionConfig[] => {
    const dedup = options.dedup ?? strategies[name].defaultDedup;
    if (name !== 'b4') return [{strategy: name, params: {}, dedup}];
    return options.beta0.map((beta0) => ({strategy: name, params: {beta0, alphaXY: options.alphaXY}, dedup}));
  });
}

function selectTask(task: TaskMatrix, taskClass: TaskClass, config: SelectionConfig, ks: number[], random: () => number): TaskSelection {
  const strategy = strategies[config.strategy];
  const view = taskView(task, config.dedup);
  const params = {beta0: config.params.beta0 ?? defaultBeta0[0]!, alphaXY: config.params.alphaXY ?? defaultAlphaXY};
  const merged = mergeTies(strategy.rank(view, params));
  const weight = (solution: number) => (config.dedup === 'weighted' ? task.solCount[solution]! : 1);
  const scores: Record<string, number> = {};
  const fallback = merged.length === 0 && strategy.fallsBackToSampling;
  for (const k of ks) scores[String(k)] = fallback ? samplingPassAtK(task, k) : (rankingPassAtK(merged, k, task, weight) ?? 0);
  const pick = merged.length > 0 ? weightedPick(merged[0]!.members, weight, random) : undefined;
  return {taskId: task.taskId, taskClass, passAtK: scores, pick, fallback};
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Means over the tasks a protocol keeps, for every k. */
function aggregate(protocol: Protocol, perTask: Array<{taskClass: TaskClass; score: (k: string) => number}>, ks: string[]) {
  const passAtKMeans: Record<string, number> = {};
  let tasks = 0;
  for (const k of ks) {
    const kept = perTask.map((task) => protocolScore(protocol, task.taskClass, () => task.score(k))).filter((v) => v !== undefined);
    passAtKMeans[k] = mean(kept);
    tasks = kept.length;
  }
  return {tasks, pass1: passAtKMeans['1']!, passAtK: passAtKMeans};
}

function describeConventions(matrix: SelectionMatrix, options: SelectionOptions): Record<string, string> {
  const {meta} = matrix;
  const seconds = (value: unknown) => (typeof value === 'number' ? `${value} s` : 'not recorded in the matrix');
  return {
    dedup:
      'unique: rows are the unique solutions that executed with the tests, columns the unique tests (B4 repository); ' +
      'weighted: rows and tests weighted by their multiplicity among the samples (original CodeT). ' +
      `Used: ${options.dedup ?? 'each strategy its own (codet-original weighted, the others unique)'}`,
    tests: typeof meta.limit === 'number' ? `the first ${meta.limit} valid asserts of each test sample (CodeT)` : 'asserts kept per test sample: not recorded in the matrix',
    groundTruthTimeout: seconds(meta.gt_timeout),
    testTimeout: seconds(meta.test_timeout),
    postprocess: typeof meta.postprocess === 'string' ? meta.postprocess : 'not recorded in the matrix',
    mixed: "B4's task filter: only tasks where some but not all executable solutions are correct; pass@1 is the mean over them",
    all:
      'every task; a task the filter drops scores 1 if all its executable solutions are correct, else 0 ' +
      '(a task without tests or executable solutions scores 0, whatever the strategy)',
    ties: 'groups with exactly equal scores are merged; pass@1 = weighted correct fraction of the top merged group; ' +
      'pass@k: one pick from each of the top k merged groups, cycling when fewer (CodeT)',
    codetOriginal: 'codet-original: groups passing no test are never ranked; a task with nothing ranked scores plain sampling',
    sampling: 'plain sampling: each task scores its unbiased pass@k over all its samples (non-executable ones count as wrong); it needs no tests, so under "all" every task keeps its own score',
  };
}

/** Prior counts are added to integer counts: beyond 1e15 the sums are no longer exact in a double. */
const largestPrior = 1e15;

function checkPrior(flag: string, value: number): void {
  if (!(value > 0 && value <= largestPrior)) throw new UserError(`--${flag} must be > 0 and at most 1e15 (got ${value})`);
}

export function runSelection(matrix: SelectionMatrix, options: SelectionOptions): SelectionReport {
  const ks = [...new Set([1, ...options.ks])].sort((a, b) => a - b).map(String);
  const minSamples = Math.min(...matrix.tasks.map((task) => task.solCount.reduce((sum, count) => sum + count, 0)));
  const largest = Number(ks.at(-1));
  if (largest > minSamples) throw new UserError(`pass@${largest} needs at least ${largest} samples per task; a task has ${minSamples}`);
  for (const beta0 of options.beta0) checkPrior('beta0', beta0);
  checkPrior('alpha-xy', options.alphaXY);

  const classes = matrix.tasks.map(classifyTask);
  const taskClasses: Record<TaskClass, number> = {mixed: 0, 'all-correct': 0, 'all-wrong': 0, 'no-rows': 0};
  for (const taskClass of classes) taskClasses[taskClass] += 1;

  // One generator per configuration: a strategy's picks do not depend on which others were asked for.
  const selections = configs(options).map((config) => {
    const random = seededRandom(options.seed);
    return {...config, tasks: matrix.tasks.map((task, i) => selectTask(task, classes[i]!, config, ks.map(Number), random))};
  });
  const results = selections.flatMap(({tasks, ...config}) =>
    options.protocols.map((protocol) => ({
      ...config,
      protocol,
      ...aggregate(protocol, tasks.map((task) => ({taskClass: task.taskClass, score: (k: string) => task.passAtK[k]!})), ks),
    })),
  );
  // Sampling needs no tests, so no task is filtered out for lack of them: under 'all' each keeps its own score.
  const sampling = options.protocols.map((protocol) => {
    const kept = matrix.tasks.filter((_, i) => protocol === 'all' || classes[i] === 'mixed');
    const passAtKMeans = Object.fromEntries(ks.map((k) => [k, mean(kept.map((task) => samplingPassAtK(task, Number(k))))]));
    return {protocol, tasks: kept.length, pass1: passAtKMeans['1']!, passAtK: passAtKMeans};
  });
  return {results, sampling, taskClasses, conventions: describeConventions(matrix, options), selections};
}
