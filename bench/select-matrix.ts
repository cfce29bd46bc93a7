/**
 * Building the HumanEval / CodeGen-16B passing matrix (../shared/datasets/b4/codet_raw: 164 problems,
 * 100 solutions and 100 test samples each) with passk's executor, sandboxed: every unique solution
 * (CodeT's post-processing) against every unique test (the first 5 valid asserts per test sample),
 * one strict-checker job per solution, 0.1 s per assert. Baseline, in the same script run: the
 * reference scripts' method (one child per solution running the program and every assert in one
 * interpreter under an alarm; sandbox/in_process_matrix.py) in the same sandbox, one job per task,
 * which is what strict verdicts are measured against. Both fill the same matrix; their cells and
 * passk's against the independent derived matrix are compared as a check.
 *
 *   npx tsx bench/select-matrix.ts [--every N] [--baseline-every K] [--concurrency C] [--batch B] [--sandbox bwrap|docker]
 *
 * --every: every N-th problem only (default 1: all 164); --baseline-every: the baseline runs every
 * K-th of those (default 4), compared with passk on the same tasks.
 */
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import pLimit from 'p-limit';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {openSandbox} from '../src/execute/index.js';
import {replayProvider} from '../src/generate/replay.js';
import {joinByPrompt, readCodetPrompts, readCodetSamples} from '../src/select/codet-file.js';
import {extractAsserts, keptTests} from '../src/select/codet-tests.js';
import {checkerMatrixRows, defaultMatrixBatch, type MatrixExecutorOptions} from '../src/select/execute-matrix.js';
import {inProcessRows} from '../src/select/in-process-matrix.js';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {sandboxSyntaxChecker} from '../src/select/syntax-check.js';
import {sharedDatasetsRoot} from '../test/helpers/datasets.js';

const {values: flags} = parseArgs({
  options: {
    every: {type: 'string', default: '1'},
    'baseline-every': {type: 'string', default: '4'},
    concurrency: {type: 'string', default: String(os.availableParallelism())},
    sandbox: {type: 'string', default: 'bwrap'},
    batch: {type: 'string', default: String(defaultMatrixBatch)},
  },
});
const concurrency = Number(flags.concurrency);
const batch = Number(flags.batch);
const raw = (name: string) => path.join(sharedDatasetsRoot(), 'b4', 'codet_raw', name);
const solutionsFile = raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl.gz');
const testsFile = raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl.gz');
const testTimeoutMs = 100;
const loadTimeoutMs = 1_000;

const bench = await loadHumanEval({dataset: raw('HumanEval_for_code_generation.jsonl.gz')});
const problems = bench.problems.filter((_, index) => index % Number(flags.every) === 0);
const sandbox = await openSandbox({backend: flags.sandbox as 'bwrap' | 'docker'});
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

