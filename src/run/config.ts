/**
 * From what the user asked for to a run's configuration: defaults, the stored choices of a run
 * being resumed (what the user did not say again is taken from the run), per-bench validation, the
 * bench and the provider. Kept apart from the CLI so it is testable without oclif.
 */
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Bench, VerdictMode} from '../bench/bench.js';
import {benchNames, embeddedDemoSamples, openBench, resolveDataset, type BenchName, type BenchSpec} from '../bench/index.js';
import {evalPlusDefaults} from '../bench/evalplus/judge.js';
import {UserError} from '../errors.js';
import {createProvider, DEFAULT_BASE_URL, type ProviderOptions} from '../generate/index.js';
import type {Provider} from '../generate/provider.js';
import {withLintSeqResponses, type ResponseFormat} from '../train/lintseq/responses.js';
import type {RunConfig} from './run.js';

/** What the user said; undefined means "not said" (a default, or the resumed run's choice). */
export interface RunRequest {
  bench?: string;
  task?: string;
  dataset?: string;
  shots?: number;
  rules?: boolean;
  /** Python per-program limit. */
  execTimeoutMs?: number;
  /** EvalPlus benches: HumanEval+-Mini, all inputs (not fail-fast), per-input limit floor (s) and factor. */
  mini?: boolean;
  testDetails?: boolean;
  minTimeLimitS?: number;
  timeFactor?: number;
  model?: string;
  /** replay: CodeT's dataset file ({task_id, prompt}) joining a CodeT generation file to tasks. */
  replayPrompts?: string;
  baseUrl?: string;
  n?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  verdictMode?: VerdictMode;
  problemIds?: string[];
  responseFormat?: ResponseFormat;
}

export const runDefaults = {
  bench: 'verilog-eval-v2' as BenchName,
  n: 1,
  temperature: 0,
  topP: 1,
  maxTokens: 1024,
  seed: 0,
  verdictMode: 'strict' as VerdictMode,
};

export interface ResolvedRun {
  bench: Bench;
  provider: Provider;
  config: RunConfig;
  /** Set when no model was named and the embedded demo samples are replayed. */
  demoSamples?: string;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new UserError(message);
}

/** Bench options as stored: only the ones this bench uses, so the config hash never holds dead settings. */
function benchOptions(bench: BenchName, request: RunRequest, stored: Record<string, unknown>): Record<string, unknown> {
  const pick = <T>(given: T | undefined, key: string, fallback: T): T => given ?? (stored[key] as T | undefined) ?? fallback;
  if (bench === 'verilog-eval-v2') return {shots: pick(request.shots, 'shots', 0), rules: pick(request.rules, 'rules', false)};
  if (bench === 'humaneval' || bench === 'mbpp') {
    const timeoutMs = pick<number | undefined>(request.execTimeoutMs, 'timeoutMs', undefined);
    return timeoutMs === undefined ? {} : {timeoutMs};
  }
  if (bench === 'humaneval-plus' || bench === 'mbpp-plus') {
    return {
      mini: pick(request.mini, 'mini', false),
      testDetails: pick(request.testDetails, 'testDetails', false),
      minTimeLimitS: pick(request.minTimeLimitS, 'minTimeLimitS', evalPlusDefaults.minTimeLimitS),
      timeFactor: pick(request.timeFactor, 'timeFactor', evalPlusDefaults.factor),
    };
  }
  return {};
}

function validate(bench: BenchName, request: RunRequest, config: Omit<RunConfig, 'n'>): void {
  check(bench === 'verilog-eval-v2' || (request.shots === undefined && request.rules === undefined), `--shots and --rules apply to verilog-eval-v2 only, not ${bench}`);
  check(bench === 'humaneval' || bench === 'mbpp' || request.execTimeoutMs === undefined, `--exec-timeout applies to humaneval and mbpp only (VerilogEval keeps its upstream 30 s simulation limit; EvalPlus benches use --min-time-limit and --gt-time-limit-factor)`);
  const evalPlus = bench === 'humaneval-plus' || bench === 'mbpp-plus';
  const evalPlusFlags = [request.mini, request.testDetails, request.minTimeLimitS, request.timeFactor].some((flag) => flag !== undefined);
  check(evalPlus || !evalPlusFlags, `--mini, --test-details, --min-time-limit and --gt-time-limit-factor apply to humaneval-plus and mbpp-plus only`);
  check(!evalPlus || bench === 'humaneval-plus' || !request.mini, '--mini: MBPP+ has no Mini version');
  for (const [name, value] of [['--min-time-limit', request.minTimeLimitS], ['--gt-time-limit-factor', request.timeFactor]] as const) {
    check(value === undefined || (Number.isFinite(value) && value > 0 && value <= 600), `${name} must be a number of (0, 600], got ${value}`);
  }
  check(bench !== 'mbpp' || config.verdictMode === 'strict', 'mbpp has strict verdicts only (the asserts run in the checker); drop --verdict compat');
  const {temperature, topP, maxTokens} = config.params;
  check(Number.isFinite(temperature) && temperature >= 0 && temperature <= 2, `--temperature must be between 0 and 2, got ${temperature}`);
  check(Number.isFinite(topP) && topP > 0 && topP <= 1, `--top-p must be in (0, 1], got ${topP}`);
  check(Number.isInteger(maxTokens) && maxTokens >= 1, `--max-tokens must be a positive whole number, got ${maxTokens}`);
}

