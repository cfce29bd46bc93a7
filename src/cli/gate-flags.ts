/** The gate's flags, shared by `passk run`, `passk compare` and `passk report`, and the one way they are read. */
import {Flags} from '@oclif/core';
import {UserError} from '../errors.js';
import {compareRuns, type Comparison} from '../score/compare.js';
import {defaultMaxRegression, evaluateGate, type GateResult} from '../score/gate.js';
import {findRun, scoredSummary} from '../score/run-ref.js';
import type {Summary} from '../score/summary.js';
import type {Store} from '../store/store.js';

/** A fraction in [0, 1] given as 0.02 or 2%. */
const fraction = Flags.custom<number>({
  async parse(text, _context, options) {
    const percent = text.trim().endsWith('%');
    const value = Number(percent ? text.trim().slice(0, -1) : text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${options.name} must be a number, got "${text}"`);
    const result = percent ? value / 100 : value;
    if (result < 0 || result > 1) throw new UserError(`--${options.name} must be between 0 and 1 (or 0% and 100%), got ${text}`);
    return result;
  },
});

export const reportFlag = {
  output: Flags.string({char: 'o', multiple: true, summary: 'Write a report; the format follows the extension: .json, .jsonl, .junit.xml, .md, .html (repeatable).'}),
};

export const gateFlags = {
  'max-regression': fraction({summary: `Gate: fail when pass@k is worse than the baseline by more than this (fraction or %, default ${defaultMaxRegression}) and the drop is significant.`}),
  'fail-under': fraction({summary: 'Gate: fail when pass@k is below this (fraction or %).'}),
  'gate-k': Flags.integer({min: 1, default: 1, summary: 'The pass@k the gate looks at.'}),
  'allow-incomplete': Flags.boolean({default: false, summary: 'Gate an incomplete run (infrastructure errors) instead of exiting 3; the report says so.'}),
};

export interface GateFlagValues {
  'max-regression'?: number;
  'fail-under'?: number;
  'gate-k': number;
  'allow-incomplete': boolean;
}

export interface GateOutcome {
  comparison?: Comparison;
  gate?: GateResult;
}

/**
 * Compares a scored run with a baseline (run id, `latest` or a name) and gates it: the gate only
 * when asked for (a baseline given, or --fail-under, or `gate` forced by --fail-on-regression).
 */
export function gateAgainst(store: Store, cand: Summary, baseline: string | undefined, flags: GateFlagValues, options: {gate?: boolean; force?: boolean; ks?: number[]} = {}): GateOutcome {
  let comparison: Comparison | undefined;
  if (baseline !== undefined) {
    const base = scoredSummary(findRun(store, baseline));
    if (base.runId === cand.runId) throw new UserError(`the baseline "${baseline}" is run ${cand.runId} itself`);
    comparison = compareRuns(base, cand, {force: options.force, ks: options.ks});
  }
  const wanted = options.gate ?? (baseline !== undefined || flags['fail-under'] !== undefined);
  if (!wanted) return {comparison};
  const gate = evaluateGate(cand, comparison, {
    k: flags['gate-k'],
    maxRegression: flags['max-regression'] ?? defaultMaxRegression,
    failUnder: flags['fail-under'],
    allowIncomplete: flags['allow-incomplete'],
  });
  return {comparison, gate};
}
