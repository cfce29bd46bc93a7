/**
 * Why passk's matrix and a reference matrix disagree. Each solution with a disagreeing cell or row
 * is run again, in the sandbox, twice: by passk's strict checker (the same rule as the matrix: is
 * the difference stable, and what did the checker see?) and in-process as the reference scripts
 * do it (the program and each assert in one interpreter, an alarm per assert: does the difference
 * come from the strict design or from the machine?). The in-process run's output is the sample's
 * own stdout, so it is a diagnosis, never a verdict. Ground-truth disagreements are explained by
 * the run's own verdict text.
 */
import pLimit from 'p-limit';
import type {Store} from '../store/store.js';
import {compareMatrices, type Disagreement, type MatrixComparison} from './compare-matrix.js';
import {checkerMatrixRow, type MatrixExecutorOptions} from './execute-matrix.js';
import {inProcessRows, type InProcessRow} from './in-process-matrix.js';
import type {SelectionMatrix, TaskMatrix} from './matrix.js';

async function inProcessRow(options: MatrixExecutorOptions, task: TaskMatrix, solution: number): Promise<InProcessRow | undefined> {
  const program = `${options.prompts.get(task.taskId)}${task.solutions[solution]}`;
  const rows = await inProcessRows(options.sandbox, {programs: [program], tests: task.tests, loadTimeoutMs: options.loadTimeoutMs ?? 1_000, testTimeoutMs: options.testTimeoutMs});
  return rows?.[0];
}

const seconds = (ms: number) => `${ms / 1000} s`;

function cellCause(item: Disagreement, strict: {status: string; error?: string} | undefined, inProcess: string | undefined, testTimeoutMs: number): string {
  const here = inProcess === undefined ? 'no in-process verdict' : `in-process here: ${inProcess}`;
  if (strict === undefined) return 'unstable in passk: the solution did not load on the re-run (timing)';
  const strictPassed = strict.status === 'passed';
  if (strictPassed !== item.ours) return `unstable in passk: the re-run ${strictPassed ? 'passes' : 'fails'} (timing)`;
  if (!item.ours) {
    if (strict.status === 'timed out') return `timeout in passk (${seconds(testTimeoutMs)} per test; ${here})`;
    const reason = `${strict.status}${strict.error ? `: ${strict.error.split(':')[0]}` : ''}`;
    return inProcess === 'passed' ? `strict checker only (${reason}); passes in-process` : `fails in passk (${reason}) and ${here}`;
  }
  return inProcess === 'passed' ? "passes in passk and in-process here: the reference's own failure (its timeout or environment)" : `passes in passk's strict checker, ${here}`;
}

export interface ExplainOptions {
  executor: MatrixExecutorOptions;
  /** The run's verdict text for our ground truth of a solution (e.g. "timed out", "failed: AssertionError"). */
  groundTruthResult?: (taskId: string, solution: number) => string | undefined;
  concurrency?: number;
}

/** Fills `cause` in every disagreement of the comparison. */
export async function explainDisagreements(comparison: MatrixComparison, ours: SelectionMatrix, options: ExplainOptions): Promise<void> {
  const tasks = new Map(ours.tasks.map((task) => [task.taskId, task]));
  const bySolution = new Map<string, Disagreement[]>();
  for (const item of comparison.disagreements) {
    if (item.kind === 'gt') {
      const result = options.groundTruthResult?.(item.taskId, item.solution);
      item.cause = item.ours
        ? "check() passes in passk, fails in the reference (its timeout or environment)"
        : `check() ${result === 'timed out' ? 'timed out' : 'fails'} in passk${result && result !== 'timed out' ? ` (${result.slice(0, 80)})` : ''}`;
      continue;
    }
    const key = `${item.taskId}\n${item.solution}`;
    bySolution.set(key, [...(bySolution.get(key) ?? []), item]);
  }
  const limit = pLimit(options.concurrency ?? 2);
  const {executor} = options;
  await Promise.all(
    [...bySolution.values()].map((items) =>
      limit(async () => {
        const task = tasks.get(items[0]!.taskId)!;
        const solution = items[0]!.solution;
        const [strict, inProcess] = await Promise.all([
          checkerMatrixRow(executor, task, task.solutions[solution]!),
          inProcessRow(executor, task, solution),
        ]);
        const rowDiffers = items.some((item) => item.kind === 'exec');
        for (const item of items) {
          if (item.kind === 'cell' && rowDiffers) {
            item.cause = `the solution executed in ${item.ours ? 'passk only' : 'the reference only'} (its row disagrees)`;
            continue;
          }
          if (item.kind === 'exec') {
            const load = strict.results.find((result) => result.status !== 'passed');
            item.cause = item.ours
              ? `loads in passk, not in the reference (in-process here: ${inProcess?.loaded ?? 'no verdict'})`
              : strict.execOk
                ? 'unstable in passk: loads on the re-run (timing)'
                : `does not load in passk (${load?.status === 'timed out' ? `load timeout ${seconds(executor.loadTimeoutMs ?? 1_000)}` : (load?.error ?? load?.status ?? 'no verdict').split(':')[0]}; in-process here: ${inProcess?.loaded ?? 'no verdict'})`;
            continue;
          }
          const strictCell = strict.execOk ? strict.results[item.test!] : undefined;
          item.cause = cellCause(item, strictCell, inProcess?.results[item.test!], executor.testTimeoutMs);
        }
      }),
    ),
  );
}

/**
 * A run's matrix against a reference matrix, every disagreement given its cause. Ground truth of a
 * solution is its first sample's verdict in the run, as the matrix takes it (run-matrix.ts).
 */
export async function compareRunMatrix(store: Store, runId: string, ours: SelectionMatrix, reference: SelectionMatrix, executor: MatrixExecutorOptions): Promise<MatrixComparison> {
  const comparison = compareMatrices(ours, reference);
  const verdicts = new Map<string, string | undefined>();
  for (const sample of store.samples(runId)) {
    const key = `${sample.problemId}\n${sample.code}`;
    if (sample.verdict && !sample.verdict.errored && !verdicts.has(key)) verdicts.set(key, sample.verdict.result);
  }
  const solutions = new Map(ours.tasks.map((task) => [task.taskId, task.solutions]));
  await explainDisagreements(comparison, ours, {
    executor,
    groundTruthResult: (taskId, solution) => verdicts.get(`${taskId}\n${solutions.get(taskId)![solution]}`),
  });
  return comparison;
}
