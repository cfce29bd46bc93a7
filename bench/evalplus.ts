/**
 * EvalPlus judging speed, measured: HumanEval+ canonical solutions judged against their recorded
 * ground truth (1) the passk way, one strict-checker job per sample in which every input is one
 * call to the same candidate process, and (2) one checker job (a fresh sandbox, interpreter,
 * candidate and program load) per input, the other way a harness can keep inputs apart. Both
 * modes use the same checker and comparison, bubblewrap and the same parallelism; it prints wall
 * time, inputs, ms per input and the ratio, measured in the same run.
 *
 *   npx tsx bench/evalplus.ts [--problems 20] [--per-input-sample 40] [--concurrency C] [--full] [--compat]
 *
 * --problems: how many HumanEval+ problems (the first ones, skipping /15, /130 and /139 whose
 * references alone take tens of seconds) are judged in both modes; the per-input mode judges only
 * the first --per-input-sample plus inputs of each (on a shared 2-core machine the full per-input
 * mode would take an hour) and its ms/input is compared with the passk mode's. --full also records
 * and judges all 164 problems (every base and plus input) the passk way and prints that wall time.
 * --compat also judges the same problems, one job per sample, with compat verdicts (EvalPlus's
 * in-process check: a fresh sample process per check compares its own outputs) and prints its wall
 * time next to strict's and the problems whose statuses differ; --per-input-sample 0 skips the
 * per-input mode.
 */
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import pLimit from 'p-limit';
import type {EvalPlusProblem} from '../src/bench/evalplus/dataset.js';
import {loadEvalPlus} from '../src/bench/evalplus/index.js';
import {evalPlusDefaults, judgeAgainst, recordGroundTruth, type GroundTruth} from '../src/bench/evalplus/judge.js';
import {openSandbox} from '../src/execute/index.js';

