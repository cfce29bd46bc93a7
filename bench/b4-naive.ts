/**
 * B4 by its definition, as the reference code computes it: for each consensus set, count the four
 * blocks cell by cell over the non-member rows, O(K·N·M) per task. The baseline for
 * bench/select.ts and the oracle for the fast form in test/select-strategies.test.ts.
 */
import {betaln} from '../src/select/lgamma.js';

/** Pattern → score, for rows given as '0'/'1' strings (duplicates are separate rows). */
export function b4NaiveScores(rows: string[], beta0: number, alphaXY: number): Map<string, number> {
  const N = rows.length;
  const M = rows[0]?.length ?? 0;
  const scores = new Map<string, number>();
  for (const y of new Set(rows)) {
    let k = 0;
    let n1 = 0;
    let m1 = 0;
    let n0 = 0;
    let m0 = 0;
    for (const row of rows) {
      if (row === y) {
        k++;
        continue;
      }
      for (let j = 0; j < M; j++) {
        const passed = row[j] === '1';
        if (y[j] === '1') passed ? n1++ : m1++;
        else passed ? n0++ : m0++;
      }
    }
    const s = [...y].filter((c) => c === '1').length;
    scores.set(y, betaln(k + alphaXY, N - k + 1) + betaln(s + alphaXY, M - s + 1) + betaln(n1 + 1, m1 + 1) + betaln(n0 + 1, m0 + beta0));
  }
  return scores;
}
