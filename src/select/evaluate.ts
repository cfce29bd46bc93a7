/**
 * Scoring a ranking against the ground truth, as CodeT's evaluation does: groups with exactly equal
 * scores are merged (the pick is uniform within the merged group, weighted by row weight), pass@1
 * is the correct fraction of the top merged group, and pass@k takes one pick from each of the top k
 * merged groups, cycling from the top when there are fewer than k (a group picked r times fails
 * with probability (1 − correct fraction)^r).
 */
import type {TaskMatrix} from './matrix.js';
import type {Ranking} from './strategies.js';

/** Consecutive groups with exactly equal scores merged (the ranking is sorted, so ties are adjacent). */
export function mergeTies(ranking: Ranking): Ranking {
  const merged: Ranking = [];
  for (const group of ranking) {
    const last = merged.at(-1);
    if (last && last.score === group.score) last.members = [...last.members, ...group.members];
    else merged.push({members: [...group.members], score: group.score});
  }
  return merged;
}

/** How many picks each of the top merged groups gets for k picks (CodeT's round robin). */
export function picksPerGroup(groupCount: number, k: number): number[] {
  if (groupCount === 0) return [];
  if (groupCount >= k) return new Array<number>(k).fill(1);
  const picks = new Array<number>(groupCount).fill(1);
  for (let i = 0; i < k - groupCount; i++) picks[i % groupCount]! += 1;
  return picks;
}

/** Weighted fraction of a group's members that are correct. */
export function correctFraction(members: number[], task: TaskMatrix, weight: (solution: number) => number): number {
  let correct = 0;
  let total = 0;
  for (const member of members) {
    total += weight(member);
    if (task.gt[member]) correct += weight(member);
  }
  return correct / total;
}

/** pass@k of a merged ranking; undefined when nothing is ranked. */
export function rankingPassAtK(merged: Ranking, k: number, task: TaskMatrix, weight: (solution: number) => number): number | undefined {
  if (merged.length === 0) return undefined;
  let allWrong = 1;
  picksPerGroup(merged.length, k).forEach((picks, i) => {
    allWrong *= (1 - correctFraction(merged[i]!.members, task, weight)) ** picks;
  });
  return 1 - allWrong;
}
