/**
 * Decontamination against evaluation benchmarks: the word n-grams of every bench problem's prompt
 * and reference solution, and the share of a sample's n-grams (instruction and completion) found
 * among them. The benches are read through src/bench, so a missing official set falls back to the
 * bench's embedded suite exactly as `passk run` does.
 */
import {openBench, type BenchName} from '../../bench/index.js';
import type {HumanEvalProblem} from '../../bench/humaneval/dataset.js';

export interface BenchRef {
  bench: BenchName;
  task?: string;
  dataset?: string;
}

export interface NgramIndex {
  n: number;
  /** bench name → its n-grams. */
  benches: Map<string, Set<string>>;
  /** bench name → dataset hash, for the manifest. */
  hashes: Record<string, string>;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
}

export function ngrams(text: string, n: number): string[] {
  const tokens = words(text);
  const grams: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) grams.push(tokens.slice(i, i + n).join(' '));
  return grams;
}

/** The texts a bench problem shows a model or grades it against. */
function problemTexts(bench: Awaited<ReturnType<typeof openBench>>, problem: (typeof bench.problems)[number]): string[] {
  const prompt = bench.prompt(problem, 'chat');
  const shown = prompt.style === 'chat' ? prompt.messages.filter((m) => m.role === 'user').map((m) => m.content) : [prompt.text];
  const reference = bench.reference(problem);
  const solution = bench.name === 'humaneval' ? (problem as HumanEvalProblem).prompt + reference : reference;
  return [...shown, solution];
}

export async function buildNgramIndex(refs: BenchRef[], n: number): Promise<NgramIndex> {
  const benches = new Map<string, Set<string>>();
  const hashes: Record<string, string> = {};
  for (const ref of refs) {
    const bench = await openBench(ref);
    const label = `${bench.name}/${bench.task}`;
    const grams = benches.get(label) ?? new Set<string>();
    for (const problem of bench.problems) for (const text of problemTexts(bench, problem)) for (const gram of ngrams(text, n)) grams.add(gram);
    benches.set(label, grams);
    hashes[label] = bench.datasetHash;
  }
  return {n, benches, hashes};
}

export interface Overlap {
  /** Largest share of the text's n-grams found in one bench (0 when the text has fewer than n words). */
  overlap: number;
  bench?: string;
}

export function overlap(index: NgramIndex, text: string): Overlap {
  const grams = [...new Set(ngrams(text, index.n))];
  let best: Overlap = {overlap: 0};
  if (grams.length === 0) return best;
  for (const [bench, set] of index.benches) {
    const share = grams.filter((gram) => set.has(gram)).length / grams.length;
    if (share > best.overlap) best = {overlap: Math.round(share * 1e4) / 1e4, bench};
  }
  return best;
}
