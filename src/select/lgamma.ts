/**
 * log Γ(x) and log B(a, b) for x > 0. JavaScript has no lgamma. B4's β0 pushes arguments past 1e6,
 * so this must be accurate for large x: Stirling's series with eight Bernoulli terms, after shifting
 * x up to at least 15 with Γ(x) = Γ(x + n) / (x (x+1) … (x+n-1)). Relative error below 1e-13 away
 * from the zeros at 1 and 2, which are returned exactly (test/select-lgamma.test.ts).
 */

const halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);
/** Below this the series is not yet accurate to double precision; shift up first. */
const seriesFrom = 15;

export function lgamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`lgamma needs a finite x > 0 (got ${x})`);
  if (x === 1 || x === 2) return 0;
  let shiftProduct = 1;
  while (x < seriesFrom) {
    shiftProduct *= x;
    x += 1;
  }
  return (x - 0.5) * Math.log(x) - x + halfLogTwoPi + stirlingTail(x) - Math.log(shiftProduct);
}

/** Σ B_2k / (2k (2k-1) x^(2k-1)), k = 1..8, in Horner form; for x >= seriesFrom. */
function stirlingTail(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    inv *
    (1 / 12 +
      inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156 + inv2 * (-3617 / 122400))))))))
  );
}

/**
 * log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). With a small and b large (B4's β0 terms:
 * betaln(1, 1e6)) the naive form subtracts two numbers near 1e7 and keeps only ~1e-9 of absolute
 * accuracy, so log Γ(a+b) − log Γ(b) is taken from Stirling's series directly:
 * (b − ½) log1p(a/b) + a log(a+b) − a + tail(a+b) − tail(b).
 */
export function betaln(a: number, b: number): number {
  if (!(a > 0 && b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`betaln needs finite a, b > 0 (got ${a}, ${b})`);
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  if (large < seriesFrom) return lgamma(a) + lgamma(b) - lgamma(a + b);
  const sum = small + large;
  const lgammaRise = (large - 0.5) * Math.log1p(small / large) + small * Math.log(sum) - small + stirlingTail(sum) - stirlingTail(large);
  return lgamma(small) - lgammaRise;
}
