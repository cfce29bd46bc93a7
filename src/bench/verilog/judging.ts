/**
 * What judging VerilogEval v1 and v2 samples has in common: the Icarus command lines, the sandbox
 * limits, and the strict-mode checks that no sample output can fool.
 */
import type {Verdict} from '../bench.js';
import {defaultLimits, type Limits, type StepResult} from '../../execute/sandbox.js';
import type {TrustedCounts} from './testbench.js';

/** Upstream `IVERILOG_COMPILE` (v2 Makefile) and v1 `execution.py` use the same flags. */
export function iverilogCompile(output: string, sources: string[]): string[] {
  return ['iverilog', '-Wall', '-Winfloop', '-Wno-timescale', '-g2012', '-s', 'tb', '-o', output, ...sources];
}

/** Upstream's simulation budget (v2 `timeout 30`, v1 `timeout = 30.0`); the longest reference runs ~5 s. */
export const simulationTimeoutMs = 30_000;

/** Upstream compiles without a time limit; huge constants can hang Icarus (iverilog#1171), so we cap it. */
export const compileTimeoutMs = 60_000;

export const simulationLimits: Limits = {...defaultLimits, timeoutMs: simulationTimeoutMs};

/** The sandbox failed, not the sample: never a verdict on the code. */
export function sandboxErrorVerdict(error: string, durationMs: number): Verdict {
  return {passed: false, errored: true, result: `failed: sandbox error: ${error}`, durationMs};
}

/** A step's abnormal end (timeout, memory, output cap, non-zero exit), or undefined when it ended normally. */
export function stepProblem(name: string, step: StepResult | undefined): string | undefined {
  if (!step) return `${name} did not run`;
  if (step.timedOut) return `${name} timed out`;
  if (step.oom) return `${name} exceeded the memory limit`;
  if (step.truncated) return `${name} exceeded the output limit`;
  if (step.exitCode !== 0) return `${name} exited with ${step.exitCode ?? step.signal}`;
  return undefined;
}

/** The reference run's testbench sample count, when the calibration verdict recorded one. */
export function calibratedSamples(calibration: Verdict | undefined): number | undefined {
  const samples = calibration?.details?.samples;
  return typeof samples === 'number' ? samples : undefined;
}

/**
 * Why a run whose log reads as a pass must still fail in strict mode: both steps ended normally,
 * the testbench's own (nonce-tagged) verdict line reported zero mismatches, and it compared as
 * many samples as the reference run did (see testbench.ts for why this cannot be forged).
 */
export function strictProblems(compile: StepResult | undefined, sim: StepResult | undefined, counts: TrustedCounts | string, calibration?: Verdict): string[] {
  const problems = [stepProblem('compile', compile), stepProblem('simulation', sim)].filter((problem) => problem !== undefined);
  if (typeof counts === 'string') return [...problems, counts];
  if (counts.mismatches !== 0) problems.push(`${counts.mismatches} out of ${counts.samples} samples mismatched`);
  if (counts.samples === 0) problems.push('the testbench compared no samples');
  const expected = calibratedSamples(calibration);
  if (expected !== undefined && counts.samples !== expected) {
    problems.push(`the testbench compared ${counts.samples} samples, the reference run ${expected}`);
  }
  return problems;
}

const tailLines = 40;
const tailChars = 4096;

/** The end of a log, small enough to store with every verdict. */
export function logTail(log: string): string {
  const lines = log.split('\n');
  const tail = lines.slice(-tailLines - 1).join('\n');
  return tail.length > tailChars ? tail.slice(-tailChars) : tail;
}
