/**
 * Judging with EvalPlus's semantics, in the strict checker: the ground truth is the canonical
 * solution's output on every base and plus input, recorded in the sandbox with per-input times;
 * a sample is then one checker job in which each input is one call to the sample's process and
 * each output is compared in the checker (sandbox/evalplus.py) under a limit of
 * max(floor, factor × reference time). Base and plus are judged as EvalPlus's two checks.
 * Compat: the same job, but each check runs in a fresh process of the sample that compares its own
 * outputs, as EvalPlus's untrusted_check; the checker keeps the budget and writes the verdict.
 */
import type {Verdict} from '../bench.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {runChecker, runCheckerBatch, type CheckerOutcome, type CheckerSpec} from '../humaneval/checker.js';
import {strictVerdict} from '../humaneval/judge.js';
import type {EvalPlusProblem} from './dataset.js';

export type Group = 'base' | 'plus';
export type EvalPlusStatus = 'pass' | 'fail' | 'timeout';

export interface TimeLimits {
  /** Floor of every input's limit, seconds (EvalPlus: 4.0). */
  minTimeLimitS: number;
  /** Multiple of the reference's time on that input (EvalPlus: 4.0). */
  factor: number;
  /** Cap of one check's budget before its 1 s grace (EvalPlus: EVALPLUS_TIMEOUT_PER_TASK, 60). */
  perTaskS: number;
}

export const evalPlusDefaults: TimeLimits = {minTimeLimitS: 4, factor: 4, perTaskS: 60};

/** The reference's outputs on one group: codec trees as zlib'd JSON in base64 (exact in Python, opaque here). */
export interface GroupTruth {
  outputs: string;
  times: number[];
  /** Inputs the reference itself fails on: the problem is invalid, and they are not judged. */
  skip: number[];
}
export type GroundTruth = Partial<Record<Group, GroupTruth>>;

export interface GroupResult {
  status: EvalPlusStatus;
  /** Indices of the failing inputs (one under fail-fast). */
  failed: number[];
  first?: {index: number; input: string; error: string};
  ran: number;
}

/** Limits of a reference run: no ground-truth time yet, so generous ones. */
const recordCallLimitS = 30;
const recordBudgetS = 240;

export interface JudgeSettings extends TimeLimits {
  sandbox: Sandbox;
  groups: Group[];
  failFast: boolean;
  /** EvalPlus's in-process check (compat verdicts): the sample's process compares its own outputs. */
  compat?: boolean;
}

function baseJob(problem: EvalPlusProblem, groups: Group[]) {
  return {row: problem.row, dataset: problem.flavour, taskId: problem.id, entry: problem.entryPoint, atol: problem.atol, groups};
}

function checkerSpec(problem: EvalPlusProblem, code: string, evalplus: Record<string, unknown>, jobTimeoutMs: number) {
  return {program: code, entry: problem.entryPoint, prelude: '', tests: [], testTimeoutMs: 1, failFast: true, evalplus, jobTimeoutMs};
}

function reportOf(outcome: CheckerOutcome): Record<string, unknown> | undefined {
  return outcome.kind === 'results' ? outcome.evalplus : undefined;
}

/** The job died or the checker could not run the inputs: a verdict that says why (never a pass). */
function withoutReport(outcome: CheckerOutcome): Verdict {
  const verdict = strictVerdict(outcome);
  if (outcome.kind === 'results' && outcome.results.length === 0) {
    return {...verdict, passed: false, errored: true, result: 'error: checker: no input/output report'};
  }
  return {...verdict, passed: false};
}

/** Records the reference's outputs and times on every input of the groups. */
export async function recordGroundTruth(problem: EvalPlusProblem, sandbox: Sandbox, groups: Group[]): Promise<{truth?: GroundTruth; errors: string[]; failure?: Verdict}> {
  const job = {...baseJob(problem, groups), record: true, budgetS: recordBudgetS, callLimitS: recordCallLimitS};
  const outcome = await runChecker(sandbox, checkerSpec(problem, `${problem.prompt}${problem.canonicalSolution}`, job, groups.length * recordBudgetS * 1000));
  const report = reportOf(outcome) as Record<Group, {outputs: string; times: number[]; errors: [number, string, string][]}> | undefined;
  if (!report) return {errors: [], failure: withoutReport(outcome)};
  const truth: GroundTruth = {};
  const errors: string[] = [];
  for (const group of groups) {
    const recorded = report[group];
    truth[group] = {outputs: recorded.outputs, times: recorded.times, skip: recorded.errors.map(([index]) => index)};
    for (const [index, input, error] of recorded.errors) errors.push(`${group} input #${index} ${input}: ${error}`);
  }
  return {truth, errors};
}

/** Compat, per check: upstream's 1 s of join before the kill and the fresh process's set-up (evalplus.py's JOIN_GRACE_S and SETUP_LIMIT_S). */
const compatExtraS = 1 + 10;

