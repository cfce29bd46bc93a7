/**
 * Similarity of a sample to its reference: ROUGE-L (F1 of the longest common subsequence of
 * tokens, as in Lin 2004 with beta = 1) and the character edit distance (Levenshtein), also
 * normalised by the longer length so thresholds work across program sizes.
 */

/** Word and punctuation tokens: code's identifiers, numbers and operators each count. */
export function codeTokens(text: string): string[] {
  return text.match(/\w+|[^\s\w]/g) ?? [];
}

function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

export function rougeL(candidate: string, reference: string): number {
  const a = codeTokens(candidate);
  const b = codeTokens(reference);
  const lcs = lcsLength(a, b);
  if (lcs === 0) return 0;
  const precision = lcs / a.length;
  const recall = lcs / b.length;
  return (2 * precision * recall) / (precision + recall);
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Uint32Array.from({length: b.length + 1}, (_, j) => j);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

export interface SimilarityScores {
  rouge_l: number;
  /** Edit distance divided by the longer length: 0 identical, 1 nothing in common. */
  edit_distance: number;
  /** 1 − edit_distance. */
  edit_similarity: number;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function similarity(candidate: string, reference: string): SimilarityScores {
  const longer = Math.max(candidate.length, reference.length);
  const distance = longer === 0 ? 0 : editDistance(candidate, reference) / longer;
  return {rouge_l: round4(rougeL(candidate, reference)), edit_distance: round4(distance), edit_similarity: round4(1 - distance)};
}
