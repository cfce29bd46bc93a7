/**
 * Paired comparison and the gate: the distributions against independent computations (numerical
 * integration of the t density, exact rational binomial sums), then constructed run pairs with known
 * effects (identical, 10 points worse on 164 problems, 1 point on 20 problems).
 */
import {describe, expect, it} from 'vitest';
import {mcnemarExactP, tQuantile, tTwoSidedP} from '../src/score/distributions.js';
import {compareRuns, pairedStatistics} from '../src/score/compare.js';
import {evaluateGate} from '../src/score/gate.js';
import {UserError} from '../src/errors.js';
import {problemsWith, summaryOf} from './helpers/summaries.js';

/** P(|T| >= t) by Simpson integration of the unnormalised t density over θ (t = tan θ), normalised numerically too. */
function tTailByIntegration(t: number, df: number): number {
  const density = (theta: number) => {
    const x = Math.tan(theta);
    return (1 + (x * x) / df) ** (-(df + 1) / 2) / Math.cos(theta) ** 2;
  };
  const simpson = (a: number, b: number, steps = 20_000) => {
    const h = (b - a) / steps;
    let sum = density(a) + density(b);
    for (let i = 1; i < steps; i++) sum += density(a + i * h) * (i % 2 ? 4 : 2);
    return (sum * h) / 3;
  };
  const end = Math.PI / 2 - 1e-9;
  return simpson(Math.atan(t), end) / simpson(0, end);
}

/** Two-sided exact McNemar p as an exact rational, converted once at the end. */
function mcnemarByBigInt(b: number, c: number): number {
  const m = BigInt(b + c);
  const low = BigInt(Math.min(b, c));
  let coefficient = 1n;
  let tail = 0n;
  for (let i = 0n; i <= low; i++) {
    if (i > 0n) coefficient = (coefficient * (m - i + 1n)) / i;
    tail += coefficient;
  }
  const p = Number((2n * tail * 10n ** 18n) / 2n ** m) / 1e18;
  return Math.min(1, p);
}

describe('distributions', () => {
  it('t two-sided p agrees with numerical integration of the density', () => {
    for (const [t, df] of [[0.5, 3], [1.96, 19], [2.5, 163], [-3.1, 40], [0.01, 1], [4, 7]] as const) {
      expect(tTwoSidedP(t, df)).toBeCloseTo(tTailByIntegration(Math.abs(t), df), 7);
    }
  });

  it('t quantiles match published tables', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062047, 5);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228138852, 7);
    expect(tQuantile(0.975, 19)).toBeCloseTo(2.093024054, 7);
    expect(tQuantile(0.995, 30)).toBeCloseTo(2.749995654, 6);
  });

  it('exact McNemar equals the exact binomial sum', () => {
    expect(mcnemarExactP(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(mcnemarExactP(0, 0)).toBe(1);
    for (const [b, c] of [[3, 9], [17, 2], [40, 60], [10, 10], [1, 0], [120, 80]] as const) {
      expect(mcnemarExactP(b, c)).toBeCloseTo(mcnemarByBigInt(b, c), 12);
    }
  });

  it('paired statistics: mean, SE = sd/√N, t-based CI and p', () => {
    const d = [0.1, -0.2, 0.3, 0, 0.4, -0.1, 0.2, 0.1];
    const mean = d.reduce((a, b) => a + b) / d.length;
    const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (d.length - 1));
    const se = sd / Math.sqrt(d.length);
    const stats = pairedStatistics(d);
    expect(stats.mean).toBeCloseTo(mean, 12);
    expect(stats.stderr).toBeCloseTo(se, 12);
    expect(stats.ci95[0]).toBeCloseTo(mean - 2.364624252 * se, 6); // t.975, 7 df
    expect(stats.pValue).toBeCloseTo(tTailByIntegration(mean / se, 7), 7);
  });
});

