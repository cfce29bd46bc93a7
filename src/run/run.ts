/**
 * One evaluation run, end to end: calibrate every problem with its own reference, then for every
 * (problem, sample index) generate → extract → judge, storing each step as it completes so a run
 * killed at any point resumes without losing or repeating work. Library code: reports progress
 * through a callback, never prints.
 */
import {createHash, randomBytes} from 'node:crypto';
import pLimit from 'p-limit';
import type {Bench, Problem, Verdict, VerdictMode} from '../bench/bench.js';
import {UserError} from '../errors.js';
import type {Sandbox} from '../execute/sandbox.js';
import {canonicalJson} from '../generate/cache.js';
import {EndpointError} from '../generate/endpoint-error.js';
import type {Provider, SamplingParams} from '../generate/provider.js';
import {summarize, type Summary} from '../score/summary.js';
import type {NewSample, RunRow, SampleRow, Store} from '../store/store.js';
import {defaultJudgeBatch, JudgeQueue} from './judge-queue.js';
import {EndpointGone, OutageWatch} from './outage.js';

/** Everything that decides a run's results. Its hash guards --resume; nothing secret goes in here. */
export interface RunConfig {
  bench: string;
  task: string;
  dataset: string;
  datasetHash: string;
  /** Bench options that change prompts (shots, rules). */
  benchOptions: Record<string, unknown>;
  model: string;
  /** sha256 of a replay samples file, so resuming against an edited file is refused. */
  modelInputHash?: string;
  /** replay of a CodeT generation file: CodeT's dataset file joining its records to tasks, and its sha256. */
  replayPrompts?: {file: string; sha256: string};
  baseUrl?: string;
  n: number;
  params: SamplingParams;
  seed: number;
  verdictMode: VerdictMode;
  /** Only these problems (all when absent). */
  problemIds?: string[];
  /** 'lintseq': answers are LintSeq edit sequences, resolved into programs (absent: plain answers). */
  responseFormat?: 'lintseq';
}

export interface Progress {
  phase: 'calibrate' | 'samples';
  done: number;
  total: number;
  passed: number;
}

export interface RunOptions {
  store: Store;
  bench: Bench;
  provider: Provider;
  sandbox: Sandbox;
  config: RunConfig;
  /** Resume this run instead of starting a new one. */
  resumeRunId?: string;
  /** On resume: generate again the samples whose generation failed and judge again infrastructure errors. */
  retryErrors?: boolean;
  /** On resume: accept a different sandbox or toolchain than the run started with. */
  force?: boolean;
  /** pass@k values to report; not part of the configuration, so a finished run can be re-scored with other ks. */
  ks?: number[];
  /** Concurrent LLM requests. */
  concurrency: number;
  /** Concurrent sandbox jobs. */
  execConcurrency: number;
  /** Most samples judged in one sandbox job where the bench can batch (default defaultJudgeBatch; 1: a job each). */
  judgeBatch?: number;
  onProgress?: (progress: Progress) => void;
  /** Recorded with the run, and part of the calibration cache key (a fixed judge must not reuse old verdicts). */
  passkVersion: string;
  /**
   * Stops the run when aborted (its reason, e.g. 'SIGINT', is reported): nothing new is started,
   * requests in flight are abandoned (their samples are generated again on resume), sandbox jobs in
   * flight finish and are stored; the run is marked interrupted and executeRun throws RunInterrupted.
   */
  signal?: AbortSignal;
}

