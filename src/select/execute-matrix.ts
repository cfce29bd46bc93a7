/**
 * The matrix executor: each unique solution of a task runs all of the task's generated asserts in
 * one strict-checker job (sandbox/checker.py), each assert a test with its own time limit, the
 * verdicts decided in the checker, never in the solution's process. A solution returning an
 * object equal to everything passes no assert; one that does not load (syntax error,
 * definition-time crash, hang) did not execute, and stays out of the matrix as in B4.
 */
import pLimit from 'p-limit';
import {runCheckerBatch, type CheckerSpec, type TestOutcome} from '../bench/humaneval/checker.js';
import type {Sandbox} from '../execute/sandbox.js';
import type {MatrixBuilder, MatrixInput, MatrixRows} from './matrix.js';

export interface MatrixExecutorOptions {
  sandbox: Sandbox;
  /** Task id → its prompt (solutions are completions of it; its helpers are the tests' too). */
  prompts: Map<string, string>;
  /** Per assert (CodeT and B4: 0.1 s). */
  testTimeoutMs: number;
  /** Loading the solution's program, apart from its asserts' budgets. */
  loadTimeoutMs?: number;
  /** Checker jobs at once (default: the sandbox's slots are the real limit; 2 keeps both cores busy). */
  concurrency?: number;
  /** Most solutions of a task in one checker job (default defaultMatrixBatch; 1: a job each). */
  batch?: number;
}

/** One solution against a task's tests: its matrix row, and the checker's outcome per test (why a cell is 0). */
export interface MatrixRowOutcome {
  execOk: boolean;
  /** One '0'/'1' per test; '' when the solution did not execute. */
  row: string;
  /** What the checker reported per test (for a solution that did not load, each test's load failure). */
  results: TestOutcome[];
}

/** Solutions of one task in one checker job (each as if alone), unless the executor says otherwise. */
export const defaultMatrixBatch = 10;

function specFor(options: MatrixExecutorOptions, input: Omit<MatrixInput, 'solutions'>, solution: string): CheckerSpec {
  const prompt = options.prompts.get(input.taskId);
  if (prompt === undefined) throw new Error(`no prompt for task ${input.taskId}`);
  return {
    program: `${prompt}${solution}`,
    entry: input.entryPoint,
    prelude: prompt,
    tests: input.tests.map((test) => `${test}\n`),
    testTimeoutMs: options.testTimeoutMs,
    loadTimeoutMs: options.loadTimeoutMs ?? 1_000,
    // Only pass/fail matters here; a traceback import in the solution's process could even cost a 0.1 s test its budget.
    tracebacks: false,
  };
}

/** Several solutions of a task against its tests, in one checker job: their matrix rows and the checker's outcomes. */
export async function checkerMatrixRows(options: MatrixExecutorOptions, input: Omit<MatrixInput, 'solutions'>, solutions: string[]): Promise<MatrixRowOutcome[]> {
  const outcomes = await runCheckerBatch(options.sandbox, solutions.map((solution) => specFor(options, input, solution)));
  return outcomes.map((outcome) => {
    // A sandbox failure is no verdict on the solution: it must not enter the matrix as one.
    if (outcome.kind === 'sandbox-error') throw new Error(`a solution of ${input.taskId}: sandbox error: ${outcome.error}`);
    const results = outcome.kind === 'results' ? outcome.results : [];
    const executed = outcome.kind === 'results' && outcome.loaded && results.length === input.tests.length;
    return {execOk: executed, row: executed ? results.map((result) => (result.status === 'passed' ? '1' : '0')).join('') : '', results};
  });
}

export async function checkerMatrixRow(options: MatrixExecutorOptions, input: Omit<MatrixInput, 'solutions'>, solution: string): Promise<MatrixRowOutcome> {
  return (await checkerMatrixRows(options, input, [solution]))[0]!;
}

export function checkerMatrixBuilder(options: MatrixExecutorOptions): MatrixBuilder {
  const limit = pLimit(options.concurrency ?? 2);
  const batch = Math.max(1, options.batch ?? defaultMatrixBatch);
  return async (input, onRow): Promise<MatrixRows> => {
    if (!options.prompts.has(input.taskId)) throw new Error(`no prompt for task ${input.taskId}`);
    // Without tests a job would load nothing and say what this says: every (empty) row executed.
    if (input.tests.length === 0) return {execOk: input.solutions.map(() => true), rows: input.solutions.map(() => '')};
    const starts = Array.from({length: Math.ceil(input.solutions.length / batch)}, (_, index) => index * batch);
    const chunks = await Promise.all(
      starts.map((start) =>
        limit(async () => {
          const outcomes = await checkerMatrixRows(options, input, input.solutions.slice(start, start + batch));
          outcomes.forEach((outcome, offset) => onRow?.(start + offset, outcome.execOk, outcome.row));
          return outcomes;
        }),
      ),
    );
    const outcomes = chunks.flat();
    return {execOk: outcomes.map((outcome) => outcome.execOk), rows: outcomes.map((outcome) => outcome.row)};
  };
}
