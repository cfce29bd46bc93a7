/**
 * The run orchestrator and config resolution, in process: real benches, the real sandbox and a real
 * SQLite store; only the model is a stand-in (an in-process provider with scripted answers).
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Bench} from '../src/bench/bench.js';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {openBench} from '../src/bench/index.js';
import {UserError} from '../src/errors.js';
import {openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import type {CompletionRequest, Provider} from '../src/generate/provider.js';
import {referenceProvider} from '../src/generate/reference.js';
import {resolveRun} from '../src/run/config.js';
import {executeRun, type RunConfig, type RunOptions} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';

let sandbox: Sandbox;
let bench: Bench;

beforeAll(async () => {
  sandbox = await openSandbox({backend: 'bwrap'});
  bench = await openBench({bench: 'humaneval'});
});
afterAll(async () => {
  await sandbox?.close();
});

/** A scripted model: answers with the reference on even seeds, `answer(request)` otherwise; counts requests. */
function scriptedModel(answer: (request: CompletionRequest) => string = () => '    return None\n') {
  const requests: CompletionRequest[] = [];
  const provider: Provider = {
    id: 'scripted',
    verbatim: false,
    style: 'completion',
    async complete(request) {
      requests.push(request);
      const problem = bench.problems.find((p) => p.id === request.problemId)!;
      const text = request.seed % 2 === 0 ? bench.reference(problem) : answer(request);
      return {text, latencyMs: 1, cached: false, attempts: 1};
    },
  };
  return {provider, requests};
}

const problemIds = ['PythonMini/0', 'PythonMini/1'];

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    bench: bench.name,
    task: bench.task,
    dataset: 'embedded',
    datasetHash: bench.datasetHash,
    benchOptions: {},
    model: 'scripted',
    n: 2,
    params: {temperature: 0.8, topP: 0.95, maxTokens: 256},
    seed: 0,
    verdictMode: 'strict',
    problemIds,
    ...overrides,
  };
}

function run(store: Store, provider: Provider, overrides: Partial<RunOptions> = {}) {
  return executeRun({store, bench, provider, sandbox, config: config(), concurrency: 2, execConcurrency: 2, passkVersion: 'test', ...overrides});
}

async function userError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return (error as Error).message;
}

describe('executeRun', () => {
  it('refuses a problem named twice (it would be weighted twice)', async () => {
    const store = new Store(':memory:');
    const message = await userError(run(store, scriptedModel().provider, {config: config({problemIds: ['PythonMini/0', 'PythonMini/0']})}));
    expect(message).toBe('problem id(s) given more than once: PythonMini/0');
    expect(store.listRuns()).toHaveLength(0);
  });

  it('judges an empty answer as the model failing, not as an infrastructure error', async () => {
    const store = new Store(':memory:');
    const summary = await run(store, scriptedModel(() => '').provider);
    expect(summary.errors).toBe(0);
    expect(summary.complete).toBe(true);
    expect(summary.passAtK['1'].value).toBe(0.5);
    expect(summary.classes).toEqual({passed: 2, failed: 2});
  });

  it('re-scores a finished run with other ks without asking the model again', async () => {
    const store = new Store(':memory:');
    const first = scriptedModel();
    const summary = await run(store, first.provider);
    expect(Object.keys(summary.passAtK)).toEqual(['1']);
    const again = scriptedModel();
    const rescored = await run(store, again.provider, {resumeRunId: summary.runId, ks: [1, 2]});
    expect(again.requests).toHaveLength(0);
    expect(rescored.runId).toBe(summary.runId);
    expect(rescored.passAtK['2'].value).toBe(1);
  });

  it('refuses to resume a run another live process holds, and takes over from a dead one', async () => {
    const store = new Store(':memory:');
    const summary = await run(store, scriptedModel().provider);
    const sleeper = spawn('sleep', ['30']);
    try {
      expect(store.claimRun(summary.runId, sleeper.pid!)).toBeUndefined();
      const message = await userError(run(store, scriptedModel().provider, {resumeRunId: summary.runId}));
      expect(message).toBe(`run ${summary.runId} is being run by process ${sleeper.pid}; wait for it or stop it first`);
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
    await expect(run(store, scriptedModel().provider, {resumeRunId: summary.runId})).resolves.toMatchObject({runId: summary.runId});
  });

  it('refuses to resume under a different toolchain unless forced', async () => {
    const store = new Store(':memory:');
    const summary = await run(store, scriptedModel().provider);
    const stored = store.getRun(summary.runId)!;
    // As if the run had last been judged elsewhere.
    store.recordEnvironment(summary.runId, {...stored.environment, toolchain: {python3: 'Python 2.7.18'}});
    const message = await userError(run(store, scriptedModel().provider, {resumeRunId: summary.runId}));
    expect(message).toBe(`run ${summary.runId} was judged with a different toolchain; resume with the same one, or pass --force to mix them`);
    await expect(run(store, scriptedModel().provider, {resumeRunId: summary.runId, force: true})).resolves.toMatchObject({runId: summary.runId});
  });

  it('refuses to resume with different settings, naming them', async () => {
    const store = new Store(':memory:');
    const summary = await run(store, scriptedModel().provider);
    const message = await userError(run(store, scriptedModel().provider, {resumeRunId: summary.runId, config: config({seed: 7, verdictMode: 'compat'})}));
    expect(message).toBe(`run ${summary.runId} was made with a different configuration (differs in: seed, verdictMode); start a new run instead`);
  });
});

describe('calibration', () => {
  it('judges a timed-out reference again alone, reports it invalid, and caches only the timeout judged alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-slow-'));
    const file = path.join(dir, 'slow.jsonl');
    const row = {task_id: 'Slow/0', prompt: 'def f():\n', entry_point: 'f', canonical_solution: '    import time\n    time.sleep(2)\n    return 1\n', test: 'def check(candidate):\n    assert candidate() == 1\n'};
    writeFileSync(file, JSON.stringify(row) + '\n');
    const slow = await loadHumanEval({dataset: file, timeoutMs: 500});
    let judged = 0;
    const counting = {...slow, judge: (...args: Parameters<typeof slow.judge>) => (judged++, slow.judge(...args))} as Bench;
    const store = new Store(':memory:');
    const options = {store, bench: counting, provider: referenceProvider(counting), sandbox, concurrency: 1, execConcurrency: 2, passkVersion: 'test'};
    const slowConfig = {...config({problemIds: undefined, n: 1}), datasetHash: slow.datasetHash};
    const summary = await executeRun({...options, config: slowConfig});
    expect(summary.invalidProblems).toEqual([{id: 'Slow/0', reason: 'timed out'}]);
    expect(judged).toBe(3); // calibration, its re-run alone, the sample
    const again = await executeRun({...options, config: slowConfig});
    expect(again.invalidProblems).toEqual([{id: 'Slow/0', reason: 'timed out'}]);
    expect(judged).toBe(4); // the sample only
  });
});

