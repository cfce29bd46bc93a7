/**
 * Unbiased pass@k (Chen et al. 2021): the probability that at least one of k samples drawn without
 * replacement from n, of which c are correct, passes. Computed in the numerically stable product
 * form the reference harnesses use, so C(2000, 1000) never overflows.
 */

export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`pass@k needs integers 0 <= c <= n, 1 <= k <= n (got n=${n}, c=${c}, k=${k})`);
  }
  if (k === 1) return c / n; // exact, no product rounding
  if (n - c < k) return 1;
  let allFail = 1;
  for (let i = n - c + 1; i <= n; i++) allFail *= 1 - k / i;
  return 1 - allFail;
}

export interface Estimate {
  value: number;
  /** Standard error of the mean over problems (sample sd / sqrt(N)); 0 for a single problem. */
  stderr: number;
}

export interface ProblemCount {
  n: number;
  c: number;
}

export function meanWithStderr(values: number[]): Estimate {
  const count = values.length;
  if (count === 0) return {value: 0, stderr: 0};
  const mean = values.reduce((sum, v) => sum + v, 0) / count;
  if (count === 1) return {value: mean, stderr: 0};
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (count - 1);
  return {value: mean, stderr: Math.sqrt(variance / count)};
}

/** The ks worth reporting: the requested ones (default 1, 5, 10, 20, 50, 100) that every problem has enough samples for. */
export function reportableKs(counts: ProblemCount[], requested?: number[]): number[] {
  if (counts.length === 0) return [];
  const minN = Math.min(...counts.map((p) => p.n));
  const ks = requested && requested.length > 0 ? requested : [1, 5, 10, 20, 50, 100];
  return [...new Set(ks)].filter((k) => k >= 1 && k <= minN).sort((a, b) => a - b);
}

/** pass@k averaged over problems, with its standard error, for every reportable k. */
export function aggregatePassAtK(counts: ProblemCount[], requested?: number[]): Record<string, Estimate> {
  const result: Record<string, Estimate> = {};
  for (const k of reportableKs(counts, requested)) {
    result[String(k)] = meanWithStderr(counts.map(({n, c}) => passAtK(n, c, k)));
  }
  return result;
}
