/**
 * The ITERTL-style loop: every round samples K answers per seed row from the current model,
 * records every filter's verdict on every sample, selects and exports training rows, runs the
 * train hook, serves the result, and evaluates it; the next round samples the served model.
 *
 * Each round is a resumable state machine (sampled → scored → filtered → exported → trained →
 * served → evaluated) persisted in its folder: samples and verdicts are appended one keyed line
 * each (key: source id and sample index), everything else is written atomically, and the manifest
 * names the last completed stage. A run killed at any point resumes where it stopped, with no row
 * lost or made twice; sample seeds derive from (run, round, source id, k), and the response cache
 * answers requests already made. One process per run folder (a lock file naming its pid).
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import type {Prompt} from '../../bench/bench.js';
import {UserError} from '../../errors.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {canonicalJson} from '../../generate/cache.js';
import {EndpointError} from '../../generate/endpoint-error.js';
import {openAIProvider} from '../../generate/openai.js';
import {processAlive} from '../../process-alive.js';
import type {Store} from '../../store/store.js';
import {buildNgramIndex, type NgramIndex} from './decontaminate.js';
import {evaluateModel} from './evaluate.js';
import {datasetInfo, exportFile, renderExport} from './exports.js';
import {calibrate, runFilters, type FilterContext, type SampleVerdicts} from './filters.js';
import {appendRecord, jsonl, readJson, readRecords, writeAtomic, writeJsonAtomic} from './files.js';
import {fillTemplate, findArtefact, loadLoraAdapter, runShellHook} from './hooks.js';
import {roundDir, stages, type FilterCounts, type RoundCurve, type RoundManifest, type RunFile, type Stage} from './manifest.js';
import {readSeeds, type SeedRow, type SeedSet} from './seeds.js';
import {selectRows, type ScoredSample, type Selection} from './select.js';
import {filterNames, type FilterName, type ItertlSpec} from './spec.js';

export interface ItertlOptions {
  spec: ItertlSpec;
  /** The response cache, and where eval runs are stored. */
  store: Store;
  sandbox: Sandbox;
  passkVersion: string;
  apiKey?: string;
  onProgress?: (message: string) => void;
}

export interface ItertlResult {
  out: string;
  curves: RoundCurve[];
}

interface SampleRecord {
  key: string;
  round: number;
  source_id: string;
  sample_idx: number;
  seed: number;
  model: string;
  response: string;
  finish_reason?: string;
  cached: boolean;
}

type VerdictRecord = SampleVerdicts & {key: string};

const sampleKey = (sourceId: string, k: number) => `${sourceId}#${k}`;

