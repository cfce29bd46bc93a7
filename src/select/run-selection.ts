/**
 * Selection on a finished HumanEval run: collect test samples (generated through a Provider, or
 * read from a CodeT test file), extract their asserts (compile() in the sandbox), lay out the
 * passing matrix, fill its rows with the executor, select, and store everything with the run.
 * Every step stores what it made, so an interrupted selection resumes where it stopped.
 */
import pLimit from 'p-limit';
import {ExitCode, UserError} from '../errors.js';
import type {Provider, SamplingParams} from '../generate/provider.js';
import type {SampleRow, Store} from '../store/store.js';
import {codetTestPrompt, extractAsserts, type SyntaxChecker} from './codet-tests.js';
import {joinByPrompt, readCodetPrompts, readCodetSamples} from './codet-file.js';
import {generateTestSamples, testSampleText, type TestPromptProblem} from './generate-tests.js';
import type {MatrixBuilder, MatrixMeta, SelectionMatrix} from './matrix.js';
import {assembleRunMatrix, planRunMatrix, resultRows, runMatrixPostprocess, sha256, type MatrixPlan} from './run-matrix.js';
import {runSelection, type SelectionOptions, type SelectionReport} from './selection.js';

/** `source` keys the stored test samples: the spec, and for a model also the endpoint, sampling parameters and seed. */
export type TestSource =
  | {kind: 'generate'; source: string; provider: Provider; n: number; params: SamplingParams; seed: number; concurrency: number}
  /** CodeT's {prompt, samples} JSONL; `prompts`: a CodeT dataset file saying which prompt is which task. */
  | {kind: 'replay'; source: string; file: string; prompts?: string};

export interface RunSelectionOptions {
  store: Store;
  runId: string;
  problems: TestPromptProblem[];
  tests: TestSource;
  check: SyntaxChecker;
  /** Asserts kept per test sample (CodeT: 5). */
  limit: number;
  /** Fills missing matrix rows; without one, the rows must already be stored. */
  build?: MatrixBuilder;
  selection: SelectionOptions;
  /** Recorded in the matrix and echoed in the report (e.g. the ground-truth timeout). */
  meta: MatrixMeta;
}

export interface RunSelectionResult {
  report: SelectionReport;
  matrix: SelectionMatrix;
  selectionId: number;
  testSamples: number;
}

async function collectTestSamples(options: RunSelectionOptions): Promise<void> {
  const {store, runId, tests, problems} = options;
  const stored = new Set(store.testSamples(runId, tests.source).filter((s) => s.error === undefined).map((s) => `${s.problemId}\n${s.sampleIndex}`));
  if (tests.kind === 'replay') {
    const taskOfPrompt = tests.prompts ? readCodetPrompts(tests.prompts) : new Map(problems.map((p) => [codetTestPrompt(p.prompt, p.entryPoint), p.id]));
    const joined = joinByPrompt(readCodetSamples(tests.file), taskOfPrompt, tests.file);
    const absent = problems.filter((p) => !joined.has(p.id)).map((p) => p.id);
    if (absent.length > 0) throw new UserError(`${tests.file} has no test samples for ${absent.length} of the run's problems: ${absent.slice(0, 5).join(', ')}`);
    for (const problem of problems) {
      joined.get(problem.id)!.forEach((response, sampleIndex) => {
        if (!stored.has(`${problem.id}\n${sampleIndex}`)) store.putTestSample({runId, source: tests.source, problemId: problem.id, sampleIndex, response});
      });
    }
    return;
  }
  await generateTestSamples({
    provider: tests.provider,
    problems,
    n: tests.n,
    params: tests.params,
    seed: tests.seed,
    concurrency: tests.concurrency,
    have: (problemId, sampleIndex) => stored.has(`${problemId}\n${sampleIndex}`),
    onSample: (sample) => store.putTestSample({runId, source: tests.source, ...sample}),
  });
  const failed = store.testSamples(runId, tests.source).filter((s) => s.error !== undefined);
  if (failed.length > 0) {
    throw new UserError(
      `${failed.length} test sample(s) could not be generated (${failed[0]!.error}); the others are stored: run the same command again to retry`,
      ExitCode.tooManyErrors,
    );
  }
}

