/**
 * Warnings about a run as a whole, for results that point at a mismatch between the samples and
 * the harness rather than at the model: almost no sample compiled.
 */
import {declaresTopModule} from '../bench/verilog/v1.js';
import type {RunConfig} from '../run/run.js';
import type {SampleRow} from '../store/store.js';

/** Share of judged samples that failed to compile above which the run is suspect. */
const almostAll = 0.9;
/** Fewer judged samples than this say too little to warn about. */
const minimumSamples = 10;

function compiled(sample: SampleRow): boolean | undefined {
  const value = sample.verdict && !sample.verdict.errored ? sample.verdict.details?.compiled : undefined;
  return typeof value === 'boolean' ? value : undefined;
}

/** The likeliest reason most of these samples did not compile, when one stands out. */
function likelyCause(failed: SampleRow[], config: Pick<RunConfig, 'bench' | 'verdictMode'>): string {
  const most = (test: (code: string) => boolean) => failed.filter((sample) => test(sample.code ?? '')).length * 2 > failed.length;
  if (most((code) => /^[ \t]*```/m.test(code))) return 'most still hold Markdown code fences (were raw responses replayed as code?)';
  if (config.bench === 'verilog-eval-v1' && config.verdictMode === 'compat' && most(declaresTopModule)) {
    return "most are whole modules (`module top_module ...`), which compat mode, as upstream, puts after the prompt's own header (a syntax error); --verdict strict takes them as the whole design";
  }
  if (most((code) => code.trim() === '')) return 'most are empty (did extraction find no code?)';
  return 'see the classes and the log tails in results.jsonl';
}

export function runWarnings(samples: SampleRow[], config: Pick<RunConfig, 'bench' | 'verdictMode'>): string[] {
  const judged = samples.filter((sample) => compiled(sample) !== undefined);
  const failed = judged.filter((sample) => compiled(sample) === false);
  if (judged.length < minimumSamples || failed.length < almostAll * judged.length) return [];
  return [`${failed.length} of ${judged.length} samples did not compile: ${likelyCause(failed, config)}`];
}
