/**
 * From scored samples to training rows: one canonical row per selected sample (with its provenance
 * and every verdict), preference pairs, and RTLCoder-style ranking groups (kept candidates and the
 * reference, scored, reference last). What a policy selects only decides the SFT rows; pairs and
 * ranking groups are always made so every export format has its rows.
 */
import {createHash} from 'node:crypto';
import type {FilterVerdict, SampleVerdicts} from './filters.js';
import {targetOf} from './filters.js';
import type {SeedRow} from './seeds.js';
import type {SimilarityScores} from './similarity.js';
import type {FilterName, ItertlSpec} from './spec.js';

/** One stored sample of a round (samples.jsonl) with its verdicts (verdicts.jsonl). */
export interface ScoredSample extends SampleVerdicts {
  source_id: string;
  sample_idx: number;
  seed: number;
  model: string;
}

export interface CanonicalRow {
  id: string;
  round: number;
  source_id: string;
  /** -1: the seed row's reference (a chosen answer when no sample was kept). */
  sample_idx: number;
  seed: number | null;
  system?: string;
  prompt: string;
  completion: string;
  reference: string;
  verdicts: Partial<Record<FilterName, FilterVerdict>>;
  scores: SimilarityScores;
  gen: {model: string; temperature: number; top_p: number; seed: number | null} | null;
  hashes: {prompt: string; completion: string};
}

export interface PreferencePair {
  id: string;
  round: number;
  source_id: string;
  system?: string;
  prompt: string;
  chosen: CanonicalRow;
  rejected: CanonicalRow;
}

export interface RankingGroup {
  id: string;
  round: number;
  source_id: string;
  prompt: string;
  /** Kept candidates by score, best first, then the reference. */
  responses: string[];
  scores: number[];
}

export interface Selection {
  rows: CanonicalRow[];
  pairs: PreferencePair[];
  groups: RankingGroup[];
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function canonical(spec: ItertlSpec, round: number, seed: SeedRow, sample: ScoredSample | undefined): CanonicalRow {
  const reference = targetOf(seed);
  const completion = sample ? sample.code : reference;
  return {
    id: `${spec.name}/r${round}/${seed.id}/${sample ? sample.sample_idx : 'ref'}`,
    round,
    source_id: seed.id,
    sample_idx: sample ? sample.sample_idx : -1,
    seed: sample ? sample.seed : null,
    ...(spec.system === undefined ? {} : {system: spec.system}),
    prompt: seed.instruction,
    completion,
    reference,
    verdicts: sample ? sample.verdicts : {},
    scores: sample ? sample.scores : {rouge_l: 1, edit_distance: 0, edit_similarity: 1},
    gen: sample ? {model: sample.model, temperature: spec.sampling.temperature, top_p: spec.sampling.top_p, seed: sample.seed} : null,
    hashes: {prompt: sha(seed.instruction), completion: sha(completion)},
  };
}

export function selectRows(spec: ItertlSpec, round: number, seeds: SeedRow[], samples: ScoredSample[]): Selection {
  const {policy, k, score} = spec.selection;
  const bySource = new Map<string, ScoredSample[]>();
  for (const sample of samples) bySource.set(sample.source_id, [...(bySource.get(sample.source_id) ?? []), sample]);
  const rows: CanonicalRow[] = [];
  const pairs: PreferencePair[] = [];
  const groups: RankingGroup[] = [];
  for (const seed of seeds) {
    const all = (bySource.get(seed.id) ?? []).sort((a, b) => a.sample_idx - b.sample_idx);
    // Best first; equal scores keep sample order, so the choice is deterministic.
    const kept = all.filter((s) => s.kept).sort((a, b) => b.scores[score] - a.scores[score] || a.sample_idx - b.sample_idx);
    const rejected = all.filter((s) => !s.kept && s.verdicts.extract?.pass !== false);
    const chosen = kept.length > 0 ? canonical(spec, round, seed, kept[0]) : canonical(spec, round, seed, undefined);
    // Distinct rejected answers, in sample order, each against the chosen one.
    const rejectedCodes = new Set<string>();
    for (const sample of rejected) {
      if (rejectedCodes.size >= (policy === 'pairs' ? k : 1)) break;
      if (sample.code === chosen.completion || rejectedCodes.has(sample.code)) continue;
      rejectedCodes.add(sample.code);
      pairs.push({id: `${chosen.id}~${sample.sample_idx}`, round, source_id: seed.id, ...(spec.system === undefined ? {} : {system: spec.system}), prompt: seed.instruction, chosen, rejected: canonical(spec, round, seed, sample)});
    }
    if (policy === 'pairs') {
      // The SFT rows of a pairs run: the chosen sample of each row that has a pair (never the reference).
      if (rejectedCodes.size > 0 && chosen.sample_idx >= 0) rows.push(chosen);
    } else {
      const selected = policy === 'all' ? [...kept].sort((a, b) => a.sample_idx - b.sample_idx) : kept.slice(0, policy === 'best_of_k' ? 1 : k);
      for (const sample of selected) rows.push(canonical(spec, round, seed, sample));
    }
    if (kept.length > 0) {
      groups.push({
        id: `${spec.name}/r${round}/${seed.id}`,
        round,
        source_id: seed.id,
        prompt: seed.instruction,
        responses: [...kept.map((s) => s.code), targetOf(seed)],
        scores: [...kept.map((s) => s.scores[score]), 1],
      });
    }
  }
  return {rows, pairs, groups};
}