try {
  // Post-processing, as `passk run --model replay:<CodeT file>` and `passk select --tests replay:` do it.
  let started = performance.now();
  const replay = replayProvider(solutionsFile, bench);
  const testSamples = joinByPrompt(readCodetSamples(testsFile), readCodetPrompts(raw('HumanEval_for_test_case_generation.jsonl.gz')), testsFile);
  const asserts = await extractAsserts(
    problems.map((p) => ({entryPoint: p.entryPoint, samples: testSamples.get(p.id)!})),
    sandboxSyntaxChecker(sandbox),
  );
  const tasks = await Promise.all(
    problems.map(async (problem, index) => {
      const codes = await Promise.all(
        Array.from({length: replay.samplesFor!(problem.id)}, (_, i) => replay.complete({problemId: problem.id, prompt: {style: 'completion', text: '', stop: []}, sampleIndex: i, seed: i, params: {temperature: 0, topP: 1, maxTokens: 1}})),
      );
      return {taskId: problem.id, entryPoint: problem.entryPoint, solutions: [...new Set(codes.map((c) => c.text))], tests: keptTests(asserts[index]!).tests};
    }),
  );
  const postprocessMs = performance.now() - started;
  const jobs = tasks.reduce((sum, t) => sum + t.solutions.length, 0);
  const cells = tasks.reduce((sum, t) => sum + t.solutions.length * t.tests.length, 0);
  console.log(`${problems.length} tasks: ${jobs} unique solutions, ${tasks.reduce((s, t) => s + t.tests.length, 0)} unique tests, ${cells} cells; post-processing (asserts compiled in the sandbox) ${seconds(postprocessMs)}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; sandbox ${sandbox.backend}, ${concurrency} jobs at a time`);

  // passk: strict-checker jobs of up to `batch` solutions of a task, all tasks' jobs through one queue.
  const executor: MatrixExecutorOptions = {sandbox, prompts: new Map(bench.problems.map((p) => [p.id, p.prompt])), testTimeoutMs, loadTimeoutMs};
  const limit = pLimit(concurrency);
  const statuses: Record<string, number> = {};
  let notLoaded = 0;
  const jobMs: number[] = [];
  const taskMs = new Map<string, number>();
  started = performance.now();
  const rows = await Promise.all(
    tasks.map((task) =>
      Promise.all(
        Array.from({length: Math.ceil(task.solutions.length / batch)}, (_, chunk) =>
          limit(async () => {
            const t0 = performance.now();
            const outcomes = await checkerMatrixRows(executor, task, task.solutions.slice(chunk * batch, (chunk + 1) * batch));
            const ms = performance.now() - t0;
            jobMs.push(ms);
            taskMs.set(task.taskId, (taskMs.get(task.taskId) ?? 0) + ms);
            for (const outcome of outcomes) {
              if (!outcome.execOk) notLoaded += 1;
              for (const result of outcome.execOk ? outcome.results : []) statuses[result.status] = (statuses[result.status] ?? 0) + 1;
            }
            return outcomes.map((outcome) => outcome.row);
          }),
        ),
      ).then((chunks) => chunks.flat()),
    ),
  );
  const passkMs = performance.now() - started;
  jobMs.sort((a, b) => a - b);
  const timedOut = statuses['timed out'] ?? 0;
  console.log(`passk (strict checker, jobs of up to ${batch} solutions of a task): ${seconds(passkMs)} wall, ${Math.round(cells / (passkMs / 1000))} cells/s`);
  console.log(`  executed cells by status: ${JSON.stringify(statuses)}; ${notLoaded} solutions did not load`);
  console.log(`  job wall time: median ${jobMs[jobMs.length >> 1]!.toFixed(0)} ms, p90 ${jobMs[Math.floor(jobMs.length * 0.9)]!.toFixed(0)} ms, max ${jobMs.at(-1)!.toFixed(0)} ms; ` +
    `timed-out asserts alone account for ≥ ${seconds((timedOut * testTimeoutMs) / concurrency)} of wall`);

  // Baseline: the reference scripts' method in the same sandbox, one job per task.
  const every = Number(flags['baseline-every']);
  const baselineTasks = tasks.filter((_, index) => index % every === 0);
  const baselineCells = baselineTasks.reduce((sum, t) => sum + t.solutions.length * t.tests.length, 0);
  const prompts = executor.prompts;
  started = performance.now();
  const baseline = await Promise.all(
    baselineTasks.map((task) =>
      limit(() => inProcessRows(sandbox, {programs: task.solutions.map((s) => `${prompts.get(task.taskId)}${s}`), tests: task.tests, loadTimeoutMs, testTimeoutMs})),
    ),
  );
  const baselineMs = performance.now() - started;
  const passkSameTasksMs = baselineTasks.reduce((sum, task) => sum + taskMs.get(task.taskId)!, 0) / concurrency;
  console.log(`baseline (in-process, one job per task) on every ${every}th task (${baselineTasks.length} tasks, ${baselineCells} cells): ${seconds(baselineMs)} wall, ${Math.round(baselineCells / (baselineMs / 1000))} cells/s`);
  console.log(`  passk on the same tasks: ${seconds(passkSameTasksMs)} (their jobs' time / ${concurrency} slots); passk / baseline ${(passkSameTasksMs / baselineMs).toFixed(2)}×`);

  // Checks: passk against the baseline and against the independent derived matrix.
  let agree = 0;
  let compared = 0;
  baselineTasks.forEach((task, t) => {
    const other = baseline[t];
    const own = rows[tasks.indexOf(task)]!;
    task.solutions.forEach((_, i) => {
      const mine = own[i]!;
      const theirs = other?.[i];
      task.tests.forEach((__, j) => {
        compared += 1;
        const theirsPass = theirs?.loaded === 'passed' && theirs.results[j] === 'passed';
        if ((mine[j] === '1') === theirsPass) agree += 1;
      });
    });
  });
  console.log(`  cells agreeing with the baseline: ${agree} of ${compared} (${((agree / compared) * 100).toFixed(3)}%)`);
  const derived = readMatrixFile(path.join(sharedDatasetsRoot(), 'b4', 'derived', 'humaneval_codegen16B_passing_matrix.json.gz'));
  const derivedTasks = new Map(derived.tasks.map((t) => [t.taskId, t]));
  let derivedAgree = 0;
  let derivedCompared = 0;
  tasks.forEach((task, t) => {
    const theirs = derivedTasks.get(task.taskId)!;
    const solution = new Map(theirs.solutions.map((s, i) => [s, i]));
    const test = new Map(theirs.tests.map((s, j) => [s, j]));
    task.solutions.forEach((code, i) => {
      const r = solution.get(code);
      task.tests.forEach((assert, j) => {
        const c = test.get(assert);
        if (r === undefined || c === undefined) return;
        derivedCompared += 1;
        if ((rows[t]![i]![j] === '1') === (theirs.execOk[r]! && theirs.rows[r]![c] === '1')) derivedAgree += 1;
      });
    });
  });
  console.log(`  cells agreeing with the derived matrix: ${derivedAgree} of ${derivedCompared} (${((derivedAgree / derivedCompared) * 100).toFixed(3)}%; of ${cells} built)`);
} finally {
  await sandbox.close();
}