describe('resolveRun', () => {
  const providerOptions = {};
  const demo = path.join(projectRoot, 'datasets', 'demo', 'python-samples.jsonl');

  it('takes n from a samples file and refuses a -n that disagrees', async () => {
    const resolved = await resolveRun({bench: 'humaneval', model: `replay:${demo}`}, undefined, providerOptions);
    expect(resolved.config.n).toBe(3);
    expect(resolved.config.modelInputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await userError(resolveRun({bench: 'humaneval', model: `replay:${demo}`, n: 5}, undefined, providerOptions))).toMatch(/-n 5 disagrees with replay:.*up to 3 samples per problem/);
  });

  it('replays the embedded demo samples when no model is named', async () => {
    const resolved = await resolveRun({bench: 'humaneval'}, undefined, providerOptions);
    expect(resolved.demoSamples).toBe(demo);
    expect(resolved.config.model).toBe(`replay:${demo}`);
  });

  it('refuses settings that do not apply to the bench, and out-of-range sampling', async () => {
    expect(await userError(resolveRun({bench: 'humaneval', shots: 2, model: 'reference'}, undefined, providerOptions))).toBe('--shots and --rules apply to verilog-eval-v2 only, not humaneval');
    expect(await userError(resolveRun({bench: 'verilog-eval-v2', execTimeoutMs: 5000, model: 'reference'}, undefined, providerOptions))).toMatch(/^--exec-timeout applies to humaneval and mbpp only/);
    expect(await userError(resolveRun({bench: 'humaneval', temperature: -1, model: 'reference'}, undefined, providerOptions))).toBe('--temperature must be between 0 and 2, got -1');
    expect(await userError(resolveRun({bench: 'humaneval', topP: 0, model: 'reference'}, undefined, providerOptions))).toBe('--top-p must be in (0, 1], got 0');
  });

  it('on resume, keeps what the user does not say again and applies what they do', async () => {
    const first = await resolveRun({bench: 'verilog-eval-v2', shots: 2, model: 'reference', n: 3, temperature: 0.85, topP: 0.95, seed: 5}, undefined, providerOptions);
    const resumed = await resolveRun({}, first.config, providerOptions);
    expect(resumed.config).toEqual(first.config);
    const changed = await resolveRun({temperature: 0.2}, first.config, providerOptions);
    expect(changed.config).toEqual({...first.config, params: {...first.config.params, temperature: 0.2}});
  });
});
