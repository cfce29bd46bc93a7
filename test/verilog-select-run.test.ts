/**
 * Behavioural Verilog selection in the real sandbox: the embedded mini suite's demo run selected
 * through `passk select --run` (stored with the run, the same for the same seed), and a pool whose
 * majority does not compile, hangs or stops early, none of which may ever be picked.
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {resolveRun} from '../src/run/config.js';
import {executeRun} from '../src/run/run.js';
import {v2Form, type BehaviourTaskInput} from '../src/select/verilog/behaviour.js';
import {selectByBehaviour, selectVerilogRun} from '../src/select/verilog/run.js';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';
import {allStrategies} from './helpers/verilog-pools.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const passk = (args: string[]) => execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
const mini = path.join(projectRoot, 'datasets', 'verilog-mini');

const sandbox: Sandbox | undefined = await openSandbox().catch((error: unknown) => {
  console.warn(`skipping behavioural Verilog selection tests: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

describe.skipIf(!sandbox)('behavioural selection on a VerilogEval run', () => {
  it('passk select --run on the demo run: every strategy next to plain sampling and the oracle, stored with the run, the same for the same seed', {timeout: 300_000}, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-vselect-'));
    const db = path.join(dir, 'passk.db');
    const store = new Store(db);
    // Every demo problem but Mini10_updown, whose hanging sample costs the 30 s limit twice (judge, stimulus); hangs: the next test.
    const demoIds = loadVerilogEvalV2({dataset: mini, task: 'spec-to-rtl'}).problems.map((p) => p.id).filter((id) => id !== 'Mini10_updown');
    const {bench, provider, config} = await resolveRun({problemIds: demoIds}, undefined, {});
    const summary = await executeRun({store, bench, provider, sandbox: sandbox!, config, concurrency: 2, execConcurrency: 2, passkVersion: 'test'});
    store.close();

    const select = async () => {
      const result = await passk(['select', '--run', summary.runId, '--db', db, '--strategy', 'mbr-exec', '--strategy', 'b4', '--beta0', '1e5', '--json']);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      return JSON.parse(result.stdout);
    };
    const first = await select();
    const all = (strategy: string) => first.results.find((r: {strategy: string; protocol: string}) => r.strategy === strategy && r.protocol === 'all').pass1;
    const sampling = first.sampling.find((s: {protocol: string}) => s.protocol === 'all').pass1;
    const oracle = first.oracle.find((o: {protocol: string}) => o.protocol === 'all').passN;
    // The demo samples are 3 per problem with a right answer for most: majority behaviour finds it more often than a random sample.
    expect(sampling).toBeCloseTo(summary.passAtK['1']!.value, 10);
    expect(all('mbr-exec')).toBeGreaterThan(sampling);
    expect(all('b4')).toBeGreaterThan(sampling);
    expect(oracle).toBeGreaterThanOrEqual(all('b4'));
    expect(first.outcomes.ok).toBeGreaterThan(0);

    const second = await select();
    expect(second.results).toEqual(first.results);
    const stored = new Store(db);
    const selections = stored.selections(summary.runId);
    stored.close();
    expect(selections).toHaveLength(2);
    expect(selections[0]!.source).toBe('behaviour {"blocks":8,"cycles":32,"seed":0}');
    expect(selections[1]!.report.selections).toEqual(selections[0]!.report.selections);

    const refused = await passk(['select', '--run', summary.runId, '--db', db, '--tests', 'openai:m']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/selected by behaviour: drop --tests/);
  });

  it('a candidate that does not compile, hangs or stops early never wins, even as the majority', async () => {
    const bench = loadVerilogEvalV2({dataset: mini, task: 'spec-to-rtl'});
    const problem = bench.problems.find((p) => p.id === 'Mini10_updown')!;
    const correct = bench.reference(problem);
    const header = correct.slice(0, correct.indexOf(');') + 2);
    const wrong = correct.replace('q - 8\'d1', 'q - 8\'d2');
    const broken = {
      'does not compile': `${header}\n  always @(posedge clk) q <= q +;\nendmodule\n`,
      hangs: `${header}\n  logic loop;\n  assign loop = ~loop & up;\n  always @(posedge clk) q <= {7'd0, loop};\nendmodule\n`,
      'stops early': `${correct.replace(/endmodule\s*$/, '')}  always @(posedge clk) if (load) $finish;\nendmodule\n`,
    };
    const solutions = [correct, wrong, ...Object.values(broken)];
    const task: BehaviourTaskInput = {
      taskId: problem.id,
      solutions,
      // The broken ones are three samples each: by sample count they are the majority.
      solCount: [1, 1, 3, 3, 3],
      // By construction: only the reference is right (nothing that fails to compile, hangs or stops early passes a testbench).
      gt: [true, false, false, false, false],
      form: v2Form(problem),
    };
    const behaviour = {seed: 0, blocks: 4, cycles: 16, concurrency: 2, simTimeoutMs: 3000};
    const {report, matrix} = await selectByBehaviour([task], sandbox!, behaviour, allStrategies());
    expect(matrix.tasks[0]!.execOk).toEqual([true, true, false, false, false]);
    expect(report.outcomes).toMatchObject({ok: 2, 'compile error': 1, timeout: 1, incomplete: 1});
    for (const selection of report.selections) {
      const [only] = selection.tasks;
      expect(only!.pick === undefined || only!.pick < 2, `${selection.strategy} ${JSON.stringify(selection.params)} picked ${only!.pick}`).toBe(true);
    }
    // The right and the wrong answer disagree, so the block checks tell them apart.
    expect(new Set(matrix.tasks[0]!.rows.slice(0, 2)).size).toBe(2);
  });

  it('refuses a run that is not finished, and a Python run is not selected by behaviour', async () => {
    const store = new Store(':memory:');
    store.createRun({id: 'r1', config: {bench: 'verilog-eval-v2'}, configHash: 'h', bench: 'verilog-eval-v2', task: 'spec-to-rtl', model: 'replay:x'});
    await expect(selectVerilogRun(store, store.getRun('r1')!, sandbox!, {seed: 0, blocks: 8, cycles: 32, concurrency: 1}, allStrategies())).rejects.toThrow(
      /is running; finish it first/,
    );
    store.createRun({id: 'r2', config: {bench: 'humaneval'}, configHash: 'h', bench: 'humaneval', task: 'base', model: 'replay:x'});
    await expect(selectVerilogRun(store, store.getRun('r2')!, sandbox!, {seed: 0, blocks: 8, cycles: 32, concurrency: 1}, allStrategies())).rejects.toThrow(
      /needs a verilog-eval-v1 or -v2 run/,
    );
    store.close();
  });
});
