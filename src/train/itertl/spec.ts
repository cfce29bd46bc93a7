/**
 * The `passk datagen itertl --spec FILE.yaml` file: one ITERTL-style loop (seed set, endpoint and
 * sampling, ordered filters, selection, decontamination, exports, hooks), checked with zod. The
 * JSON Schema published in schema/ is generated from this (`itertlJsonSchema`); a test keeps the
 * two in sync. Every ITERTL unknown (K, T, rounds, similarity, warm start) is a field here.
 */
import os from 'node:os';
import path from 'node:path';
import {z} from 'zod';
import {benchNames} from '../../bench/index.js';
import {loadYamlFile} from '../../cli/config-file.js';

/** Filters in the order the spec lists them; each records a verdict on every sample. */
export const filterNames = ['extract', 'compile', 'self_contained', 'simulate', 'tests', 'similarity', 'decontaminate'] as const;
export type FilterName = (typeof filterNames)[number];

/** One canonical row, rendered per trainer (exports.ts). */
export const exportFormats = [
  'trl-messages',
  'trl-prompt-completion',
  'trl-dpo',
  'axolotl-chat-template',
  'axolotl-input-output',
  'llamafactory-alpaca',
  'llamafactory-sharegpt',
  'llamafactory-ranking',
  'rtlcoder-ranking',
  'openai',
] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const selectionPolicies = ['all', 'best_of_k', 'top_k', 'pairs'] as const;

const unique = <T>(items: T[]) => new Set(items).size === items.length;

const benchRef = z.strictObject({
  bench: z.enum(benchNames),
  task: z.string().optional(),
  /** Absent: the bench's embedded suite. */
  dataset: z.string().optional(),
});