/** sha256 of a samples file, or of a samples folder's files (relative names and contents, in order). */
function sha256File(file: string): string {
  try {
    if (!statSync(file).isDirectory()) return createHash('sha256').update(readFileSync(file)).digest('hex');
    const hash = createHash('sha256');
    for (const name of (readdirSync(file, {recursive: true}) as string[]).sort()) {
      const where = path.join(file, name);
      if (statSync(where).isFile()) hash.update(`${name}\0`).update(readFileSync(where)).update('\0');
    }
    return hash.digest('hex');
  } catch (error) {
    throw new UserError(`cannot read samples file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Resolves a run: `previous` is the stored configuration of the run being resumed. The result's
 * config is hashed and compared with the stored one, so any setting the user states differently is
 * refused rather than silently mixed.
 */
export async function resolveRun(request: RunRequest, previous: RunConfig | undefined, providerOptions: Omit<ProviderOptions, 'bench'>): Promise<ResolvedRun> {
  const benchName = (request.bench ?? previous?.bench ?? runDefaults.bench) as BenchName;
  check(benchNames.includes(benchName), `unknown bench ${benchName}; choose one of ${benchNames.join(', ')}`);
  const options = benchOptions(benchName, request, previous?.benchOptions ?? {});
  const spec: BenchSpec = {
    bench: benchName,
    task: request.task ?? previous?.task,
    dataset: request.dataset ?? previous?.dataset,
    shots: options.shots as number | undefined,
    rules: options.rules as boolean | undefined,
    timeoutMs: options.timeoutMs as number | undefined,
    mini: options.mini as boolean | undefined,
    testDetails: options.testDetails as boolean | undefined,
    minTimeLimitS: options.minTimeLimitS as number | undefined,
    timeFactor: options.timeFactor as number | undefined,
  };
  const responseFormat = request.responseFormat ?? previous?.responseFormat ?? 'plain';
  const bench = responseFormat === 'lintseq' ? withLintSeqResponses(await openBench(spec)) : await openBench(spec);

  let model = request.model ?? previous?.model;
  let demoSamples: string | undefined;
  if (!model) {
    demoSamples = embeddedDemoSamples(spec);
    if (!demoSamples) throw new UserError('--model is required (openai:<model>, openai-completions:<model>, reference or replay:<file>)');
    model = `replay:${demoSamples}`;
  }
  const isEndpoint = model.startsWith('openai');
  const baseUrl = request.baseUrl ?? previous?.baseUrl ?? DEFAULT_BASE_URL;
  const replayPrompts = request.replayPrompts ?? previous?.replayPrompts?.file;
  check(replayPrompts === undefined || model.startsWith('replay:'), '--replay-prompts joins a replayed CodeT file to tasks; it has no use with ' + model);
  const provider = createProvider(model, {...providerOptions, bench, baseUrl, replayPrompts});

  const partial: Omit<RunConfig, 'n'> = {
    bench: bench.name,
    task: bench.task,
    dataset: resolveDataset(spec),
    datasetHash: bench.datasetHash,
    benchOptions: options,
    model,
    ...(model.startsWith('replay:') ? {modelInputHash: sha256File(model.slice('replay:'.length))} : {}),
    ...(replayPrompts === undefined ? {} : {replayPrompts: {file: replayPrompts, sha256: sha256File(replayPrompts)}}),
    ...(isEndpoint ? {baseUrl} : {}),
    params: {
      temperature: request.temperature ?? previous?.params.temperature ?? runDefaults.temperature,
      topP: request.topP ?? previous?.params.topP ?? runDefaults.topP,
      maxTokens: request.maxTokens ?? previous?.params.maxTokens ?? runDefaults.maxTokens,
    },
    seed: request.seed ?? previous?.seed ?? runDefaults.seed,
    verdictMode: request.verdictMode ?? previous?.verdictMode ?? runDefaults.verdictMode,
    ...(request.problemIds ?? previous?.problemIds ? {problemIds: request.problemIds ?? previous?.problemIds} : {}),
    ...(responseFormat === 'lintseq' ? {responseFormat} : {}),
  };
  validate(benchName, request, partial);
  // A samples file decides n itself (samples per problem); -n must then agree with it.
  const fileN = provider.samplesFor ? Math.max(0, ...bench.problems.map((p) => provider.samplesFor!(p.id))) : undefined;
  check(fileN === undefined || request.n === undefined || request.n === fileN, `-n ${request.n} disagrees with ${model}, which has up to ${fileN} samples per problem`);
  const config: RunConfig = {...partial, n: fileN ?? request.n ?? previous?.n ?? runDefaults.n};
  return {bench, provider, config, demoSamples};
}
