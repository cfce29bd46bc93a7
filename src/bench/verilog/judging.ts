/**
 * What judging VerilogEval v1 and v2 samples has in common: the Icarus command lines, the sandbox
 * limits, and the strict-mode checks that no sample output can fool.
 */
import type {Verdict, VerdictMode} from '../bench.js';
import {defaultLimits, type Limits, type StepResult} from '../../execute/sandbox.js';
import {printedCounts, readTrailer, readVerdictLine, type OutputHint, type TestbenchCounts} from './testbench.js';

/** Upstream `IVERILOG_COMPILE` (v2 Makefile) and v1 `execution.py` use the same flags. */
export function iverilogCompile(output: string, sources: string[], top = 'tb'): string[] {
  return ['iverilog', '-Wall', '-Winfloop', '-Wno-timescale', '-g2012', '-s', top, '-o', output, ...sources];
}

/** Upstream's simulation budget (v2 `timeout 30`, v1 `timeout = 30.0`); the longest reference runs ~5 s. */
export const simulationTimeoutMs = 30_000;

/** Upstream compiles without a time limit; huge constants can hang Icarus (iverilog#1171), so we cap it. */
export const compileTimeoutMs = 60_000;

export const simulationLimits: Limits = {...defaultLimits, timeoutMs: simulationTimeoutMs};

/** The sandbox failed, not the sample: never a verdict on the code. */
export function sandboxErrorVerdict(error: string, durationMs: number): Verdict {
  return {passed: false, errored: true, result: `error: sandbox: ${error}`, durationMs};
}

/** A step's abnormal end (timeout, memory, output cap, non-zero exit), or undefined when it ended normally. */
function stepProblem(name: string, step: StepResult | undefined): string | undefined {
  if (!step) return `${name} did not run`;
  if (step.timedOut) return `${name} timed out`;
  if (step.oom) return `${name} exceeded the memory limit`;
  if (step.truncated) return `${name} exceeded the output limit`;
  if (step.exitCode !== 0) return `${name} exited with ${step.exitCode ?? step.signal}`;
  return undefined;
}

/** The reference run's testbench sample count, when the calibration verdict recorded one. */
function calibratedSamples(calibration: Verdict | undefined): number | undefined {
  const samples = calibration?.details?.samples;
  return typeof samples === 'number' ? samples : undefined;
}

/**
 * Why a run whose log reads as a pass must still fail in strict mode: both steps ended normally,
 * the testbench's own (nonce-tagged) verdict line reported zero mismatches, and it compared as
 * many samples as the reference run did (see testbench.ts for why this cannot be forged). Without
 * a calibration the run is the reference's own; with one that recorded no sample count (the
 * reference could not be judged), an early `$finish` could not be told apart, so nothing passes.
 */
function strictProblems(compile: StepResult | undefined, sim: StepResult | undefined, counts: TestbenchCounts | string, calibration?: Verdict): string[] {
  const problems = [stepProblem('compile', compile), stepProblem('simulation', sim)].filter((problem) => problem !== undefined);
  const expected = calibratedSamples(calibration);
  if (calibration && expected === undefined) {
    problems.push(`the reference run gave no sample count to compare with (reference: ${calibration.result}), so strict mode passes no sample of this problem`);
  }
  if (typeof counts === 'string') return [...problems, counts];
  if (counts.mismatches !== 0) problems.push(`${counts.mismatches} out of ${counts.samples} samples mismatched`);
  if (counts.samples === 0) problems.push('the testbench compared no samples');
  if (expected !== undefined && counts.samples !== expected) {
    problems.push(`the testbench compared ${counts.samples} samples, the reference run ${expected}`);
  }
  return problems;
}

const tailLines = 40;
const tailChars = 4096;

/** The end of a log, small enough to store with every verdict. */
function logTail(log: string): string {
  const lines = log.split('\n');
  const tail = lines.slice(-tailLines - 1).join('\n');
  return tail.length > tailChars ? tail.slice(-tailChars) : tail;
}

export interface TestbenchReport {
  /** Counts from the nonce line (strict) or the printed trailer (compat); empty when unreadable. */
  counts: Partial<TestbenchCounts>;
  hints: OutputHint[];
  /** Empty when the run passes strict mode's checks (whatever the log-based verdict says). */
  strictProblems: string[];
}

/** Reads the testbench's report from the simulator's output; `nonce` is set in strict mode. */
export function readTestbench(
  simOutput: string,
  nonce: string | undefined,
  steps: {compile?: StepResult; sim?: StepResult},
  calibration?: Verdict,
): TestbenchReport {
  const trailer = readTrailer(simOutput);
  const counts = nonce ? readVerdictLine(simOutput, nonce) : printedCounts(trailer);
  return {
    counts: typeof counts === 'string' ? {} : counts,
    hints: trailer.hints,
    strictProblems: strictProblems(steps.compile, steps.sim, counts, calibration),
  };
}

/** The `details` every Verilog verdict carries. */
export function verdictDetails(
  report: TestbenchReport,
  mode: VerdictMode,
  steps: {compile?: StepResult; sim?: StepResult},
  log: string,
): Record<string, unknown> {
  return {
    mismatches: report.counts.mismatches,
    samples: report.counts.samples,
    hints: report.hints,
    // The design matched the reference on every sample, whatever lint-like rules say (e.g. class `n`, or v1 warnings).
    functionalPass: report.strictProblems.length === 0,
    compiled: stepProblem('compile', steps.compile) === undefined,
    ...(mode === 'strict' ? {strictProblems: report.strictProblems} : {}),
    compileMs: steps.compile?.durationMs,
    simulationMs: steps.sim?.durationMs,
    logTail: logTail(log),
  };
}
