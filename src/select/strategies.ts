/**
 * Selection strategies (spec: shared/specs/selection.md §3–4): pure functions from a task view to
 * a ranking of solution groups, best first. Sorting is stable and descending; groups with exactly
 * equal scores are merged later, at evaluation (evaluate.ts), never here.
 */
import {betaln} from './lgamma.js';
import {groupByPattern, passedWeight, type Dedup, type PatternGroup, type TaskView} from './view.js';

export interface RankedGroup {
  /** Solution indices (into TaskMatrix.solutions). */
  members: number[];
  score: number;
}

export type Ranking = RankedGroup[];

export interface B4Params {
  beta0: number;
  alphaXY: number;
}

export const strategyNames = ['random', 'maxpass', 'mbr-exec', 'codet', 'codet-original', 'b4'] as const;
export type StrategyName = (typeof strategyNames)[number];

export interface Strategy {
  name: StrategyName;
  /** The convention the strategy is defined with (B4's repository: unique; CodeT's own code: weighted). */
  defaultDedup: Dedup;
  /** A task with an empty ranking scores plain sampling pass@k (CodeT) instead of 0. */
  fallsBackToSampling: boolean;
  rank(view: TaskView, params: B4Params): Ranking;
}

function membersOf(view: TaskView, group: PatternGroup): number[] {
  return group.rowPositions.map((position) => view.rows[position]!);
}

function sortedDescending(ranking: Ranking): Ranking {
  // Array.prototype.sort is stable, so equal scores keep their order of first appearance.
  return ranking.sort((a, b) => b.score - a.score);
}

/** Every row in one group: the pick is uniform over the unique executable solutions. */
function random(view: TaskView): Ranking {
  return view.rows.length === 0 ? [] : [{members: [...view.rows], score: 1}];
}

/** Grouped by number of tests passed; score = tests passed. */
function maxPass(view: TaskView): Ranking {
  const byPassed = new Map<number, number[]>();
  view.patterns.forEach((pattern, position) => {
    const passed = passedWeight(pattern, view.testWeight);
    const members = byPassed.get(passed) ?? [];
    members.push(view.rows[position]!);
    byPassed.set(passed, members);
  });
  return sortedDescending([...byPassed].map(([passed, members]) => ({members, score: passed})));
}

/** Grouped by identical pass pattern; score = group size (majority vote over pass/fail signatures). */
function mbrExec(view: TaskView): Ranking {
  return sortedDescending(groupByPattern(view).map((group) => ({members: membersOf(view, group), score: group.size})));
}

function codetScore(view: TaskView, group: PatternGroup): number {
  return passedWeight(group.pattern, view.testWeight) * Math.sqrt(group.size);
}

/** CodeT as in B4's repository: tests passed × √(group size), over whatever rows the view has. */
function codet(view: TaskView): Ranking {
  return sortedDescending(groupByPattern(view).map((group) => ({members: membersOf(view, group), score: codetScore(view, group)})));
}

/** CodeT's own code: a group passing no test is never ranked (the task then falls back to sampling). */
function codetOriginal(view: TaskView): Ranking {
  const ranked = groupByPattern(view).filter((group) => passedWeight(group.pattern, view.testWeight) > 0);
  return sortedDescending(ranked.map((group) => ({members: membersOf(view, group), score: codetScore(view, group)})));
}

/**
 * B4: each consensus set (a distinct row pattern with the tests it passes) scored by the log
 * posterior's four Beta terms, in the O(N·M + K·M) form: with column sums c_j and their total T,
 * a pattern with k members passing s tests and A = Σ_{j passed} c_j leaves n1 = A − k·s ones among
 * non-members on its tests and n0 = T − A on the others (members are all ones / all zeros there).
 */
function b4(view: TaskView, {beta0, alphaXY}: B4Params): Ranking {
  const M = view.testWeight.reduce((sum, w) => sum + w, 0);
  const N = view.rowWeight.reduce((sum, w) => sum + w, 0);
  const groups = groupByPattern(view);
  // Column sums over groups (K patterns) rather than rows: members share their pattern.
  const columnSums = new Float64Array(view.testWeight.length);
  for (const {pattern, size} of groups) {
    for (let j = 0; j < pattern.length; j++) if (pattern.charCodeAt(j) === 49) columnSums[j]! += size;
  }
  let T = 0;
  columnSums.forEach((sum, j) => (T += sum * view.testWeight[j]!));
  return sortedDescending(
    groups.map((group) => {
      const k = group.size;
      let s = 0;
      let A = 0;
      for (let j = 0; j < group.pattern.length; j++) {
        if (group.pattern.charCodeAt(j) !== 49) continue;
        s += view.testWeight[j]!;
        A += columnSums[j]! * view.testWeight[j]!;
      }
      const n1 = A - k * s;
      const m1 = (N - k) * s - n1;
      const n0 = T - A;
      const m0 = (N - k) * (M - s) - n0;
      const score =
        betaln(k + alphaXY, N - k + 1) + betaln(s + alphaXY, M - s + 1) + betaln(n1 + 1, m1 + 1) + betaln(n0 + 1, m0 + beta0);
      return {members: membersOf(view, group), score};
    }),
  );
}

export const strategies: Record<StrategyName, Strategy> = {
  random: {name: 'random', defaultDedup: 'unique', fallsBackToSampling: false, rank: random},
  maxpass: {name: 'maxpass', defaultDedup: 'unique', fallsBackToSampling: false, rank: maxPass},
  'mbr-exec': {name: 'mbr-exec', defaultDedup: 'unique', fallsBackToSampling: false, rank: mbrExec},
  codet: {name: 'codet', defaultDedup: 'unique', fallsBackToSampling: false, rank: codet},
  'codet-original': {name: 'codet-original', defaultDedup: 'weighted', fallsBackToSampling: true, rank: codetOriginal},
  b4: {name: 'b4', defaultDedup: 'unique', fallsBackToSampling: false, rank: b4},
};
