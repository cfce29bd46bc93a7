/**
 * Every number a report shows, computed once: the Markdown, JUnit and HTML renderers read this, so
 * reports of the same run agree on every number (and the JSON report is the summary they start from).
 */
import type {Comparison} from '../score/compare.js';
import type {GateResult} from '../score/gate.js';
import {tQuantile} from '../score/distributions.js';
import type {Summary} from '../score/summary.js';
import type {SampleRow} from '../store/store.js';

export interface ReportInput {
  summary: Summary;
  /** The run's samples with their verdicts (store order: by problem, then sample index). */
  samples: SampleRow[];
  comparison?: Comparison;
  gate?: GateResult;
}

export interface PassAtKRow {
  k: number;
  value: number;
  stderr: number;
  /** 95% CI over problems: value ± t(0.975, N − 1) · SE, clipped to [0, 1]. */
  low: number;
  high: number;
}

export function passAtKRows(summary: Summary): PassAtKRow[] {
  const problems = summary.perProblem.filter((p) => p.n > 0).length;
  const t = problems > 1 ? tQuantile(0.975, problems - 1) : 0;
  return Object.entries(summary.passAtK).map(([k, {value, stderr}]) => ({
    k: Number(k),
    value,
    stderr,
    low: Math.max(0, value - t * stderr),
    high: Math.min(1, value + t * stderr),
  }));
}

/** Failure classes (and passes) by sample count, most common first. */
export function classRows(summary: Summary): Array<{name: string; count: number}> {
  return Object.entries(summary.classes)
    .map(([name, count]) => ({name, count}))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** What a reader needs from a failing sample: the last lines of its compiler, simulator or interpreter output. */
export function logTail(sample: SampleRow): string {
  if (sample.error !== undefined) return sample.error;
  const details = sample.verdict?.details ?? {};
  const parts = [details.logTail, details.stderrTail, details.stdoutTail, details.error].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return parts.join('\n').trimEnd();
}

export function sampleResult(sample: SampleRow): string {
  if (sample.error !== undefined) return `error: ${sample.error}`;
  return sample.verdict?.result ?? 'not judged';
}

export function isInfrastructureError(sample: SampleRow): boolean {
  return sample.error !== undefined || Boolean(sample.verdict?.errored);
}

/** One problem's outcome as CI test results see it: passed when any sample passed. */
export interface ProblemOutcome {
  id: string;
  status: 'passed' | 'failed' | 'error';
  passed: number;
  judged: number;
  errored: number;
  invalid: boolean;
  seconds: number;
  /** The sample that explains a failure or error: the first failing (or errored) one. */
  witness?: SampleRow;
}

export function problemOutcomes(summary: Summary, samples: SampleRow[]): ProblemOutcome[] {
  const byProblem = new Map<string, SampleRow[]>();
  for (const sample of samples) {
    const list = byProblem.get(sample.problemId);
    if (list) list.push(sample);
    else byProblem.set(sample.problemId, [sample]);
  }
  return summary.perProblem.map((problem) => {
    const rows = byProblem.get(problem.id) ?? [];
    const errored = rows.filter(isInfrastructureError);
    const seconds = rows.reduce((sum, s) => sum + (s.verdict?.durationMs ?? 0), 0) / 1000;
    // Passed samples decide; with none, a lost (errored) sample means "unknown", not "the model failed".
    const status = problem.passed > 0 ? 'passed' : errored.length > 0 ? 'error' : 'failed';
    const witness = status === 'passed' ? undefined : status === 'error' ? errored[0] : rows.find((s) => !s.verdict?.passed);
    return {id: problem.id, status, passed: problem.passed, judged: problem.n, errored: errored.length, invalid: problem.invalid, seconds, witness};
  });
}