/** Extracts the asserts of stored samples that have none yet, in one sandbox batch. */
async function extractStored(options: RunSelectionOptions): Promise<void> {
  const {store, runId, tests, problems} = options;
  const entryPoint = new Map(problems.map((p) => [p.id, p.entryPoint]));
  const style = tests.kind === 'generate' ? tests.provider.style : 'completion';
  const pending = store.testSamples(runId, tests.source).filter((s) => s.asserts === undefined && s.response !== undefined && entryPoint.has(s.problemId));
  const byContinuation = [true, false].map((continuation) => pending.filter((s) => testSampleText(s.response!, style).continuation === continuation));
  for (const [index, group] of byContinuation.entries()) {
    if (group.length === 0) continue;
    const asserts = await extractAsserts(
      group.map((s) => ({entryPoint: entryPoint.get(s.problemId)!, samples: [testSampleText(s.response!, style).text]})),
      options.check,
      index === 0,
    );
    group.forEach((sample, i) => store.putTestSample({...sample, asserts: asserts[i]![0]!}));
  }
}

/** Each pick also named by the run's first sample with that code, so the stored selection stands on its own. */
export function withSampleIndices(report: SelectionReport, matrix: SelectionMatrix, samples: SampleRow[]) {
  const firstSample = new Map<string, number>();
  for (const sample of samples) {
    const key = `${sample.problemId}\n${sample.code}`;
    if (!firstSample.has(key)) firstSample.set(key, sample.sampleIndex);
  }
  const solutions = new Map(matrix.tasks.map((task) => [task.taskId, task.solutions]));
  return report.selections.map((selection) => ({
    ...selection,
    tasks: selection.tasks.map((task) =>
      task.pick === undefined ? task : {...task, sampleIndex: firstSample.get(`${task.taskId}\n${solutions.get(task.taskId)![task.pick]}`)},
    ),
  }));
}

/**
 * Runs the solutions whose rows are not stored yet, storing each row as the builder hands it over,
 * so a killed selection re-runs only the rows in flight. Two tasks at a time: the next task's
 * solutions fill the executor while the last ones of a task finish.
 */
async function buildMissingRows(options: RunSelectionOptions, plans: MatrixPlan[]): Promise<void> {
  const {store, runId, tests} = options;
  const build = options.build!;
  const stored = new Set(store.testResults(runId, tests.source).map((row) => `${row.problemId}\n${row.solutionSha256}\n${row.testsSha256}`));
  let failed = false;
  const limit = pLimit(2);
  await Promise.all(
    plans.map((plan) =>
      limit(async () => {
        if (failed) return;
        const missing = plan.solutions.filter((code) => !stored.has(`${plan.taskId}\n${sha256(code)}\n${plan.testsSha256}`));
        if (missing.length === 0) return;
        const part: MatrixPlan = {...plan, solutions: missing};
        const handedOver = new Set<number>();
        const onRow = (index: number, execOk: boolean, row: string) => {
          store.putTestResults(runId, tests.source, resultRows({...part, solutions: [missing[index]!]}, {execOk: [execOk], rows: [row]}));
          handedOver.add(index);
        };
        try {
          const rows = resultRows(part, await build(part, onRow));
          store.putTestResults(runId, tests.source, rows.filter((_, index) => !handedOver.has(index)));
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    ),
  );
}

export async function selectForRun(options: RunSelectionOptions): Promise<RunSelectionResult> {
  const {store, runId, tests} = options;
  await collectTestSamples(options);
  await extractStored(options);
  const testSamples = store.testSamples(runId, tests.source);
  const plans = planRunMatrix(options.problems, store.samples(runId), testSamples, options.limit);
  if (options.build) await buildMissingRows(options, plans);
  const meta: MatrixMeta = {...options.meta, limit: options.limit, postprocess: runMatrixPostprocess, sources: [runId, tests.source]};
  const assembled = assembleRunMatrix(plans, store.testResults(runId, tests.source), meta);
  if (!assembled.matrix) {
    throw new UserError(
      `${testSamples.length} test samples from ${tests.source} are stored with run ${runId}, but ${assembled.missing} of ${assembled.rows} matrix rows ` +
        'have no test results and no executor was given to build them',
    );
  }
  const report = runSelection(assembled.matrix, options.selection);
  const stored = {...report, selections: withSampleIndices(report, assembled.matrix, store.samples(runId))};
  const selectionId = store.addSelection(runId, tests.source, {...options.selection, limit: options.limit}, stored as unknown as Record<string, unknown>);
  return {report, matrix: assembled.matrix, selectionId, testSamples: testSamples.length};
}
