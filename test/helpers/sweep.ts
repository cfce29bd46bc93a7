/**
 * Full-dataset sweeps (every canonical solution, every reference, every real sample) take minutes each.
 * `npm test` runs an evenly spread, fixed subset of each so the suite stays short; `npm run test:full`
 * (PASSK_FULL=1) runs every item. Test titles say which, so a report never hides the subset.
 */
export const fullSweeps = process.env.PASSK_FULL === '1';

/** All items under PASSK_FULL=1; otherwise `count` of them spread evenly over the list, first and last included. */
export function sweep<T>(items: readonly T[], count: number): T[] {
  if (fullSweeps || items.length <= count) return [...items];
  if (count <= 1) return items.slice(0, count);
  const step = (items.length - 1) / (count - 1);
  return Array.from({length: count}, (_, i) => items[Math.round(i * step)]!);
}

/** "all 164" or "41 of 164 (PASSK_FULL=1 for all)", for test titles. */
export function sweepLabel(total: number, chosen: number): string {
  return chosen === total ? `all ${total}` : `${chosen} of ${total} (PASSK_FULL=1 for all)`;
}
