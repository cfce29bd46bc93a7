/**
 * Full-dataset sweeps (every canonical solution, every reference, every real sample) take minutes each.
 * `npm test` runs an evenly spread, fixed subset of each so the suite stays short; `npm run test:full`
 * (PASSK_FULL=1) runs every item. Test titles say which, so a report never hides the subset.
 */
export const fullSweeps = process.env.PASSK_FULL === '1';

/**
 * All items under PASSK_FULL=1; otherwise `count` of them spread evenly over the list (first and last
 * included) plus every item `always` picks (the known hard cases), in list order.
 */
export function sweep<T>(items: readonly T[], count: number, always: (item: T) => boolean = () => false): T[] {
  if (fullSweeps || items.length <= count) return [...items];
  const step = count > 1 ? (items.length - 1) / (count - 1) : 0;
  const even = new Set(Array.from({length: count}, (_, i) => Math.round(i * step)));
  return items.filter((item, index) => even.has(index) || always(item));
}

/** "all 164" or "an even 30 of 164 (PASSK_FULL=1 for all)", for test titles; `hard` when `always` adds the known hard cases. */
export function sweepLabel(total: number, count: number, hard = false): string {
  if (fullSweeps || total <= count) return `all ${total}`;
  return `an even ${count} of ${total}${hard ? ' and the known hard cases' : ''} (PASSK_FULL=1 for all)`;
}
