/** What `passk select --run` needs from a stored run and the --tests spec. */
import {defaultTimeoutMs, loadHumanEval, type HumanEvalProblem} from '../bench/humaneval/index.js';
import type {Bench} from '../bench/bench.js';
import {UserError} from '../errors.js';
import {canonicalJson} from '../generate/cache.js';
import {createProvider, type ProviderOptions} from '../generate/index.js';
import type {SamplingParams} from '../generate/provider.js';
import type {RunRow, Store} from '../store/store.js';
import type {TestPromptProblem} from './generate-tests.js';
import type {TestSource} from './run-selection.js';

export interface RunInputs {
  run: RunRow;
  bench: Bench<HumanEvalProblem>;
  problems: TestPromptProblem[];
  /** Seconds the run allowed each program (the ground truth's timeout). */
  gtTimeout: number;
}

/** A finished HumanEval run: selection needs Python asserts and every verdict. */
export async function openRunForSelection(store: Store, runId: string): Promise<RunInputs> {
  const run = runId === 'latest' ? store.latestRun() : store.getRun(runId);
  if (!run) throw new UserError(`no run ${runId} in the store`);
  if (run.bench !== 'humaneval') throw new UserError(`run ${run.id} is ${run.bench}; selection with generated asserts needs a humaneval run`);
  if (run.status !== 'done') throw new UserError(`run ${run.id} is ${run.status}; finish it first with \`passk run --resume ${run.id}\``);
  const config = run.config as {dataset: string; benchOptions?: {timeoutMs?: number}; problemIds?: string[]};
  const timeoutMs = config.benchOptions?.timeoutMs;
  const bench = await loadHumanEval({dataset: config.dataset, timeoutMs});
  const wanted = config.problemIds ? new Set(config.problemIds) : undefined;
  const problems = bench.problems.filter((p) => !wanted || wanted.has(p.id)).map((p) => ({id: p.id, prompt: p.prompt, entryPoint: p.entryPoint}));
  return {run, bench, problems, gtTimeout: (timeoutMs ?? defaultTimeoutMs) / 1000};
}

export interface TestSourceRequest {
  spec: string;
  /** CodeT dataset file joining a replayed file's prompts to tasks. */
  prompts?: string;
  n: number;
  params: SamplingParams;
  seed: number;
  concurrency: number;
}

const forms = 'openai:<model>, openai-completions:<model> or replay:<CodeT test-case JSONL>';

export function testSource(request: TestSourceRequest, bench: Bench, providerOptions: Omit<ProviderOptions, 'bench'>): TestSource {
  const {spec} = request;
  if (spec.startsWith('replay:')) {
    const file = spec.slice('replay:'.length);
    if (file.trim() === '') throw new UserError(`--tests ${spec}: no file after "replay:"`);
    return {kind: 'replay', source: spec, file, prompts: request.prompts};
  }
  if (request.prompts) throw new UserError('--test-prompts joins a replayed test file; it has no use with a model');
  if (!spec.startsWith('openai:') && !spec.startsWith('openai-completions:')) throw new UserError(`--tests ${spec}: use ${forms}`);
  const provider = createProvider(spec, {...providerOptions, bench});
  // Test samples drawn differently are different samples: the store keys them apart.
  const source = `${spec} ${canonicalJson({baseUrl: providerOptions.baseUrl, ...request.params, seed: request.seed})}`;
  return {kind: 'generate', source, provider, n: request.n, params: request.params, seed: request.seed, concurrency: request.concurrency};
}
