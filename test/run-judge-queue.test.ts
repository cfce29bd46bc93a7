/**
 * Batched judging in a run: samples waiting for a sandbox slot are judged several per checker job
 * (--exec-batch), with exactly the verdicts of one job per sample. Real bench, real sandbox, real
 * store; the model is a scripted stand-in.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Bench, JudgeItem, Verdict} from '../src/bench/bench.js';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import type {Provider} from '../src/generate/provider.js';
import {JudgeQueue} from '../src/run/judge-queue.js';
import {executeRun} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';

let sandbox: Sandbox;
let bench: Bench;
beforeAll(async () => {
  sandbox = await openSandbox({backend: 'bwrap'});
  // A short time limit: the hanging samples are there for their verdict, not their wait.
  bench = await loadHumanEval({dataset: path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl'), timeoutMs: 500});
});
afterAll(() => sandbox?.close());

/** Right on seeds divisible by 3, wrong, hanging or raising otherwise: a mix of verdicts per problem. */
const model: Provider = {
  id: 'scripted',
  verbatim: false,
  style: 'completion',
  async complete(request) {
    const problem = bench.problems.find((p) => p.id === request.problemId)!;
    const answers = [bench.reference(problem), '    return None\n', '    while True:\n        pass\n', '    raise ValueError("no")\n'];
    return {text: answers[request.seed % 4]!, latencyMs: 1, cached: false, attempts: 1};
  },
};

function runWith(judgeBatch: number) {
  const store = new Store(':memory:');
  const config = {
    bench: bench.name, task: bench.task, dataset: 'embedded', datasetHash: bench.datasetHash, benchOptions: {}, model: 'scripted', n: 8,
    params: {temperature: 0.8, topP: 0.95, maxTokens: 256}, seed: 0, verdictMode: 'strict' as const, problemIds: bench.problems.slice(0, 4).map((p) => p.id),
  };
  return executeRun({store, bench, provider: model, sandbox, config, concurrency: 8, execConcurrency: 2, judgeBatch, passkVersion: 'test'}).then((summary) => ({
    summary,
    verdicts: store.samples(summary.runId).map((s) => `${s.problemId}#${s.sampleIndex} ${s.verdict?.result}`).sort(),
  }));
}

describe('a run with --exec-batch', () => {
  it('gives every sample the verdict it gets in a job of its own', async () => {
    const alone = await runWith(1);
    const batched = await runWith(10);
    expect(batched.verdicts).toEqual(alone.verdicts);
    expect(batched.summary.passAtK).toEqual(alone.summary.passAtK);
    expect(new Set(alone.verdicts.map((line) => line.split(' ')[1]))).toEqual(new Set(['passed', 'failed:', 'timed']));
  });
});

describe('JudgeQueue', () => {
  /** The real bench's judgeMany, recording how many samples each call was given. */
  function recording() {
    const sizes: number[] = [];
    const recorded: Bench = {
      ...bench,
      judgeMany: (items: JudgeItem[], ctx) => {
        sizes.push(items.length);
        return bench.judgeMany!(items, ctx);
      },
    };
    return {recorded, sizes};
  }

  it('judges a sample that finds a free slot at once, and batches those that wait', async () => {
    const {recorded, sizes} = recording();
    const queue = new JudgeQueue(recorded, {sandbox, mode: 'strict'}, pLimit(2), 5, () => undefined);
    const problem = bench.problems[0]!;
    const verdicts: Verdict[] = await Promise.all(Array.from({length: 14}, () => queue.judge({problem, code: bench.reference(problem)})));
    expect(verdicts.every((v) => v.passed)).toBe(true);
    // The first two take the free slots alone (judge, not judgeMany); the other 12 waited: batches of at most 5.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(12);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
  });

  it('starts no batch once the run is stopping, and rejects its samples with the reason', async () => {
    const {recorded, sizes} = recording();
    const reason = new Error('interrupted');
    const queue = new JudgeQueue(recorded, {sandbox, mode: 'strict'}, pLimit(1), 5, () => reason);
    const problem = bench.problems[0]!;
    await expect(queue.judge({problem, code: bench.reference(problem)})).rejects.toBe(reason);
    expect(sizes).toEqual([]);
  });
});
