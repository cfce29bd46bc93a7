/**
 * The eval hook: a passk run of the served model on a held-out bench, through the library (the
 * same resolution, calibration, judging and store as `passk run`). Its pass@k is the round's eval curve.
 */
import type {BenchName} from '../../bench/index.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {resolveRun} from '../../run/config.js';
import {executeRun} from '../../run/run.js';
import type {Store} from '../../store/store.js';
import type {ItertlSpec} from './spec.js';

export interface EvalResult {
  runId: string;
  bench: string;
  task: string;
  model: string;
  /** k → pass@k. */
  passAtK: Record<string, number>;
}

export interface EvalOptions {
  spec: ItertlSpec;
  model: string;
  store: Store;
  sandbox: Sandbox;
  apiKey?: string;
  passkVersion: string;
}

export async function evaluateModel({spec, model, store, sandbox, apiKey, passkVersion}: EvalOptions): Promise<EvalResult> {
  const evaluation = spec.eval!;
  const {bench, provider, config} = await resolveRun(
    {
      bench: evaluation.bench as BenchName,
      task: evaluation.task,
      dataset: evaluation.dataset,
      model: `openai:${model}`,
      baseUrl: spec.endpoint.base_url,
      n: evaluation.samples,
      temperature: evaluation.temperature,
      topP: evaluation.top_p,
      maxTokens: evaluation.max_tokens,
      seed: evaluation.seed,
      verdictMode: spec.verdict,
      problemIds: evaluation.problems,
    },
    undefined,
    {apiKey, cache: store, timeoutMs: spec.endpoint.request_timeout * 1000, maxRetries: spec.endpoint.max_retries},
  );
  const summary = await executeRun({
    store,
    bench,
    provider,
    sandbox,
    config,
    ks: evaluation.k,
    concurrency: spec.endpoint.concurrency,
    execConcurrency: spec.sandbox.exec_concurrency ?? 1,
    passkVersion,
  });
  const passAtK = Object.fromEntries(Object.entries(summary.passAtK).map(([k, value]) => [k, value.value]));
  return {runId: summary.runId, bench: bench.name, task: bench.task, model, passAtK};
}
