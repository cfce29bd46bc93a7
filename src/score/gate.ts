/**
 * The CI quality gate: given a candidate run (and optionally its comparison with a baseline), pass
 * or fail with the reasons. Exit 1 when pass@k is below --fail-under, or when the candidate is worse
 * than the baseline by more than --max-regression and the difference is significant (its 95% CI
 * excludes zero; for n = 1 the exact McNemar p < 0.05). An incomplete run (infrastructure errors,
 * in either run) never passes silently: exit 3, unless explicitly allowed, and then it says so.
 */
import {ExitCode, UserError} from '../errors.js';
import type {Comparison, PairedDifference} from './compare.js';
import type {Summary} from './summary.js';

export interface GateOptions {
  /** The pass@k the gate looks at. */
  k: number;
  /** Largest tolerated drop (a fraction: 0.02 = 2 points). */
  maxRegression: number;
  /** Minimum pass@k (a fraction). */
  failUnder?: number;
  /** Judge an incomplete run anyway (its errored samples are left out of pass@k). */
  allowIncomplete?: boolean;
}

export const defaultMaxRegression = 0.02;
const alpha = 0.05;

export interface GateResult {
  passed: boolean;
  exitCode: number;
  /** Why it failed, or why it passed: always at least one line. */
  reasons: string[];
  /** Things a reader should know that do not decide the outcome (power, incomplete runs let through). */
  notes: string[];
}

const points = (value: number) => `${(value * 100).toFixed(1)} points`;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** Said when the comparison is too small to see a regression of the size the gate cares about. */
export function powerNote(difference: PairedDifference, margin: number): string | undefined {
  const halfWidth = (difference.ci95[1] - difference.ci95[0]) / 2;
  if (halfWidth <= margin) return undefined;
  return `low power: with ${difference.problems} problems the 95% CI of pass@${difference.k} is ±${points(halfWidth)}, wider than --max-regression ${points(margin)}; only a drop of about ${points(difference.detectable)} or more is reliably detected (80% power); use more problems or more samples per problem`;
}

export function evaluateGate(cand: Summary, comparison: Comparison | undefined, options: GateOptions): GateResult {
  const {k, maxRegression} = options;
  if (!(maxRegression >= 0 && maxRegression <= 1)) throw new UserError(`--max-regression must be between 0 and 1, got ${maxRegression}`);
  if (options.failUnder !== undefined && !(options.failUnder >= 0 && options.failUnder <= 1)) {
    throw new UserError(`--fail-under must be between 0 and 1, got ${options.failUnder}`);
  }
  const failures: string[] = [];
  const passes: string[] = [];
  const notes: string[] = [];

  const incomplete = [cand, ...(comparison ? [comparison.base] : [])].filter((run) => !run.complete).map((run) => run.runId);
  if (incomplete.length > 0) {
    const message = `run ${incomplete.join(' and ')} is incomplete (samples lost to infrastructure errors)`;
    if (!options.allowIncomplete) {
      return {passed: false, exitCode: ExitCode.tooManyErrors, reasons: [`${message}: the gate cannot pass; finish it with \`passk run --resume ${incomplete[0]} --retry-errors\``], notes};
    }
    notes.push(`${message}; judged anyway (--allow-incomplete) on the samples that were judged`);
  }

  if (options.failUnder !== undefined) {
    const estimate = cand.passAtK[String(k)];
    if (!estimate) throw new UserError(`run ${cand.runId} reports no pass@${k} (n is too small or k was not asked for); choose --gate-k from ${Object.keys(cand.passAtK).join(', ') || 'none'}`);
    const line = `pass@${k} ${percent(estimate.value)} ${estimate.value < options.failUnder ? 'is below' : 'meets'} --fail-under ${percent(options.failUnder)}`;
    (estimate.value < options.failUnder ? failures : passes).push(line);
  }

  if (comparison) {
    const difference = comparison.ks.find((d) => d.k === k);
    if (!difference) throw new UserError(`runs ${comparison.base.runId} and ${comparison.cand.runId} have no common pass@${k}; choose --gate-k from ${comparison.ks.map((d) => d.k).join(', ') || 'none'}`);
    const [low, high] = difference.ci95;
    const test = difference.test === 'mcnemar-exact' ? 'exact McNemar' : 'paired t';
    // For the paired t, p < 0.05 is exactly "the 95% CI excludes zero".
    const significant = difference.pValue < alpha;
    const described = `pass@${k} changed by ${difference.mean >= 0 ? '+' : ''}${points(difference.mean)} vs ${comparison.base.runId} (95% CI ${points(low)} to ${points(high)}, p = ${difference.pValue.toPrecision(2)}, ${test}, ${difference.problems} problems)`;
    if (difference.mean < -maxRegression && significant) {
      const regressed = comparison.problems.filter((p) => p.status === 'regressed').map((p) => p.id);
      failures.push(`${described}: a significant regression beyond --max-regression ${points(maxRegression)}; regressed: ${regressed.slice(0, 10).join(', ')}${regressed.length > 10 ? `, … ${regressed.length - 10} more` : ''}`);
    } else if (difference.mean < -maxRegression) {
      passes.push(`${described}: worse by more than ${points(maxRegression)} but not significant at the 5% level`);
    } else {
      passes.push(`${described}: within --max-regression ${points(maxRegression)}`);
    }
    const note = powerNote(difference, maxRegression);
    if (note) notes.push(note);
  }
  if (failures.length === 0 && passes.length === 0) passes.push('no gate asked for (--fail-under, --baseline)');
  const passed = failures.length === 0;
  return {passed, exitCode: passed ? ExitCode.ok : ExitCode.gateFailed, reasons: passed ? passes : failures, notes};
}
