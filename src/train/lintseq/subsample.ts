/**
 * Volume matching for fair ablations: LintSeq's s sequences per program give its arm s times the
 * examples of the baseline, so an ablation may cut it to a given number of sequences, drawn
 * uniformly without replacement (seeded), kept in their original order.
 */
import {seededRandom, shuffled} from './random.js';

export function subsample<T>(rows: readonly T[], count: number, seed: number): T[] {
  if (count >= rows.length) return [...rows];
  const keep = new Set(shuffled([...rows.keys()], seededRandom(seed, 'subsample')).slice(0, count));
  return rows.filter((_, i) => keep.has(i));
}
