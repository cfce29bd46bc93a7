import {describe, expect, it} from 'vitest';
import {aggregatePassAtK, meanWithStderr, passAtK, reportableKs} from '../src/score/passk.js';

/** Exact pass@k by rational arithmetic with BigInt binomials: an independent oracle for the product form. */
function exactPassAtK(n: number, c: number, k: number): number {
  const choose = (a: number, b: number): bigint => {
    if (b < 0 || b > a) return 0n;
    let r = 1n;
    for (let i = 1; i <= b; i++) r = (r * BigInt(a - b + i)) / BigInt(i);
    return r;
  };
  const scale = 10n ** 30n;
  const ratio = (choose(n - c, k) * scale) / choose(n, k);
  return 1 - Number(ratio) / 1e30;
}

describe('passAtK', () => {
  // Vectors from the HumanEval/EvalPlus reference implementation (shared/specs/humaneval.md §3).
  const vectors: Array<[number, number, number, number]> = [
    [6, 3, 1, 0.5],
    [5, 2, 3, 0.9],
    [10, 3, 5, 0.91666666666666663],
    [200, 13, 10, 0.49755111473060615],
    [200, 13, 100, 0.99991949719880546],
    [200, 101, 100, 1],
    [2000, 7, 1000, 0.99226936690019629],
  ];
  it.each(vectors)('n=%i c=%i k=%i → %f', (n, c, k, expected) => {
    expect(Math.abs(passAtK(n, c, k) - expected)).toBeLessThan(1e-12);
  });

  it('k=1 is exactly c/n', () => {
    for (let n = 1; n <= 30; n++) for (let c = 0; c <= n; c++) expect(passAtK(n, c, 1)).toBe(c / n);
  });

  it('agrees with exact rational arithmetic over a grid', () => {
    for (const n of [1, 2, 5, 17, 50, 120]) {
      for (let c = 0; c <= n; c += Math.max(1, Math.floor(n / 7))) {
        for (let k = 1; k <= n; k += Math.max(1, Math.floor(n / 5))) {
          expect(Math.abs(passAtK(n, c, k) - exactPassAtK(n, c, k))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('is monotone in c and k and bounded in [0, 1]', () => {
    const n = 40;
    for (let k = 1; k <= n; k++) {
      let previous = -1;
      for (let c = 0; c <= n; c++) {
        const v = passAtK(n, c, k);
        expect(v).toBeGreaterThanOrEqual(previous);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        if (k > 1) expect(v).toBeGreaterThanOrEqual(passAtK(n, c, k - 1) - 1e-15);
        previous = v;
      }
    }
  });

  it('rejects impossible inputs', () => {
    expect(() => passAtK(5, 6, 1)).toThrow(RangeError);
    expect(() => passAtK(5, 2, 6)).toThrow(RangeError);
    expect(() => passAtK(0, 0, 1)).toThrow(RangeError);
  });
});

describe('aggregation', () => {
  it('reports only ks every problem has samples for', () => {
    expect(reportableKs([{n: 20, c: 3}, {n: 5, c: 1}])).toEqual([1, 5]);
    expect(reportableKs([{n: 20, c: 3}], [10, 1, 10, 50])).toEqual([1, 10]);
  });

  it('averages over problems with the standard error of the mean', () => {
    const result = aggregatePassAtK([{n: 2, c: 2}, {n: 2, c: 0}, {n: 2, c: 1}, {n: 2, c: 1}], [1, 2]);
    expect(result['1'].value).toBe(0.5);
    // per-problem pass@1 = 1, 0, .5, .5: sample sd = sqrt(1/6), se = sd / 2
    expect(result['1'].stderr).toBeCloseTo(Math.sqrt(1 / 6) / 2, 12);
    expect(result['2'].value).toBeCloseTo((1 + 0 + 1 + 1) / 4, 12);
    expect(Object.keys(result)).toEqual(['1', '2']);
  });

  it('gives a number, never NaN, for one problem', () => {
    expect(meanWithStderr([0.25])).toEqual({value: 0.25, stderr: 0});
  });
});