const {values: flags} = parseArgs({
  options: {
    problems: {type: 'string', default: '20'},
    'per-input-sample': {type: 'string', default: '40'},
    concurrency: {type: 'string', default: String(os.availableParallelism())},
    full: {type: 'boolean', default: false},
    compat: {type: 'boolean', default: false},
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
const limit = pLimit(Number(flags.concurrency));
const sandbox = await openSandbox({backend: 'bwrap'});
const bench = await loadEvalPlus({bench: 'humaneval-plus', task: 'plus', dataset: path.join(datasets, 'humaneval', 'evalplus')});
const slowReferences = new Set(['HumanEval/15', 'HumanEval/130', 'HumanEval/139']);
const chosen = bench.problems.filter((p) => !slowReferences.has(p.id)).slice(0, Number(flags.problems));
const settings = {...evalPlusDefaults, sandbox, failFast: true};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
async function timed<T>(work: () => Promise<T>): Promise<{ms: number; value: T}> {
  const started = performance.now();
  const value = await work();
  return {ms: performance.now() - started, value};
}

async function record(problems: readonly EvalPlusProblem[]): Promise<Map<string, GroundTruth>> {
  const truths = new Map<string, GroundTruth>();
  await Promise.all(problems.map((p) => limit(async () => {
    const {truth} = await recordGroundTruth(p, sandbox, ['base', 'plus']);
    if (truth) truths.set(p.id, truth);
  })));
  return truths;
}

function inputsOf(truth: GroundTruth): number {
  return (truth.base?.times.length ?? 0) + (truth.plus?.times.length ?? 0);
}

/** Judges every problem's reference, all inputs in one job per problem; returns the failures (and every verdict's statuses). */
async function perSample(problems: readonly EvalPlusProblem[], truths: Map<string, GroundTruth>, compat = false, statuses = new Map<string, string>()): Promise<string[]> {
  const failures: string[] = [];
  await Promise.all(problems.map((p) => limit(async () => {
    const verdict = await judgeAgainst(p, bench.reference(p), truths.get(p.id)!, {...settings, groups: ['base', 'plus'], compat});
    statuses.set(p.id, `${verdict.details?.base_status}/${verdict.details?.plus_status}`);
    if (!verdict.passed) failures.push(`${p.id}: ${verdict.result}`);
  })));
  return failures;
}

/** The same judging with one job per input: every other input of the job is skipped. */
async function perInput(problems: readonly EvalPlusProblem[], truths: Map<string, GroundTruth>, sample: number): Promise<{inputs: number; failures: number}> {
  let inputs = 0;
  let failures = 0;
  const jobs: Array<() => Promise<void>> = [];
  for (const p of problems) {
    const truth = truths.get(p.id)!;
    const count = Math.min(sample, truth.plus!.times.length);
    const everything = [...truth.plus!.times.keys()];
    for (let index = 0; index < count; index++) {
      const only: GroundTruth = {plus: {...truth.plus!, skip: everything.filter((i) => i !== index)}};
      jobs.push(async () => {
        const verdict = await judgeAgainst(p, bench.reference(p), only, {...settings, groups: ['plus']});
        inputs++;
        if (!verdict.passed) failures++;
      });
    }
  }
  await Promise.all(jobs.map((job) => limit(job)));
  return {inputs, failures};
}

try {
  console.log(`HumanEval+ ${chosen.length} problems, bubblewrap, concurrency ${flags.concurrency}, ${os.availableParallelism()} cores`);
  const recorded = await timed(() => record(chosen));
  const truths = recorded.value;
  const totalInputs = chosen.reduce((sum, p) => sum + inputsOf(truths.get(p.id)!), 0);
  console.log(`ground truth recorded in ${seconds(recorded.ms)} (${totalInputs} inputs)`);

  const strictStatuses = new Map<string, string>();
  const sampleMode = await timed(() => perSample(chosen, truths, false, strictStatuses));
  const sampleMsPerInput = sampleMode.ms / totalInputs;
  console.log(`one job per sample: ${seconds(sampleMode.ms)} for ${totalInputs} inputs, ${sampleMsPerInput.toFixed(3)} ms/input, failures ${sampleMode.value.length}`);

  if (flags.compat) {
    const compatStatuses = new Map<string, string>();
    const compatMode = await timed(() => perSample(chosen, truths, true, compatStatuses));
    const differing = chosen.filter((p) => strictStatuses.get(p.id) !== compatStatuses.get(p.id)).map((p) => `${p.id} strict ${strictStatuses.get(p.id)} compat ${compatStatuses.get(p.id)}`);
    console.log(`compat, one job per sample: ${seconds(compatMode.ms)} for ${totalInputs} inputs, ${(compatMode.ms / totalInputs).toFixed(3)} ms/input, failures ${compatMode.value.length}; compat / strict wall: ${(compatMode.ms / sampleMode.ms).toFixed(2)}×; statuses differing: ${differing.join('; ') || 'none'}`);
  }

  if (Number(flags['per-input-sample']) > 0) {
    const inputMode = await timed(() => perInput(chosen, truths, Number(flags['per-input-sample'])));
    const inputMsPerInput = inputMode.ms / inputMode.value.inputs;
    console.log(`one job per input: ${seconds(inputMode.ms)} for ${inputMode.value.inputs} inputs, ${inputMsPerInput.toFixed(1)} ms/input, failures ${inputMode.value.failures}`);
    console.log(`per-input / per-sample cost per input: ${(inputMsPerInput / sampleMsPerInput).toFixed(0)}×`);
  }

  if (flags.full) {
    const all = await timed(async () => {
      const truthsAll = await record(bench.problems);
      const failures = await perSample(bench.problems, truthsAll);
      return {failures, inputs: bench.problems.reduce((sum, p) => sum + (truthsAll.has(p.id) ? inputsOf(truthsAll.get(p.id)!) : 0), 0)};
    });
    console.log(`full HumanEval+ (164 problems, ${all.value.inputs} inputs): recorded and judged in ${seconds(all.ms)}; failures: ${all.value.failures.join('; ') || 'none'}`);
  }
} finally {
  await sandbox.close();
}
