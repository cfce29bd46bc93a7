/**
 * Seeded randomness for LintSeq: every (seed, row, sequence) gets its own stream, so the output
 * does not depend on how rows were spread over workers or in which order they finished.
 */
import {createHash} from 'node:crypto';

export type Random = () => number;

/** sfc32 seeded from sha256 of the key parts: uniform in [0, 1). */
export function seededRandom(...key: Array<string | number>): Random {
  const digest = createHash('sha256').update(key.join('\u0000')).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** One of `items`, drawn with probability proportional to its weight (all weights > 0). */
export function weightedPick(items: readonly number[], weight: (item: number) => number, random: Random): number {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let target = random() * total;
  for (const item of items) {
    target -= weight(item);
    if (target < 0) return item;
  }
  return items[items.length - 1]!;
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
