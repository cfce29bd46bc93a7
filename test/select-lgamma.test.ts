import {describe, expect, it} from 'vitest';
import {betaln, lgamma} from '../src/select/lgamma.js';

/** log Γ(x) from mpmath.loggamma at 40 digits (mpmath 1.3.0), rounded to 20 significant digits. */
const known: Array<[number, number]> = [
  [1.5, -0.12078223763524522235],
  [2.5, 0.28468287047291915963],
  [3, 0.69314718055994530942],
  [3.7, 1.4280723266653881292],
  [5, 3.1780538303479456196],
  [10, 12.801827480081469611],
  [10.3, 13.482036786138358593],
  [14.5, 23.862765841689084906],
  [15, 25.1912211827386815],
  [20.25, 40.084110597917348984],
  [100, 359.13420536957539878],
  [1001, 5912.1281784881633489],
  [1037, 6161.4654102231201159],
  [12345.678, 103959.91990554605982],
  [1e4, 82099.717496442377273],
  [1e5, 1051287.7089736568949],
  [100003, 1051322.2477800515556],
  [1e6, 12815504.56914761166],
  [1000001, 12815518.384658169624],
  [2000000.5, 27017316.395986951198],
  [9999999, 151180933.25137836298],
  [1e7, 151180949.36947391394],
];

describe('lgamma', () => {
  it.each(known)('lgamma(%d) matches mpmath to 1e-12 relative', (x, expected) => {
    expect(Math.abs(lgamma(x) - expected) / Math.abs(expected)).toBeLessThan(1e-12);
  });

  it('is exactly 0 at 1 and 2 (the zeros, where a relative error has no meaning)', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
  });

  it('matches log((n-1)!) summed exactly for every integer up to 200', () => {
    let logFactorial = 0;
    for (let n = 2; n <= 200; n++) {
      logFactorial += Math.log(n - 1);
      // The running sum itself carries ~n ulps of rounding, hence the looser bound here.
      expect(Math.abs(lgamma(n) - logFactorial)).toBeLessThanOrEqual(1e-12 * Math.max(1, logFactorial));
    }
  });

  it('is accurate near the zeros in absolute terms', () => {
    // mpmath: loggamma(1.001), loggamma(1.999)
    expect(Math.abs(lgamma(1.001) - -0.00057639359828336954)).toBeLessThan(1e-13);
    expect(Math.abs(lgamma(1.999) - -0.00042246180069215378)).toBeLessThan(1e-13);
  });

  it('refuses arguments outside its domain', () => {
    for (const x of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => lgamma(x)).toThrow(RangeError);
  });
});

describe('betaln', () => {
  it('matches closed forms: B(1, b) = 1/b and B(a, b) from factorials', () => {
    expect(betaln(1, 1e6)).toBeCloseTo(-Math.log(1e6), 12);
    // B(3, 4) = 2! 3! / 6! = 1/60
    expect(Math.abs(betaln(3, 4) - Math.log(1 / 60))).toBeLessThan(1e-14);
  });

  /** mpmath.log(mpmath.beta(a, b)) at 50 digits. */
  const knownBeta: Array<[number, number, number]> = [
    [1, 1000250, -13.815760526719481461],
    [1037, 1, -6.944087208229527329],
    [3, 1e6, -40.753387493330377006],
    [37, 1000040, -415.45634203819459027],
    [500000, 500000, -693152.47622926052694],
    [1001, 20, -99.023800914207876259],
    [2.5, 1e7, -40.010556444422867811],
    [12, 9, -14.228705712134348962],
  ];

  // The attack: betaln(1, 1e6) by lgamma(1) + lgamma(1e6) - lgamma(1e6 + 1) is off by ~1e-9.
  it.each(knownBeta)('betaln(%d, %d) matches mpmath to 1e-13 relative, B4-sized arguments included', (a, b, expected) => {
    expect(Math.abs(betaln(a, b) - expected) / Math.abs(expected)).toBeLessThan(1e-13);
    expect(betaln(b, a)).toBe(betaln(a, b));
  });
});
