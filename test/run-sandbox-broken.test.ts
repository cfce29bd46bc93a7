/**
 * The run's backstop against samples that break the sandbox: an infrastructure error takes a sample
 * out of pass@k's n, so a wrong sample that breaks the sandbox would raise pass@k. A sample whose
 * job the sandbox failed under is judged again alone; failing again while the problem's reference
 * judges fine right after, it fails (`failed: SandboxBroken: ...`); when the reference fails too,
 * it stays an infrastructure error.
 *
 * Not a real break: since the runner's seccomp filter (test/sandbox-tamper.test.ts) no sample-made
 * way to break a runner is known, so the break is made at the Sandbox boundary: the real bubblewrap
 * sandbox and bench judge every job, and a job whose program holds a marker gets, instead of its
 * result, the error a broken runner reports. Everything else (bench, store, scoring) is real.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Bench} from '../src/bench/bench.js';
import {openBench} from '../src/bench/index.js';
import {openSandbox} from '../src/execute/index.js';
import type {Job, JobResult, Sandbox} from '../src/execute/sandbox.js';
import type {Provider} from '../src/generate/provider.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {Store} from '../src/store/store.js';

let real: Sandbox;
let bench: Bench;

beforeAll(async () => {
  real = await openSandbox({backend: 'bwrap'});
  bench = await openBench({bench: 'humaneval'});
});
afterAll(async () => {
  await real?.close();
});

const brokenRunner = 'runner: OSError: [Errno 24] Too many open files';

/** The real sandbox, except that `breaks(job)` jobs end as a broken runner's do (after really running). */
function breaking(breaks: (job: Job) => boolean): Sandbox & {broken: number} {
  const sandbox = {
    backend: real.backend,
    broken: 0,
    async run(job: Job): Promise<JobResult> {
      const result = await real.run(job);
      if (!breaks(job)) return result;
      sandbox.broken++;
      return {steps: [], durationMs: result.durationMs, error: brokenRunner};
    },
    toolchain: () => real.toolchain(),
    close: () => Promise.resolve(),
  };
  return sandbox;
}

const marked = (job: Job, marker: string) => (job.stdin ?? '').includes(marker);

/** Sample i of PythonMini/0: the answers given, in order. */
function model(answers: string[]): Provider {
  return {
    id: 'scripted',
    verbatim: false,
    style: 'completion',
    complete: (request) => Promise.resolve({text: answers[request.sampleIndex]!, latencyMs: 1, cached: false, attempts: 1}),
  };
}

function config(n: number): RunConfig {
  return {
    bench: bench.name,
    task: bench.task,
    dataset: 'embedded',
    datasetHash: bench.datasetHash,
    benchOptions: {},
    model: 'scripted',
    n,
    params: {temperature: 0.8, topP: 0.95, maxTokens: 256},
    seed: 0,
    verdictMode: 'strict',
    problemIds: ['PythonMini/0'],
  };
}

async function judged(sandbox: Sandbox, answers: string[]) {
  const store = new Store(':memory:');
  try {
    const summary = await executeRun({store, bench, provider: model(answers), sandbox, config: config(answers.length), ks: [1], concurrency: 1, execConcurrency: 2, passkVersion: 'test'});
    return {summary, samples: store.samples(summary.runId).map((s) => s.verdict!)};
  } finally {
    store.close();
  }
}

describe('a sample whose job the sandbox fails under', () => {
  const right = () => bench.reference(bench.problems.find((p) => p.id === 'PythonMini/0')!);
  const wrong = '    return []  # breaks-the-sandbox\n';

  it('fails when it breaks it again and the reference does not: it stays in pass@k', async () => {
    const sandbox = breaking((job) => marked(job, 'breaks-the-sandbox'));
    const {summary, samples} = await judged(sandbox, [right(), wrong]);
    expect(samples[0]!.result).toBe('passed');
    expect(samples[1]).toMatchObject({passed: false, result: `failed: SandboxBroken: ${brokenRunner}`, details: {sandboxBroken: true}});
    expect(samples[1]!.errored).toBeUndefined();
    // Judged, judged again alone: two breaks; the reference judged right after worked.
    expect(sandbox.broken).toBe(2);
    expect(summary.passAtK['1']?.value).toBeCloseTo(0.5);
  });

  it('gets its own verdict when the second judging goes through', async () => {
    let first = true;
    const sandbox = breaking((job) => {
      const breaks = first && marked(job, 'breaks-just-once');
      if (breaks) first = false;
      return breaks;
    });
    const {samples} = await judged(sandbox, [`${right()}    # breaks-just-once\n`]);
    expect(samples[0]!.result).toBe('passed');
    expect(sandbox.broken).toBe(1);
  });

  it('stays an infrastructure error when the reference breaks the sandbox too', async () => {
    let samplesPhase = false;
    const sandbox = breaking((job) => samplesPhase || (marked(job, 'breaks-the-sandbox') && (samplesPhase = true)));
    const {summary, samples} = await judged(sandbox, [wrong]);
    expect(samples[0]).toMatchObject({errored: true, result: `error: sandbox: ${brokenRunner}`});
    expect(sandbox.broken).toBe(3);
    expect(summary.passAtK['1']).toBeUndefined();
  });
});
