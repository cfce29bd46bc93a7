/**
 * A round's manifest (round-<r>/manifest.json, written atomically after every stage) and the run's
 * own file (run.json: what guards a resume, and the curves over rounds).
 */
import path from 'node:path';
import type {EvalResult} from './evaluate.js';
import type {HookRun} from './hooks.js';
import type {FilterName} from './spec.js';

/** The round's stages, in order; `state` is the last one completed. */
export const stages = ['sampled', 'scored', 'filtered', 'exported', 'trained', 'served', 'evaluated'] as const;
export type Stage = (typeof stages)[number];

export interface FilterCounts {
  pass: number;
  fail: number;
  /** Did not apply (counted as passes). */
  skipped: number;
  /** Samples this filter was the first (in spec order) to fail. */
  dropped: number;
}

export interface RoundCurve {
  round: number;
  samples: number;
  kept: number;
  kept_fraction: number;
  /** Share of samples passing every execution filter listed (extract, compile, self_contained, simulate, tests). */
  pass_rate: number;
  eval_pass_at_k?: Record<string, number>;
}

export interface RoundManifest {
  round: number;
  state: Stage | 'started';
  /** The model the round sampled. */
  model: string;
  inputs: {seeds_sha256: string; spec_sha256: string; decontamination?: Record<string, string>};
  tools: Record<string, string>;
  counts?: {samples: number; kept: number; rows: number; pairs: number; ranking_groups: number; by_filter: Partial<Record<FilterName, FilterCounts>>; references?: Record<string, string>};
  exports?: Record<string, {file: string; rows: number}>;
  train?: HookRun & {adapter: string; artefact: string; init: string};
  serve?: {model: string; how: 'command' | 'vllm'; seconds: number};
  eval?: EvalResult;
  curve?: RoundCurve;
  updated_at: string;
}

export interface RunFile {
  name: string;
  /** sha256 of the spec's data-deciding parts: a resume with other ones is refused. */
  spec_sha256: string;
  seeds_sha256: string;
  created_at: string;
  curves: RoundCurve[];
}

export const roundDir = (out: string, round: number) => path.join(out, `round-${round}`);
