/**
 * The matrix executor: each unique solution of a task runs all of the task's generated asserts in
 * one strict-checker job (sandbox/checker.py), each assert a test with its own time limit, the
 * verdicts decided in the checker, never in the solution's process. A solution returning an
 * object equal to everything passes no assert; one that does not load (syntax error,
 * definition-time crash, hang) did not execute, and stays out of the matrix as in B4.
 */
import pLimit from 'p-limit';
import {runChecker} from '../bench/humaneval/checker.js';
import type {Sandbox} from '../execute/sandbox.js';
import type {MatrixBuilder, MatrixRows} from './matrix.js';

export interface MatrixExecutorOptions {
  sandbox: Sandbox;
  /** Task id → its prompt (solutions are completions of it; its helpers are the tests' too). */
  prompts: Map<string, string>;
  /** Per assert (CodeT and B4: 0.1 s). */
  testTimeoutMs: number;
  /** Loading the solution's program, apart from its asserts' budgets. */
  loadTimeoutMs?: number;
  /** Solutions judged at once (default: the sandbox's slots are the real limit; 2 keeps both cores busy). */
  concurrency?: number;
}

export function checkerMatrixBuilder(options: MatrixExecutorOptions): MatrixBuilder {
  const limit = pLimit(options.concurrency ?? 2);
  return async ({taskId, entryPoint, solutions, tests}): Promise<MatrixRows> => {
    const prompt = options.prompts.get(taskId);
    if (prompt === undefined) throw new Error(`no prompt for task ${taskId}`);
    const outcomes = await Promise.all(
      solutions.map((solution) =>
        limit(() =>
          runChecker(options.sandbox, {
            program: `${prompt}${solution}`,
            entry: entryPoint,
            prelude: prompt,
            tests: tests.map((test) => `${test}\n`),
            testTimeoutMs: options.testTimeoutMs,
            loadTimeoutMs: options.loadTimeoutMs ?? 1_000,
          }),
        ),
      ),
    );
    const rows: MatrixRows = {execOk: [], rows: []};
    for (const [index, outcome] of outcomes.entries()) {
      // A sandbox failure is no verdict on the solution: it must not enter the matrix as one.
      if (outcome.kind === 'sandbox-error') throw new Error(`solution ${index} of ${taskId}: sandbox error: ${outcome.error}`);
      const executed = outcome.kind === 'results' && outcome.loaded && outcome.results.length === tests.length;
      rows.execOk.push(executed);
      rows.rows.push(executed ? outcome.results.map((result) => (result.status === 'passed' ? '1' : '0')).join('') : '');
    }
    return rows;
  };
}
