/**
 * A task's matrix as the strategies see it under one dedup convention: the rows (solutions that
 * executed against a non-empty test set, as in B4's dual execution) with their pass patterns, and
 * the weight of each row and test: 1 for `unique` (B4's repository: unique rows and columns), the
 * multiplicity among the samples for `weighted` (original CodeT: as if duplicates were expanded).
 */
import type {TaskMatrix} from './matrix.js';

export const dedupConventions = ['unique', 'weighted'] as const;
export type Dedup = (typeof dedupConventions)[number];

export interface TaskView {
  /** Solution indices (into TaskMatrix.solutions) that are rows. */
  rows: number[];
  /** Per row: '0'/'1' per test. */
  patterns: string[];
  rowWeight: number[];
  testWeight: number[];
}

export function taskView(task: TaskMatrix, dedup: Dedup): TaskView {
  const rows = task.tests.length === 0 ? [] : task.solutions.map((_, i) => i).filter((i) => task.execOk[i]);
  return {
    rows,
    patterns: rows.map((i) => task.rows[i]!),
    rowWeight: rows.map((i) => (dedup === 'weighted' ? task.solCount[i]! : 1)),
    testWeight: task.tests.map((_, j) => (dedup === 'weighted' ? task.testCount[j]! : 1)),
  };
}

export interface PatternGroup {
  pattern: string;
  /** Positions in view.rows. */
  rowPositions: number[];
  /** Σ row weight of the members. */
  size: number;
}

/** Rows grouped by identical pass pattern, groups in order of first appearance. */
export function groupByPattern(view: TaskView): PatternGroup[] {
  const groups = new Map<string, PatternGroup>();
  view.patterns.forEach((pattern, position) => {
    let group = groups.get(pattern);
    if (!group) {
      group = {pattern, rowPositions: [], size: 0};
      groups.set(pattern, group);
    }
    group.rowPositions.push(position);
    group.size += view.rowWeight[position]!;
  });
  return [...groups.values()];
}

/** Σ weight of the tests a pattern passes. */
export function passedWeight(pattern: string, testWeight: number[]): number {
  let total = 0;
  for (let j = 0; j < pattern.length; j++) if (pattern.charCodeAt(j) === 49) total += testWeight[j]!;
  return total;
}