export const itertlSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" and "-" only').describe('Run name: part of every sample seed and of the round folder.'),
  out: z.string().optional().describe('Folder of the round folders (default .passk/itertl/<name>, relative to the spec file).'),
  seeds: z.string().describe('Seed set: JSONL rows {id, instruction, reference, lang: verilog|python, testbench?, tests?, entry_point?}.'),
  rounds: z.int().min(1).describe('Rounds to run (raising it later continues the loop).'),
  endpoint: z.strictObject({
    base_url: z.string().describe('OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (the key comes from OPENAI_API_KEY).'),
    model: z.string().min(1).describe('Model that samples round 1; later rounds sample the model the serve hook served.'),
    concurrency: z.int().min(1).default(4),
    request_timeout: z.int().min(1).default(300).describe('Seconds per request.'),
    max_retries: z.int().min(0).default(3),
  }),
  system: z.string().optional().describe('System message sent before each instruction (and written into chat exports).'),
  sampling: z.strictObject({
    k: z.int().min(1).describe('Samples per seed row and round.'),
    temperature: z.number().min(0).max(2).default(0.8),
    top_p: z.number().gt(0).max(1).default(0.95),
    max_tokens: z.int().min(1).default(1024),
  }),
  filters: z
    .array(z.enum(filterNames))
    .min(1)
    .refine(unique, 'a filter is listed twice')
    .default([...filterNames])
    .describe('Ordered filters; a sample is kept when every one passes (a filter that does not apply to a row, e.g. simulate without a testbench, passes).'),
  similarity: z
    .strictObject({
      min_rouge_l: z.number().min(0).max(1).default(0).describe('Keep samples whose ROUGE-L F1 against the reference is at least this.'),
      max_edit_distance: z.number().min(0).max(1).optional().describe('Keep samples whose character edit distance to the reference, divided by the longer length, is at most this.'),
    })
    .default({min_rouge_l: 0}),
  selection: z
    .strictObject({
      policy: z.enum(selectionPolicies).describe('all: every kept sample; best_of_k: the best kept sample per row; top_k: the k best; pairs: DPO pairs (best kept sample, or the reference, against each rejected one).'),
      k: z.int().min(1).default(1).describe('top_k: samples per row; pairs: pairs per row.'),
      score: z.enum(['rouge_l', 'edit_similarity']).default('rouge_l').describe('What "best" means.'),
    })
    .default({policy: 'all', k: 1, score: 'rouge_l'}),
  decontaminate: z
    .strictObject({
      benches: z.array(benchRef).min(1).describe('Evaluation benches whose prompts and solutions no kept sample may overlap.'),
      n: z.int().min(1).default(10).describe('n-gram length, in word tokens.'),
      threshold: z.number().min(0).max(1).default(0.5).describe('Drop a sample when this fraction of its n-grams (instruction and completion) occur in a bench.'),
    })
    .optional(),
  exports: z.array(z.enum(exportFormats)).min(1).refine(unique, 'a format is listed twice').default([...exportFormats]),
  train: z
    .strictObject({
      command: z.string().min(1).describe('Shell template: {dataset} {round_dir} {base} {prev} {out}, each shell-quoted. Exit 0 and the artefact in {out} are required.'),
      format: z.enum(exportFormats).describe('The export {dataset} points at.'),
      base: z.string().describe('The base weights, as the trainer names them ({base}).'),
      init: z.enum(['base', 'previous']).default('previous').describe('{prev}: the previous round\'s adapter (previous) or always the base (base).'),
      artefact: z.array(z.string()).min(1).default(['adapter_config.json', 'config.json']).describe('Files in {out}, any one of which proves training finished.'),
      accumulate: z.boolean().default(false).describe('{dataset}: this round\'s rows and every earlier round\'s (train-dataset.jsonl), instead of this round\'s only.'),
    })
    .optional(),
  serve: z
    .strictObject({
      model: z.string().default('{name}-r{round}').describe('Model name the next round samples ({name}, {round}).'),
      command: z.string().optional().describe('Shell template: {adapter} {model} {round_dir}.'),
      vllm: z.strictObject({base_url: z.string().optional().describe('Default: endpoint.base_url.')}).optional().describe("vLLM's LoRA hot-load: POST /v1/load_lora_adapter, then GET /v1/models must list the model."),
    })
    .refine((serve) => (serve.command === undefined) !== (serve.vllm === undefined), 'give exactly one of command and vllm')
    .optional(),
  eval: z
    .strictObject({
      ...benchRef.shape,
      samples: z.int().min(1).default(1),
      k: z.array(z.int().min(1)).min(1).default([1]),
      temperature: z.number().min(0).max(2).default(0),
      top_p: z.number().gt(0).max(1).default(1),
      max_tokens: z.int().min(1).default(1024),
      seed: z.int().default(0),
      problems: z.array(z.string()).min(1).optional().describe('Only these problem ids (default all).'),
    })
    .optional()
    .describe('A passk run on a held-out bench after each round, against the served model; its pass@k is stored per round.'),
  verdict: z.enum(['strict', 'compat']).default('strict').describe('Verdict mode of the simulate and tests filters and of eval.'),
  sandbox: z
    .strictObject({
      backend: z.enum(['auto', 'bwrap', 'docker', 'unsafe']).default('auto'),
      toolchain_root: z.string().optional(),
      exec_concurrency: z.int().min(1).optional(),
    })
    .default({backend: 'auto'}),
})
  .refine((spec) => spec.serve === undefined || spec.train !== undefined, {message: 'serve needs train (it serves the adapter training made)', path: ['serve']})
  .refine((spec) => spec.train === undefined || spec.exports.includes(spec.train.format), {message: 'train.format must be one of the exports', path: ['train', 'format']});

export type ItertlSpec = z.output<typeof itertlSpecSchema>;

/** Loads a spec; relative paths are resolved against the spec file's folder. */
export function loadItertlSpec(file: string): ItertlSpec {
  const spec = loadYamlFile(file, itertlSpecSchema, {what: 'ITERTL spec', unknownKeyHint: 'see schema/passk.itertl.schema.json'});
  const dir = path.dirname(path.resolve(file));
  const at = (value: string | undefined) => (value === undefined ? undefined : path.resolve(dir, value));
  const bench = <B extends {dataset?: string}>(ref: B): B => (ref.dataset === undefined ? ref : {...ref, dataset: at(ref.dataset)});
  return {
    ...spec,
    seeds: at(spec.seeds)!,
    out: at(spec.out ?? path.join('.passk', 'itertl', spec.name)),
    ...(spec.decontaminate ? {decontaminate: {...spec.decontaminate, benches: spec.decontaminate.benches.map(bench)}} : {}),
    ...(spec.eval ? {eval: bench(spec.eval)} : {}),
    sandbox: {...spec.sandbox, toolchain_root: at(spec.sandbox.toolchain_root), exec_concurrency: spec.sandbox.exec_concurrency ?? os.availableParallelism()},
  };
}

/** The published JSON Schema (input form: defaults are optional keys). */
export function itertlJsonSchema(): Record<string, unknown> {
  return {title: 'passk datagen itertl spec (passk datagen itertl --spec FILE)', ...z.toJSONSchema(itertlSpecSchema, {io: 'input'})};
}