/** The run was stopped from outside (a signal); it is stored as interrupted and resumes with --resume. */
export class RunInterrupted extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId} interrupted by ${reason}`);
    this.name = 'RunInterrupted';
  }
}

/** The hash that guards --resume: everything that decides results, but not where the dataset lies (its content hash is in). */
export function configHash(config: RunConfig): string {
  const {dataset: _where, ...decisive} = config;
  return createHash('sha256').update(canonicalJson(decisive)).digest('hex');
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
}

function selectProblems(bench: Bench, ids?: string[]): Problem[] {
  if (!ids || ids.length === 0) return [...bench.problems];
  const byId = new Map(bench.problems.map((p) => [p.id, p]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new UserError(`unknown problem id(s) for ${bench.name}: ${unknown.slice(0, 5).join(', ')}`);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length > 0) throw new UserError(`problem id(s) given more than once: ${[...new Set(repeated)].slice(0, 5).join(', ')}`);
  return ids.map((id) => byId.get(id)!);
}

/**
 * Errors that will fail every request alike: a bad key, an unknown model, or a server that does not
 * speak the protocol (malformed replies even after retries). Stop the run instead of burning through
 * samples; what is stored stays, and the run resumes once the endpoint is fixed.
 */
function isFatal(error: unknown): boolean {
  if (error instanceof EndpointGone) return true;
  if (!(error instanceof EndpointError)) return false;
  if (error.kind === 'malformed') return true;
  return !error.retryable && error.kind === 'http' && [401, 403, 404].includes(error.status ?? 0);
}

export async function executeRun(options: RunOptions): Promise<Summary> {
  const {store, bench, provider, sandbox, config} = options;
  const problems = selectProblems(bench, config.problemIds);
  // Like human-eval's "Some problems are not attempted": a partial samples file never passes for a score.
  const unattempted = problems.filter((p) => provider.samplesFor?.(p.id) === 0).map((p) => p.id);
  if (unattempted.length > 0) {
    const more = unattempted.length > 5 ? `, … ${unattempted.length - 5} more` : '';
    throw new UserError(`${provider.id}: ${unattempted.length} of ${problems.length} problems are not attempted (no samples): ${unattempted.slice(0, 5).join(', ')}${more}; select problems with --problems`);
  }
  // pass@k needs n ≥ k samples per problem: a k beyond n would vanish from the report without a word.
  const beyondN = (options.ks ?? []).filter((k) => k > config.n);
  if (beyondN.length > 0) throw new UserError(`-k ${beyondN.join(', -k ')} cannot be estimated from n = ${config.n} samples per problem (pass@k needs n ≥ k); raise -n or lower -k`);
  const hash = configHash(config);
  const environment = {
    sandbox: {backend: sandbox.backend, ...sandbox.describe?.()},
    toolchain: await sandbox.toolchain(),
    passk: options.passkVersion,
    node: process.version,
  };
  let runId: string;
  if (options.resumeRunId) {
    const previous = store.getRun(options.resumeRunId);
    if (!previous) throw new UserError(`no run ${options.resumeRunId} in the store`);
    if (previous.configHash !== hash) {
      const {dataset: _a, ...stored} = previous.config;
      const {dataset: _b, ...current} = config as unknown as Record<string, unknown>;
      const keys = differingKeys(stored, current);
      throw new UserError(`run ${previous.id} was made with a different configuration (differs in: ${keys.join(', ') || 'unknown'}); start a new run instead`);
    }
    // Verdicts from two toolchains (or sandboxes, or judges) must not mix silently in one run. With
    // --force they may, and each environment is recorded with the verdicts it made.
    const latest = store.environments(previous.id).at(-1)?.environment ?? previous.environment;
    const changed = differingKeys(judgingEnvironment(latest), judgingEnvironment(environment));
    if (latest && changed.length > 0 && !options.force) {
      throw new UserError(`run ${previous.id} was judged with a different ${changed.join(', ')}; resume with the same one, or pass --force to mix them`);
    }
    runId = previous.id;
  } else {
    runId = newRunId();
    store.createRun({id: runId, config: config as unknown as Record<string, unknown>, configHash: hash, bench: bench.name, task: bench.task, model: config.model});
  }
  // One live process per run: two resuming the same run at once would each judge their own samples.
  const holder = store.claimRun(runId, process.pid);
  if (holder !== undefined) throw new UserError(`run ${runId} is being run by process ${holder}; wait for it or stop it first`);
  store.updateRun(runId, {status: 'running'});
  const environmentId = store.recordEnvironment(runId, environment);

  const execLimit = pLimit(Math.max(1, options.execConcurrency));
  const generateLimit = pLimit(Math.max(1, options.concurrency));

  try {
    const calibrations = await calibrate(options, runId, problems, execLimit, environment);
    await sampleAll(options, runId, environmentId, problems, calibrations, execLimit, generateLimit);
    const summary = summarize({
      runId,
      config,
      ks: options.ks,
      bench,
      problems,
      samples: store.samples(runId),
      calibrations,
      environment,
      environments: store.environments(runId),
    });
    store.updateRun(runId, {status: 'done', summary: summary as unknown as Record<string, unknown>});
    store.releaseRun(runId);
    return summary;
  } catch (error) {
    try {
      store.updateRun(runId, {status: error instanceof RunInterrupted ? 'interrupted' : 'failed'});
      store.releaseRun(runId);
    } catch {
      // The store itself may be what failed (disk full): the original error is the one to report.
    }
    if (isFatal(error)) {
      // Samples the dead endpoint failed are stored as errors: they need --retry-errors.
      const resume = `--resume ${runId}${error instanceof EndpointGone ? ' --retry-errors' : ''}`;
      throw new UserError(`${(error as Error).message}; run ${runId} stopped, its samples are kept (finish it with ${resume})`);
    }
    throw error;
  }
}

/**
 * Whether resuming a run will ask the model for anything. A finished run has a row for every sample,
 * so re-scoring it (other -k) needs no endpoint; only --retry-errors on failed generations does.
 */
export function resumeNeedsModel(store: Store, run: RunRow, retryErrors: boolean): boolean {
  if (run.status !== 'done') return true;
  return retryErrors && store.generationErrors(run.id) > 0;
}

type Limit = ReturnType<typeof pLimit>;

/**
 * What decides verdicts besides the configuration: the sandbox backend and image, the toolchain
 * inside it, and passk itself. Not which engines ran it: losing one mid-run and resuming on the
 * others must stay possible.
 */
function judgingEnvironment(environment: Record<string, unknown> | undefined): Record<string, unknown> {
  const sandbox = environment?.sandbox as {backend?: string; imageDigest?: string} | undefined;
  return {sandbox: {backend: sandbox?.backend, imageDigest: sandbox?.imageDigest}, toolchain: environment?.toolchain, passk: environment?.passk};
}

/**
 * A calibration worth keeping: a sandbox failure says nothing about the reference, and a timeout
 * among other jobs may be load. A timeout judged again alone (`alone`) is the reference's own.
 */
function cacheable(verdict: Verdict, alone = false): boolean {
  return !verdict.errored && (alone || !verdict.result.startsWith('timed out'));
}

/** Judges every problem's own reference (cached per dataset, toolchain and verdict settings). */
async function calibrate(
  options: RunOptions,
  runId: string,
  problems: Problem[],
  execLimit: Limit,
  environment: Record<string, unknown>,
): Promise<Map<string, Verdict>> {
  const {store, bench, sandbox, config} = options;
  const benchKey = `${bench.name}/${bench.task}/${bench.datasetHash}`;
  const environmentKey = createHash('sha256')
    .update(canonicalJson({environment: judgingEnvironment(environment), mode: config.verdictMode, benchOptions: config.benchOptions}))
    .digest('hex');
  const calibrations = new Map<string, Verdict>();
  const judgedNow = new Set<string>();
  let done = 0;
  let passed = 0;
  const stopIfInterrupted = () => {
    if (options.signal?.aborted) throw new RunInterrupted(runId, String(options.signal.reason));
  };
  // Settled, not Promise.all: on an interruption, judging already under way finishes before the run returns.
  const settled = await Promise.allSettled(
    problems.map((problem) =>
      execLimit(async () => {
        stopIfInterrupted();
        let verdict = store.calibration(benchKey, environmentKey, problem.id);
        if (!verdict) {
          judgedNow.add(problem.id);
          verdict = await bench.judge(problem, bench.reference(problem), {sandbox, mode: config.verdictMode});
          stopIfInterrupted(); // the verdict may be the interrupting signal's (see sampleAll)
          if (cacheable(verdict)) store.addCalibration(benchKey, environmentKey, problem.id, verdict);
        }
        calibrations.set(problem.id, verdict);
        done++;
        if (verdict.passed) passed++;
        options.onProgress?.({phase: 'calibrate', done, total: problems.length, passed});
      }),
    ),
  );
  const failure = settled.find((o) => o.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  // A reference that timed out with every core busy may only have been starved: judge it again
  // alone before calling the problem invalid (humaneval.md §8.5), and keep that verdict.
  for (const problem of problems) {
    if (!judgedNow.has(problem.id) || !calibrations.get(problem.id)?.result.startsWith('timed out')) continue;
    stopIfInterrupted();
    const verdict = await bench.judge(problem, bench.reference(problem), {sandbox, mode: config.verdictMode});
    stopIfInterrupted();
    if (cacheable(verdict, true)) store.addCalibration(benchKey, environmentKey, problem.id, verdict);
    calibrations.set(problem.id, verdict);
  }
  return calibrations;
}

async function sampleAll(
  options: RunOptions,
  runId: string,
  environmentId: number,
  problems: Problem[],
  calibrations: Map<string, Verdict>,
  execLimit: Limit,
  generateLimit: Limit,
): Promise<void> {
  const {store, bench, provider, sandbox, config} = options;
  const existing = new Map(store.samples(runId).map((s) => [`${s.problemId}\u0000${s.sampleIndex}`, s]));

  // Longest-running problems first, so a 5 s simulation does not start last and stretch the tail.
  const ordered = [...problems].sort((a, b) => (calibrations.get(b.id)?.durationMs ?? 0) - (calibrations.get(a.id)?.durationMs ?? 0));
  const jobs: Array<{problem: Problem; index: number; stored?: SampleRow}> = [];
  for (const problem of ordered) {
    const n = provider.samplesFor?.(problem.id) ?? config.n;
    for (let index = 0; index < n; index++) jobs.push({problem, index, stored: existing.get(`${problem.id}\u0000${index}`)});
  }

  // The first error that stops the run (fatal endpoint error, outage, interruption): nothing new starts after it.
  let fatal: unknown;
  const stop = new AbortController();
  const halt = (error: unknown) => {
    fatal ??= error;
    stop.abort(fatal);
  };
  const onInterrupt = () => halt(new RunInterrupted(runId, String(options.signal?.reason)));
  if (options.signal?.aborted) onInterrupt();
  else options.signal?.addEventListener('abort', onInterrupt, {once: true});
  const outage = new OutageWatch();
  let done = 0;
  let passed = 0;
  const report = (verdict?: Verdict) => {
    done++;
    if (verdict?.passed) passed++;
    options.onProgress?.({phase: 'samples', done, total: jobs.length, passed});
  };

  const queue = new JudgeQueue(bench, {sandbox, mode: config.verdictMode}, execLimit, options.judgeBatch ?? defaultJudgeBatch, () => fatal);
  // Samples whose job the sandbox failed under: judged again alone once everything else is done.
  const broke: Array<{problem: Problem; sampleId: number; code: string}> = [];
  const judge = async (problem: Problem, sampleId: number, code: string): Promise<Verdict> => {
    if (fatal) throw fatal;
    const verdict = await queue.judge({problem, code, calibration: calibrations.get(problem.id)});
    // A terminal's Ctrl-C reaches the sandboxed processes too: a verdict that lands after an
    // interruption may be that kill's, so it is not kept; the sample is judged again on resume.
    if (options.signal?.aborted) throw fatal;
    store.addExecution(sampleId, verdict, environmentId);
    if (sandboxFailed(verdict)) broke.push({problem, sampleId, code});
    return verdict;
  };

  /** The row as stored: if one already existed for this slot, it wins, and its code is what gets judged. */
  const stored = (sample: NewSample): SampleRow => {
    const {id, inserted} = store.addSample(sample);
    return inserted ? {...sample, id} : store.sample(id)!;
  };

  const generate = async (problem: Problem, index: number, replacing?: SampleRow): Promise<SampleRow> => {
    const seed = config.seed + index;
    const prompt = bench.prompt(problem, provider.style);
    const base = {runId, problemId: problem.id, sampleIndex: index, seed};
    let completion;
    try {
      completion = await generateLimit(() => {
        if (fatal) throw fatal; // queued behind the request that failed fatally: do not send
        return provider.complete({problemId: problem.id, prompt, sampleIndex: index, seed, params: config.params, signal: stop.signal});
      });
    } catch (error) {
      // The run is stopping: an abandoned request is no sample; it is generated again on resume.
      if (stop.signal.aborted) throw fatal;
      if (isFatal(error) || error instanceof UserError) throw error;
      const gone = outage.failed(error);
      // Stored before stopping, so a resume with --retry-errors finds every failed sample.
      const row = replacing ?? stored({...base, error: (error as Error).message, attempts: error instanceof EndpointError ? error.attempts : 1});
      if (gone) halt(gone);
      return row;
    }
    outage.succeeded();
    // Outside the try: a store that cannot write (disk full) stops the run; it is not the sample's error.
    const extraction = provider.verbatim
      ? {code: completion.text, path: 'verbatim', markers: []}
      : bench.extract(problem, completion.text, provider.style);
    const sample = {
      ...base,
      response: provider.verbatim ? undefined : completion.text,
      code: extraction.code,
      extractionPath: extraction.path,
      markers: extraction.markers,
      finishReason: completion.finishReason,
      latencyMs: completion.latencyMs,
      cached: completion.cached,
      attempts: completion.attempts,
    };
    if (replacing) store.deleteSample(replacing.id); // only now that the retry succeeded
    return stored(sample);
  };

  // A fatal error stops new work at once, but the run only returns after every job in flight has
  // settled, so nothing writes to the store after the caller closes it.
  const outcomes = await Promise.allSettled(
    jobs.map(async ({problem, index, stored}) => {
      let sample = stored;
      if (!sample || (sample.error !== undefined && options.retryErrors)) {
        if (fatal) return;
        sample = await generate(problem, index, sample);
      }
      if (sample.error !== undefined) return report();
      const needsJudging = !sample.verdict || (sample.verdict.errored && options.retryErrors);
      if (needsJudging && fatal) return;
      report(needsJudging ? await judge(problem, sample.id, sample.code ?? '') : sample.verdict);
    }).map((job) =>
      job.catch((error: unknown) => {
        halt(error);
        throw error;
      }),
    ),
  );
  options.signal?.removeEventListener('abort', onInterrupt);
  if (fatal) throw fatal;
  const failure = outcomes.find((o) => o.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  for (const {problem, sampleId, code} of broke) {
    if (options.signal?.aborted) throw new RunInterrupted(runId, String(options.signal.reason));
    const verdict = await judgeBreaker(options, problem, code, calibrations.get(problem.id));
    if (options.signal?.aborted) throw new RunInterrupted(runId, String(options.signal.reason));
    store.addExecution(sampleId, verdict, environmentId);
  }
}

/** The sandbox itself failed during the job (its runner broke, or was lost on every try). */
function sandboxFailed(verdict: Verdict): boolean {
  return verdict.errored === true && verdict.result.startsWith('error: sandbox: ');
}

/**
 * A sample whose job the sandbox failed under, judged again alone (the pool has replaced the
 * broken runner). An infrastructure error takes a sample out of pass@k's n, so a wrong sample that
 * breaks the sandbox would raise pass@k: if it breaks it again while the problem's reference,
 * judged right after, does not, the sample is what breaks it, and it fails (as a runtime error).
 * If the reference errs too, the sandbox is at fault and the sample stays an infrastructure error.
 */
async function judgeBreaker(options: RunOptions, problem: Problem, code: string, calibration: Verdict | undefined): Promise<Verdict> {
  const {bench, sandbox, config} = options;
  const again = await bench.judge(problem, code, {sandbox, mode: config.verdictMode, calibration});
  if (!sandboxFailed(again)) return again;
  const reference = await bench.judge(problem, bench.reference(problem), {sandbox, mode: config.verdictMode, calibration});
  if (reference.errored) return again;
  const error = again.result.slice('error: sandbox: '.length);
  return {
    passed: false,
    result: `failed: SandboxBroken: ${error}`,
    ...(bench.language === 'verilog' ? {class: 'R'} : {}),
    durationMs: again.durationMs,
    details: {...again.details, sandboxBroken: true},
  };
}