/**
 * A check's whole budget: min(cap, Σ limits) + grace, as EvalPlus's untrusted_check, but never less
 * than factor × the reference's own total (evalplus.py's check_budget decides the same).
 */
function checkBudgetS(truth: GroupTruth, limits: TimeLimits, failFast: boolean, compat: boolean): number {
  const sum = truth.times.reduce((total, t) => total + Math.max(limits.minTimeLimitS, limits.factor * t), 0);
  const reference = limits.factor * truth.times.reduce((total, t) => total + t, 0);
  return Math.max(Math.min(limits.perTaskS, sum), reference) + (failFast ? 1 : 2) + (compat ? compatExtraS : 0);
}

function describeFailure(group: Group, result: GroupResult): string {
  if (result.status === 'timeout' && !result.first) return `timed out (${group})`;
  const first = result.first;
  const where = first ? `${group} input #${first.index} ${first.input}` : group;
  return result.status === 'timeout' ? `timed out: ${where}: ${first?.error ?? ''}` : `failed: ${where}: ${first?.error ?? ''}`;
}

function againstSpec(problem: EvalPlusProblem, code: string, truth: GroundTruth, settings: JudgeSettings): CheckerSpec {
  const groups = settings.groups.filter((group) => truth[group] !== undefined);
  const {minTimeLimitS, factor, perTaskS, failFast} = settings;
  const compat = settings.compat ?? false;
  const job = {...baseJob(problem, groups), expected: truth, minTimeLimitS, factor, perTaskS, failFast, ...(compat ? {compat} : {})};
  const jobTimeoutMs = groups.reduce((total, group) => total + checkBudgetS(truth[group]!, settings, failFast, compat), 0) * 1000;
  return checkerSpec(problem, code, job, jobTimeoutMs);
}

function verdictAgainst(outcome: CheckerOutcome, truth: GroundTruth, settings: JudgeSettings): Verdict {
  const groups = settings.groups.filter((group) => truth[group] !== undefined);
  const report = reportOf(outcome) as Partial<Record<Group, GroupResult>> | undefined;
  if (!report || outcome.kind !== 'results') return withoutReport(outcome);
  const statuses: Partial<Record<Group, EvalPlusStatus>> = {};
  for (const group of groups) statuses[group] = report[group]?.status ?? 'fail';
  const failing = groups.find((group) => statuses[group] !== 'pass');
  const {step} = outcome;
  return {
    passed: failing === undefined,
    result: failing === undefined ? 'passed' : describeFailure(failing, report[failing]!),
    durationMs: step.durationMs,
    details: {
      base_status: statuses.base ?? null,
      plus_status: statuses.plus ?? null,
      ...Object.fromEntries(groups.map((group) => [`${group}_fail`, report[group]?.failed ?? []])),
      ...Object.fromEntries(groups.map((group) => [`${group}_first`, report[group]?.first ?? null])),
      landlock: outcome.landlock,
      stderrTail: step.stderr.slice(-2048),
    },
  };
}

/** Judges a self-contained solution against the ground truth. */
export async function judgeAgainst(problem: EvalPlusProblem, code: string, truth: GroundTruth, settings: JudgeSettings): Promise<Verdict> {
  return verdictAgainst(await runChecker(settings.sandbox, againstSpec(problem, code, truth, settings)), truth, settings);
}

/** Several solutions (of one problem or several) against their problems' ground truth, in one checker job. */
export async function judgeManyAgainst(items: Array<{problem: EvalPlusProblem; code: string; truth: GroundTruth}>, settings: JudgeSettings): Promise<Verdict[]> {
  const outcomes = await runCheckerBatch(settings.sandbox, items.map(({problem, code, truth}) => againstSpec(problem, code, truth, settings)));
  return outcomes.map((outcome, index) => verdictAgainst(outcome, items[index]!.truth, settings));
}

/**
 * The calibration: record the reference's outputs, then judge the reference against them (a
 * reference that raises, times out or answers differently twice is an invalid problem, with the
 * reason). The verdict carries the ground truth for the samples' judging.
 */
export async function calibrateReference(problem: EvalPlusProblem, settings: JudgeSettings): Promise<Verdict> {
  const {truth, errors, failure} = await recordGroundTruth(problem, settings.sandbox, settings.groups);
  if (!truth) return {...failure!, result: failure!.errored ? failure!.result : `failed: the reference could not be run: ${failure!.result}`};
  const verdict = await judgeAgainst(problem, `${problem.prompt}${problem.canonicalSolution}`, truth, settings);
  const details = {...verdict.details, groundTruth: truth};
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return {...verdict, passed: false, result: `failed: the reference fails its own input: ${errors[0]}${more}`, details: {...details, referenceErrors: errors.slice(0, 20)}};
  }
  return {...verdict, details};
}
