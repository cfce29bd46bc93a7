/**
 * Behavioural Verilog selection on every pool: the real model pools of ../shared/datasets/verilog-samples
 * (Gemini 2.5 Flash on v2 spec-to-rtl; gpt-4o-mini, VeriCoder-Qwen14B, RTLCoder-Mistral on v1 Human) and
 * seeded mutant pools from the references (plurality: the reference twice among three mutants;
 * minority: one mutant twice, the reference once). Each pool is judged by the real VerilogEval
 * testbench (the ground truth) and then selected by behaviour. Prints selection pass@1 per strategy
 * under the `all` protocol next to the baseline, random selection (plain sampling pass@1), and the
 * oracle (pass@n), as a Markdown table, and the wall time of judging (the baseline cost) and of
 * behavioural selection (stimulus simulation + ranking) per pool.
 *
 *   npx tsx bench/verilog-select.ts [--pools gemini,gpt-4o-mini,...] [--problems N] [--seed S] [--db FILE]
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {openSandbox} from '../src/execute/index.js';
import {resolveRun} from '../src/run/config.js';
import {executeRun} from '../src/run/run.js';
import {selectVerilogRun} from '../src/select/verilog/run.js';
import {defaultStimulus} from '../src/select/verilog/stimulus.js';
import {Store} from '../src/store/store.js';
import {sharedDatasetsRoot} from '../test/helpers/datasets.js';
import {sweep} from '../test/helpers/sweep.js';
import {allStrategies, benchDataset, mutantPoolFile, realPools, type Pool} from '../test/helpers/verilog-pools.js';

const {values} = parseArgs({
  options: {pools: {type: 'string'}, problems: {type: 'string'}, seed: {type: 'string', default: '0'}, db: {type: 'string'}, concurrency: {type: 'string'}},
});
const seed = Number(values.seed);
const concurrency = Number(values.concurrency ?? os.availableParallelism());
const root = sharedDatasetsRoot();
const verilogEval = path.join(root, 'verilog-eval');
const work = mkdtempSync(path.join(os.tmpdir(), 'passk-vselect-'));
const pools: Pool[] = [
  ...realPools(path.join(root, 'verilog-samples')),
  await mutantPoolFile(verilogEval, 'verilog-eval-v2', 'plurality', seed, path.join(work, 'mutants-plurality-v2.jsonl')),
  await mutantPoolFile(verilogEval, 'verilog-eval-v2', 'minority', seed, path.join(work, 'mutants-minority-v2.jsonl')),
  await mutantPoolFile(verilogEval, 'verilog-eval-v1', 'plurality', seed, path.join(work, 'mutants-plurality-v1.jsonl')),
];
const wanted = values.pools?.split(',');
const chosen = wanted ? pools.filter((pool) => wanted.some((name) => pool.name.includes(name))) : pools;
const store = new Store(values.db ?? path.join(work, 'store.db'));
const sandbox = await openSandbox({poolSize: concurrency});

const percent = (value: number) => (value * 100).toFixed(1);
const header = ['pool', 'tasks (mixed)', 'candidates ok/all', 'random (plain pass@1)', 'random among ok', 'maxpass', 'mbr-exec', 'codet', 'codet-original', 'b4 1e4', 'b4 1e5', 'b4 1e6', 'oracle pass@n', 'judge s', 'select s'];
console.log(`selection pass@1 (%), protocol "all" (every task); stimulus ${defaultStimulus.blocks} blocks × ${defaultStimulus.cycles} cycles (last ×32), seed ${seed}; ${os.availableParallelism()} cores, ${concurrency} jobs at once`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
const started = performance.now();
try {
  for (const pool of chosen) {
    const dataset = benchDataset(verilogEval, pool.bench);
    const opened = await resolveRun({bench: pool.bench, task: pool.task, dataset, model: `replay:${pool.samples}`}, undefined, {});
    const ids = opened.bench.problems.map((p) => p.id);
    const problemIds = values.problems ? sweep(ids, Number(values.problems)) : undefined;
    const {bench, provider, config} = problemIds ? await resolveRun({bench: pool.bench, task: pool.task, dataset, model: `replay:${pool.samples}`, problemIds}, undefined, {}) : opened;
    const judgeStart = performance.now();
    const summary = await executeRun({store, bench, provider, sandbox, config, concurrency, execConcurrency: concurrency, passkVersion: 'bench'});
    const judgeSeconds = (performance.now() - judgeStart) / 1000;
    const selectStart = performance.now();
    const {report} = await selectVerilogRun(store, store.getRun(summary.runId)!, sandbox, {...defaultStimulus, seed, concurrency}, allStrategies(seed));
    const selectSeconds = (performance.now() - selectStart) / 1000;
    const all = (strategy: string, beta0?: number) =>
      report.results.find((r) => r.protocol === 'all' && r.strategy === strategy && (beta0 === undefined || r.params.beta0 === beta0))!.pass1;
    const outcomes = report.outcomes;
    const candidates = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
    const row = [
      pool.name,
      `${report.sampling.find((s) => s.protocol === 'all')!.tasks} (${report.taskClasses.mixed})`,
      `${outcomes.ok}/${candidates}`,
      percent(report.sampling.find((s) => s.protocol === 'all')!.pass1),
      percent(all('random')),
      percent(all('maxpass')),
      percent(all('mbr-exec')),
      percent(all('codet')),
      percent(all('codet-original')),
      percent(all('b4', 1e4)),
      percent(all('b4', 1e5)),
      percent(all('b4', 1e6)),
      percent(report.oracle.find((o) => o.protocol === 'all')!.passN),
      judgeSeconds.toFixed(0),
      selectSeconds.toFixed(0),
    ];
    // Each row as soon as its pool is done: a long sweep shows its figures as it goes.
    console.log(`| ${row.join(' | ')} |`);
    const outcomeText = Object.entries(outcomes).map(([status, count]) => `${status} ${count}`).join(', ');
    console.error(`${pool.name}: judged in ${judgeSeconds.toFixed(1)} s, selected in ${selectSeconds.toFixed(1)} s (${(selectSeconds / judgeSeconds).toFixed(2)}× the judging time); candidates: ${outcomeText}`);
  }
} finally {
  await sandbox.close();
  store.close();
}
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s (judging and selection, all pools)`);
