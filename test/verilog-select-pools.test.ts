/**
 * Behavioural selection on real model pools (../shared/datasets/verilog-samples) and seeded mutant
 * pools from the references, each judged first by the real VerilogEval testbench (the ground
 * truth). Two real pools (a v2 and a v1) and an even subset of problems in `npm test`; every pool and all 156 problems under PASSK_FULL=1 (bench/verilog-select.ts
 * prints the full table). Selection must beat random selection (plain sampling pass@1) on every
 * real pool, and never pick a candidate without a trace.
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {openBench} from '../src/bench/index.js';
import {openSandbox} from '../src/execute/index.js';
import {runSelection} from '../src/select/selection.js';
import {Store} from '../src/store/store.js';
import {sharedDataset} from './helpers/datasets.js';
import {sweep, sweepLabel} from './helpers/sweep.js';
import {allStrategies, benchDataset, mutantPoolFile, realPools, runPool, type Pool, type PoolRun} from './helpers/verilog-pools.js';

const verilogEval = sharedDataset('verilog-eval');
const samplesRoot = sharedDataset('verilog-samples');
const sandbox = verilogEval && samplesRoot ? await openSandbox() : undefined;
const store = new Store(path.join(mkdtempSync(path.join(os.tmpdir(), 'passk-vpools-')), 'passk.db'));
afterAll(async () => {
  await sandbox?.close();
  store.close();
});

/** Problems per pool in `npm test`. */
const subset = 10;

async function problemIds(pool: Pool): Promise<{ids: string[]; label: string}> {
  const bench = await openBench({bench: pool.bench, task: pool.task, dataset: benchDataset(verilogEval!, pool.bench)});
  const all = bench.problems.map((p) => p.id);
  const ids = sweep(all, subset);
  return {ids, label: sweepLabel(all.length, ids.length)};
}

const pass1 = (run: PoolRun, strategy: string, beta0?: number) =>
  run.selection.report.results.find((r) => r.protocol === 'all' && r.strategy === strategy && (beta0 === undefined || r.params.beta0 === beta0))!.pass1;
const sampling = (run: PoolRun) => run.selection.report.sampling.find((s) => s.protocol === 'all')!.pass1;

/** No strategy's pick is a candidate that did not run to the end of the stimulus. */
function expectOnlyRunCandidatesPicked(run: PoolRun): void {
  const ran = new Map(run.selection.matrix.tasks.map((task) => [task.taskId, task.execOk]));
  for (const selection of run.selection.report.selections) {
    for (const task of selection.tasks) if (task.pick !== undefined) expect(ran.get(task.taskId)![task.pick], `${selection.strategy} on ${task.taskId}`).toBe(true);
  }
}

const withData = Boolean(verilogEval && samplesRoot);
/** npm test: a v2 pool and a v1 one; PASSK_FULL=1: every real pool. */
const realInTest = (index: number) => Boolean(process.env.PASSK_FULL) || index < 2;
const real = withData ? await Promise.all(realPools(samplesRoot!).filter((_, index) => realInTest(index)).map(async (pool) => ({pool, ...(await problemIds(pool))}))) : [];
const mutants = withData
  ? await mutantPoolFile(verilogEval!, 'verilog-eval-v2', 'plurality', 0, path.join(mkdtempSync(path.join(os.tmpdir(), 'passk-mutants-')), 'pool.jsonl'))
  : undefined;
const mutantIds = mutants ? await problemIds(mutants) : undefined;

describe.skipIf(!sandbox)('behavioural selection on real and mutant pools', () => {
  for (const {pool, ids, label} of real) {
    it(`${pool.name} [${label} problems]: mbr-exec, codet, codet-original and b4 (every β0) beat random selection (plain pass@1)`, {timeout: 600_000}, async () => {
      const run = await runPool(store, sandbox!, verilogEval!, pool, {problemIds: ids});
      const random = sampling(run);
      const figures = Object.fromEntries(['maxpass', 'mbr-exec', 'codet', 'codet-original', 'b4'].map((s) => [s, pass1(run, s)]));
      console.log(`${pool.name} [${label}]: random ${random.toFixed(3)}, ${JSON.stringify(figures)}, oracle ${run.selection.report.oracle[0]!.passN.toFixed(3)}`);
      for (const strategy of ['mbr-exec', 'codet', 'codet-original']) expect(pass1(run, strategy), strategy).toBeGreaterThan(random);
      for (const beta0 of [1e4, 1e5, 1e6]) expect(pass1(run, 'b4', beta0), `b4 β0=${beta0}`).toBeGreaterThan(random);
      expect(run.selection.report.oracle.find((o) => o.protocol === 'all')!.passN).toBeGreaterThanOrEqual(pass1(run, 'b4', 1e5));
      expectOnlyRunCandidatesPicked(run);
    });
  }

  it(`v2 mutant pools, plurality [${mutantIds?.label} problems]: weighted by samples, the reference’s behaviour wins over three distinct mutants`, {timeout: 600_000}, async () => {
    const run = await runPool(store, sandbox!, verilogEval!, mutants!, {problemIds: mutantIds!.ids});
    // The reference's two copies are one unique candidate, so only a weighted ranking sees that it is the plurality.
    const weighted = runSelection(run.selection.matrix, {...allStrategies(), dedup: 'weighted'});
    const weightedPass1 = (strategy: string) => weighted.results.find((r) => r.protocol === 'all' && r.strategy === strategy)!.pass1;
    for (const strategy of ['mbr-exec', 'codet', 'b4']) expect(weightedPass1(strategy), strategy).toBeGreaterThan(sampling(run));
    expectOnlyRunCandidatesPicked(run);
  });

  it('selection is the same for the same seed', {timeout: 600_000}, async () => {
    const {pool, ids} = real[0]!;
    const ids3 = ids.slice(0, 3);
    const [one, two] = [await runPool(store, sandbox!, verilogEval!, pool, {problemIds: ids3}), await runPool(store, sandbox!, verilogEval!, pool, {problemIds: ids3})];
    expect(two.selection.matrix).toEqual(one.selection.matrix);
    expect(two.selection.report.selections).toEqual(one.selection.report.selections);
  });
});