describe('compare and gate on constructed runs', () => {
  const gate = {k: 1, maxRegression: 0.02};

  it('identical runs: no regression, exit 0', () => {
    const problems = problemsWith(164, 1, (i) => (i % 3 === 0 ? 0 : 1));
    const comparison = compareRuns(summaryOf('base', problems), summaryOf('cand', problems));
    const k1 = comparison.ks.find((d) => d.k === 1)!;
    expect(k1).toMatchObject({mean: 0, pValue: 1, test: 'mcnemar-exact', discordant: {regressed: 0, improved: 0}, problems: 164});
    expect(comparison.problems.every((p) => p.status === 'unchanged')).toBe(true);
    const result = evaluateGate(summaryOf('cand', problems), comparison, gate);
    expect(result).toMatchObject({passed: true, exitCode: 0});
    expect(result.reasons[0]).toMatch(/within --max-regression/);
  });

  it('a candidate 10 points worse on 164 problems fails with exactly the regressed problems listed', () => {
    const base = problemsWith(164, 1, (i) => (i < 120 ? 1 : 0));
    const broken = new Set(Array.from({length: 17}, (_, j) => `P${j * 7}`)); // 17 of the passing ones
    const cand = base.map((p) => (broken.has(p.id) ? {...p, passed: 0} : p));
    const comparison = compareRuns(summaryOf('base', base), summaryOf('cand', cand));
    const k1 = comparison.ks.find((d) => d.k === 1)!;
    expect(k1.mean).toBeCloseTo(-17 / 164, 12);
    expect(k1.pValue).toBeCloseTo(mcnemarByBigInt(17, 0), 12);
    expect(k1.ci95[1]).toBeLessThan(0);
    const regressed = comparison.problems.filter((p) => p.status === 'regressed').map((p) => p.id);
    expect(new Set(regressed)).toEqual(broken);
    expect(comparison.problems.slice(0, 17).every((p) => p.status === 'regressed')).toBe(true);
    const result = evaluateGate(summaryOf('cand', cand), comparison, gate);
    expect(result).toMatchObject({passed: false, exitCode: 1});
    expect(result.reasons[0]).toMatch(/significant regression/);
    for (const id of regressed.slice(0, 10)) expect(result.reasons[0]).toContain(`${id},`);
    expect(result.reasons[0]).toContain("… 7 more");
  });

  it('a 1-point drop on 20 problems is not significant: exit 0 with the power note', () => {
    const base = problemsWith(20, 10, (i) => 3 + (i % 5));
    // Realistic noise: 8 problems lose a pass, 6 gain one; net 2 of 200 samples, 1 point.
    const cand = base.map((p, i) => (i < 8 ? {...p, passed: p.passed - 1} : i < 14 ? {...p, passed: p.passed + 1} : p));
    const comparison = compareRuns(summaryOf('base', base), summaryOf('cand', cand));
    const k1 = comparison.ks.find((d) => d.k === 1)!;
    expect(k1.test).toBe('paired-t');
    expect(k1.mean).toBeCloseTo(-0.01, 12);
    // Independent paired t on the same differences.
    const d = [...Array(8).fill(-0.1), ...Array(6).fill(0.1), ...Array(6).fill(0)];
    const mean = -0.01;
    const se = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / 19 / 20);
    expect(k1.stderr).toBeCloseTo(se, 12);
    expect(k1.pValue).toBeCloseTo(tTailByIntegration(0.01 / se, 19), 7);
    const result = evaluateGate(summaryOf('cand', cand), comparison, gate);
    expect(result).toMatchObject({passed: true, exitCode: 0});
    expect(result.notes.join("\n")).toMatch(/low power: with 20 problems the 95% CI of pass@1 is ±/);
  });

  it('a drop beyond the margin that is not significant passes, saying so', () => {
    const base = problemsWith(10, 1, () => 1);
    const cand = base.map((p, i) => (i === 0 ? {...p, passed: 0} : p));
    const result = evaluateGate(summaryOf('cand', cand), compareRuns(summaryOf('base', base), summaryOf('cand', cand)), gate);
    expect(result.passed).toBe(true);
    expect(result.reasons[0]).toMatch(/not significant/);
  });

  it('--fail-under fails a run below the threshold and passes one above', () => {
    const problems = problemsWith(10, 1, (i) => (i < 4 ? 1 : 0));
    expect(evaluateGate(summaryOf('r', problems), undefined, {...gate, failUnder: 0.5})).toMatchObject({passed: false, exitCode: 1});
    expect(evaluateGate(summaryOf('r', problems), undefined, {...gate, failUnder: 0.4})).toMatchObject({passed: true, exitCode: 0});
  });

  it('an incomplete run never passes silently: exit 3, or a note when allowed', () => {
    const problems = problemsWith(10, 1, () => 1);
    const incomplete = summaryOf('cand', problems, {complete: false, errors: 2});
    expect(evaluateGate(incomplete, undefined, {...gate, failUnder: 0.1})).toMatchObject({passed: false, exitCode: 3});
    const comparison = compareRuns(summaryOf('base', problems, {complete: false}), summaryOf('cand', problems));
    expect(evaluateGate(summaryOf('cand', problems), comparison, gate)).toMatchObject({passed: false, exitCode: 3});
    const allowed = evaluateGate(incomplete, undefined, {...gate, failUnder: 0.1, allowIncomplete: true});
    expect(allowed).toMatchObject({passed: true, exitCode: 0});
    expect(allowed.notes[0]).toMatch(/incomplete/);
  });

  it('refuses different benches, datasets or verdict modes unless forced, and lists unpaired problems', () => {
    const problems = problemsWith(5, 1, () => 1);
    const other = summaryOf('cand', [...problems.slice(1), {id: 'Extra', n: 1, passed: 1}], {verdictMode: 'compat', dataset: {path: 'x', sha256: 'e'.repeat(64)}});
    expect(() => compareRuns(summaryOf('base', problems), other)).toThrow(UserError);
    expect(() => compareRuns(summaryOf('base', problems), other)).toThrow(/dataset .*verdict mode/);
    const forced = compareRuns(summaryOf('base', problems), other, {force: true});
    expect(forced.mismatches).toHaveLength(2);
    expect(forced.onlyInBase).toEqual(['P0']);
    expect(forced.onlyInCand).toEqual(['Extra']);
    expect(forced.ks[0]!.problems).toBe(4);
  });

  it('pass@k for k > 1 pairs the per-problem unbiased estimates', () => {
    const base = problemsWith(30, 10, (i) => i % 10);
    const cand = problemsWith(30, 10, (i) => Math.max(0, (i % 10) - 2));
    const comparison = compareRuns(summaryOf('base', base), summaryOf('cand', cand));
    const k5 = comparison.ks.find((d) => d.k === 5)!;
    expect(k5.base).toBeCloseTo(summaryOf('base', base).passAtK['5']!.value, 12);
    expect(k5.cand).toBeCloseTo(summaryOf('cand', cand).passAtK['5']!.value, 12);
    expect(k5.mean).toBeCloseTo(k5.cand - k5.base, 12);
    expect(k5.ci95[1]).toBeLessThan(0);
  });
});
