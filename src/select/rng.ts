/** A small seeded PRNG (mulberry32): the same seed picks the same solutions on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One member drawn with probability proportional to its weight. */
export function weightedPick(members: number[], weight: (member: number) => number, random: () => number): number {
  const total = members.reduce((sum, member) => sum + weight(member), 0);
  let target = random() * total;
  for (const member of members) {
    target -= weight(member);
    if (target < 0) return member;
  }
  return members.at(-1)!;
}