/** The seed of sample k of a row in a round of a run: the same on every resume, different everywhere else. */
export function sampleSeed(run: string, round: number, sourceId: string, k: number): number {
  return createHash('sha256').update(`${run}\0${round}\0${sourceId}\0${k}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** What decides the data a round makes; hooks, eval and round count may change between invocations. */
function specHash(spec: ItertlSpec, seeds: SeedSet): string {
  const {name, endpoint, system, sampling, filters, similarity, selection, decontaminate, exports, verdict} = spec;
  const decisive = {name, seeds: seeds.sha256, base_url: endpoint.base_url, model: endpoint.model, system, sampling, filters, similarity, selection, decontaminate, exports, verdict};
  return createHash('sha256').update(canonicalJson(decisive)).digest('hex');
}

function lock(out: string): () => void {
  const file = path.join(out, 'lock');
  try {
    writeFileSync(file, String(process.pid), {flag: 'wx'});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) throw new UserError(`${out} is being run by process ${holder}; wait for it or stop it first`);
    writeFileSync(file, String(process.pid));
  }
  return () => unlinkSync(file);
}

const executionFilters: readonly FilterName[] = ['extract', 'compile', 'self_contained', 'simulate', 'tests'];

export async function runItertl(options: ItertlOptions): Promise<ItertlResult> {
  const {spec} = options;
  const out = spec.out!;
  mkdirSync(out, {recursive: true});
  const unlock = lock(out);
  try {
    const seeds = readSeeds(spec.seeds);
    const hash = specHash(spec, seeds);
    const runFile = path.join(out, 'run.json');
    const existing = readJson<RunFile>(runFile);
    if (existing && existing.spec_sha256 !== hash) {
      throw new UserError(`${out} holds rounds made with another seed set, endpoint model, sampling, filters, selection or exports; give the spec another name or out folder (hooks, eval and rounds may change on resume)`);
    }
    const run: RunFile = existing ?? {name: spec.name, spec_sha256: hash, seeds_sha256: seeds.sha256, created_at: new Date().toISOString(), curves: []};
    writeJsonAtomic(runFile, run);
    const tools = {...(await options.sandbox.toolchain()), passk: options.passkVersion, node: process.version};
    const context = {...options, out, seeds, hash, tools, decontamination: undefined as Promise<NgramIndex> | undefined};
    let model = spec.endpoint.model;
    for (let round = 1; round <= spec.rounds; round++) {
      const manifest = await runRound(context, round, model);
      model = manifest.serve?.model ?? manifest.model;
      run.curves = [...run.curves.filter((curve) => curve.round !== round), manifest.curve!].sort((a, b) => a.round - b.round);
      writeJsonAtomic(runFile, run);
    }
    return {out, curves: run.curves};
  } finally {
    unlock();
  }
}

interface RoundContext extends ItertlOptions {
  out: string;
  seeds: SeedSet;
  hash: string;
  tools: Record<string, string>;
  decontamination?: Promise<NgramIndex>;
}

async function runRound(ctx: RoundContext, round: number, model: string): Promise<RoundManifest> {
  const {spec} = ctx;
  const dir = roundDir(ctx.out, round);
  mkdirSync(dir, {recursive: true});
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest: RoundManifest = readJson<RoundManifest>(manifestFile) ?? {
    round,
    state: 'started',
    model,
    inputs: {seeds_sha256: ctx.seeds.sha256, spec_sha256: ctx.hash},
    tools: ctx.tools,
    updated_at: new Date().toISOString(),
  };
  const done = (stage: Stage) => manifest.state !== 'started' && stages.indexOf(manifest.state) >= stages.indexOf(stage);
  const complete = (stage: Stage) => {
    manifest.state = stage;
    manifest.updated_at = new Date().toISOString();
    writeJsonAtomic(manifestFile, manifest);
    ctx.onProgress?.(`round ${round}: ${stage}`);
  };
  if (manifest.state === 'started') writeJsonAtomic(manifestFile, manifest);
  const files = {samples: path.join(dir, 'samples.jsonl'), verdicts: path.join(dir, 'verdicts.jsonl')};

  if (!done('sampled')) {
    await sampleRound(ctx, round, manifest.model, files.samples);
    complete('sampled');
  }
  if (!done('scored')) {
    const references = await scoreRound(ctx, files.samples, files.verdicts, manifest);
    manifest.counts = {...emptyCounts(), ...manifest.counts, references};
    complete('scored');
  }
  if (!done('filtered')) {
    const samples = joinRecords(files.samples, files.verdicts);
    const selection = selectRows(spec, round, ctx.seeds.rows, samples);
    writeAtomic(path.join(dir, 'rows.jsonl'), jsonl(selection.rows));
    writeAtomic(path.join(dir, 'pairs.jsonl'), jsonl(selection.pairs));
    writeAtomic(path.join(dir, 'ranking.jsonl'), jsonl(selection.groups));
    manifest.counts = {...countRound(spec.filters, samples, selection), references: manifest.counts?.references};
    manifest.curve = curveOf(round, spec.filters, samples);
    complete('filtered');
  }
  if (!done('exported')) {
    const selection = readSelection(dir);
    manifest.exports = {};
    for (const format of spec.exports) {
      const rows = renderExport(format, selection);
      writeAtomic(path.join(dir, exportFile(format)), jsonl(rows));
      manifest.exports[format] = {file: exportFile(format), rows: rows.length};
    }
    writeJsonAtomic(path.join(dir, 'dataset_info.json'), datasetInfo(spec.exports, spec.name));
    complete('exported');
  }
  if (!done('trained')) {
    if (spec.train) manifest.train = await train(ctx, round, dir);
    complete('trained');
  }
  if (!done('served')) {
    if (spec.serve && manifest.train) {
      const served = spec.serve.model.replaceAll('{name}', spec.name).replaceAll('{round}', String(round));
      const started = performance.now();
      if (spec.serve.vllm) {
        await loadLoraAdapter(spec.serve.vllm.base_url ?? spec.endpoint.base_url, served, manifest.train.adapter, ctx.apiKey, path.join(dir, 'serve.log'));
      } else {
        const command = fillTemplate(spec.serve.command!, {adapter: manifest.train.adapter, model: served, round_dir: dir}, 'serve.command');
        await runShellHook('serve', command, path.join(dir, 'serve.log'), dir);
      }
      manifest.serve = {model: served, how: spec.serve.vllm ? 'vllm' : 'command', seconds: Math.round((performance.now() - started) / 100) / 10};
    }
    complete('served');
  }
  if (!done('evaluated')) {
    if (spec.eval) {
      manifest.eval = await evaluateModel({spec, model: manifest.serve?.model ?? manifest.model, store: ctx.store, sandbox: ctx.sandbox, apiKey: ctx.apiKey, passkVersion: ctx.passkVersion});
      writeJsonAtomic(path.join(dir, 'eval.json'), manifest.eval);
      manifest.curve = {...manifest.curve!, eval_pass_at_k: manifest.eval.passAtK};
    }
    complete('evaluated');
  }
  return manifest;
}

function chatPrompt(spec: ItertlSpec, row: SeedRow): Prompt {
  return {style: 'chat', messages: [...(spec.system === undefined ? [] : [{role: 'system' as const, content: spec.system}]), {role: 'user', content: row.instruction}]};
}

async function sampleRound(ctx: RoundContext, round: number, model: string, file: string): Promise<void> {
  const {spec} = ctx;
  const have = readRecords<SampleRecord>(file);
  const provider = openAIProvider({
    model,
    style: 'chat',
    baseUrl: spec.endpoint.base_url,
    apiKey: ctx.apiKey,
    timeoutMs: spec.endpoint.request_timeout * 1000,
    maxRetries: spec.endpoint.max_retries,
    cache: ctx.store,
  });
  const limit = pLimit(spec.endpoint.concurrency);
  const missing = ctx.seeds.rows.flatMap((row) => Array.from({length: spec.sampling.k}, (_, k) => ({row, k}))).filter(({row, k}) => !have.has(sampleKey(row.id, k)));
  let made = 0;
  await Promise.all(
    missing.map(({row, k}) =>
      limit(async () => {
        const seed = sampleSeed(spec.name, round, row.id, k);
        const completion = await provider
          .complete({problemId: row.id, prompt: chatPrompt(spec, row), sampleIndex: k, seed, params: {temperature: spec.sampling.temperature, topP: spec.sampling.top_p, maxTokens: spec.sampling.max_tokens}})
          .catch((error: unknown) => {
            limit.clearQueue();
            if (!(error instanceof EndpointError)) throw error;
            throw new UserError(`round ${round}: sampling from ${model} failed: ${error.message}; the samples made so far are kept, run the same command again to resume`);
          });
        const record: SampleRecord = {key: sampleKey(row.id, k), round, source_id: row.id, sample_idx: k, seed, model, response: completion.text, ...(completion.finishReason ? {finish_reason: completion.finishReason} : {}), cached: completion.cached};
        appendRecord(file, record);
        if (++made % 20 === 0) ctx.onProgress?.(`round ${round}: ${have.size + made}/${have.size + missing.length} samples`);
      }),
    ),
  );
}

async function scoreRound(ctx: RoundContext, samplesFile: string, verdictsFile: string, manifest: RoundManifest): Promise<Record<string, string>> {
  const {spec, sandbox} = ctx;
  const samples = [...readRecords<SampleRecord>(samplesFile).values()];
  const have = readRecords<VerdictRecord>(verdictsFile);
  const rows = new Map(ctx.seeds.rows.map((row) => [row.id, row]));
  const limit = pLimit(spec.sandbox.exec_concurrency ?? 1);
  // The references are judged again on every resume: cheap next to the samples, and never stale.
  const checked = ctx.seeds.rows.filter((row) => row.testbench !== undefined || row.tests !== undefined);
  const calibrations = new Map<string, NonNullable<Awaited<ReturnType<typeof calibrate>>>>();
  const judged = spec.filters.includes('simulate') || spec.filters.includes('tests');
  if (judged) {
    await Promise.all(
      checked.map((row) =>
        limit(async () => {
          const verdict = await calibrate(row, sandbox, spec.verdict);
          if (verdict?.errored) throw new UserError(`round ${manifest.round}: the sandbox failed judging the reference of ${row.id}: ${verdict.result}`);
          if (verdict) calibrations.set(row.id, verdict);
        }),
      ),
    );
  }
  let decontamination: NgramIndex | undefined;
  if (spec.decontaminate && spec.filters.includes('decontaminate')) {
    ctx.decontamination ??= buildNgramIndex(spec.decontaminate.benches, spec.decontaminate.n);
    decontamination = await ctx.decontamination;
    manifest.inputs.decontamination = decontamination.hashes;
  }
  const filterContext: FilterContext = {spec, sandbox, mode: spec.verdict, decontamination, calibrations};
  let made = 0;
  await Promise.all(
    samples
      .filter((sample) => !have.has(sample.key))
      .map((sample) =>
        limit(async () => {
          const verdicts = await runFilters(rows.get(sample.source_id)!, sample.response, filterContext).catch((error: Error) => {
            limit.clearQueue();
            throw new UserError(`round ${manifest.round}: judging ${sample.key} failed in the sandbox: ${error.message}; the verdicts made so far are kept, run the same command again to resume`);
          });
          appendRecord(verdictsFile, {key: sample.key, ...verdicts});
          if (++made % 20 === 0) ctx.onProgress?.(`round ${manifest.round}: ${have.size + made}/${samples.length} samples judged`);
        }),
      ),
  );
  return Object.fromEntries([...calibrations].map(([id, verdict]) => [id, verdict.result]));
}

/** Every sample with its verdicts; a sample without one would be a lost row, so it is an error. */
function joinRecords(samplesFile: string, verdictsFile: string): ScoredSample[] {
  const verdicts = readRecords<VerdictRecord>(verdictsFile);
  return [...readRecords<SampleRecord>(samplesFile).values()].map((sample) => {
    const verdict = verdicts.get(sample.key);
    if (!verdict) throw new Error(`sample ${sample.key} has no verdicts in ${verdictsFile}`);
    const {key: _key, ...rest} = verdict;
    return {...rest, source_id: sample.source_id, sample_idx: sample.sample_idx, seed: sample.seed, model: sample.model};
  });
}

function readSelection(dir: string): Selection {
  const read = <T>(name: string): T[] =>
    readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);
  return {rows: read('rows.jsonl'), pairs: read('pairs.jsonl'), groups: read('ranking.jsonl')};
}

function emptyCounts(): NonNullable<RoundManifest['counts']> {
  return {samples: 0, kept: 0, rows: 0, pairs: 0, ranking_groups: 0, by_filter: {}};
}

function countRound(filters: readonly FilterName[], samples: ScoredSample[], selection: Selection): NonNullable<RoundManifest['counts']> {
  const byFilter: Partial<Record<FilterName, FilterCounts>> = {};
  for (const name of filterNames.filter((n) => filters.includes(n))) {
    const counts: FilterCounts = {pass: 0, fail: 0, skipped: 0, dropped: 0};
    for (const sample of samples) {
      const verdict = sample.verdicts[name]!;
      if (verdict.skipped) counts.skipped++;
      else if (verdict.pass) counts.pass++;
      else counts.fail++;
      if (sample.dropped_by === name) counts.dropped++;
    }
    byFilter[name] = counts;
  }
  return {samples: samples.length, kept: samples.filter((s) => s.kept).length, rows: selection.rows.length, pairs: selection.pairs.length, ranking_groups: selection.groups.length, by_filter: byFilter};
}

function curveOf(round: number, filters: readonly FilterName[], samples: ScoredSample[]): RoundCurve {
  const execution = executionFilters.filter((name) => filters.includes(name));
  const kept = samples.filter((s) => s.kept).length;
  const passing = samples.filter((s) => execution.every((name) => s.verdicts[name]!.pass)).length;
  const share = (count: number) => (samples.length === 0 ? 0 : Math.round((count / samples.length) * 1e4) / 1e4);
  return {round, samples: samples.length, kept, kept_fraction: share(kept), pass_rate: share(passing)};
}

async function train(ctx: RoundContext, round: number, dir: string): Promise<NonNullable<RoundManifest['train']>> {
  const trainSpec = ctx.spec.train!;
  const adapter = path.join(dir, 'adapter');
  // A killed or failed attempt may have left part of an adapter: each attempt starts from nothing.
  rmSync(adapter, {recursive: true, force: true});
  const previous = round > 1 ? readJson<RoundManifest>(path.join(roundDir(ctx.out, round - 1), 'manifest.json'))?.train?.adapter : undefined;
  const prev = trainSpec.init === 'previous' && previous ? previous : trainSpec.base;
  let dataset = path.join(dir, exportFile(trainSpec.format));
  if (trainSpec.accumulate) {
    // Rounds in order, each its own export: what round r trained on is rounds 1..r, unchanged.
    const rounds = Array.from({length: round}, (_, i) => readFileSync(path.join(roundDir(ctx.out, i + 1), exportFile(trainSpec.format)), 'utf8'));
    dataset = path.join(dir, 'train-dataset.jsonl');
    writeAtomic(dataset, rounds.join(''));
  }
  const command = fillTemplate(trainSpec.command, {dataset, round_dir: dir, base: trainSpec.base, prev, out: adapter}, 'train.command');
  ctx.onProgress?.(`round ${round}: training (log: ${path.join(dir, 'train.log')})`);
  const hook = await runShellHook('train', command, path.join(dir, 'train.log'), dir);
  const artefact = findArtefact(adapter, trainSpec.artefact);
  if (!artefact) throw new UserError(`train hook exited 0 but left none of ${trainSpec.artefact.join(', ')} in ${adapter} (see ${path.join(dir, 'train.log')}); fix it and run the same command again to resume`);
  return {...hook, adapter, artefact, init: prev};
}
