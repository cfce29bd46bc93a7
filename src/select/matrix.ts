/**
 * The passing matrix selection works on: per task, the unique solutions with their multiplicity,
 * whether each executed, its ground truth, the unique generated tests with their multiplicity, and
 * which tests each solution passed. One matrix serves both dedup conventions (B4's unique rows and
 * columns, original CodeT's multiplicity weights).
 *
 * JSON form (read and written by matrix-json.ts; the format of ../shared/datasets/b4/derived/):
 *
 *   {"meta": {"limit": 5, "gt_timeout": 1.0, "test_timeout": 0.1, "sources": [...], ...},
 *    "tasks": [{"task_id", "entry_point",
 *               "solutions": [str],   unique post-processed completions
 *               "sol_count": [int],   how many of the samples were this completion (≥ 1)
 *               "exec_ok":   [0|1],   the solution ran with the tests (definition did not crash)
 *               "gt":        [0|1],   ground truth: the benchmark's own check() passed
 *               "tests":     [str],   unique assert statements
 *               "test_count":[int],   how many times each test occurred among the kept asserts (≥ 1)
 *               "E":         [str]}]} per solution, one '0'/'1' per test ('1' = passed); "" when exec_ok is 0
 *
 * meta.limit is the number of asserts kept per test sample, gt_timeout/test_timeout are seconds;
 * other meta keys are kept as they are.
 */

export interface MatrixMeta {
  /** Valid asserts kept per test sample (CodeT: the first 5). */
  limit?: number;
  /** Seconds allowed for the ground-truth check. */
  gt_timeout?: number;
  /** Seconds allowed per generated test. */
  test_timeout?: number;
  sources?: string[];
  [key: string]: unknown;
}

export interface TaskMatrix {
  taskId: string;
  entryPoint: string;
  solutions: string[];
  solCount: number[];
  execOk: boolean[];
  gt: boolean[];
  tests: string[];
  testCount: number[];
  /** Per solution, one '0'/'1' per test; '' when the solution did not execute. */
  rows: string[];
}

export interface SelectionMatrix {
  meta: MatrixMeta;
  tasks: TaskMatrix[];
}

/** What an executor runs: every unique solution of a task against every unique test. */
export interface MatrixInput {
  taskId: string;
  entryPoint: string;
  solutions: string[];
  tests: string[];
}

/** Its answer, per solution: whether it executed with the tests, and '0'/'1' per test ('' when not). */
export interface MatrixRows {
  execOk: boolean[];
  rows: string[];
}

/**
 * Fills a task's rows by running each solution against the tests in the sandbox, with verdicts
 * decided outside the solution's process. The executor that does so plugs in here. `onRow`, when
 * the builder calls it, hands over each row as it is made (so it can be stored at once).
 */
export type MatrixBuilder = (input: MatrixInput, onRow?: (solution: number, execOk: boolean, row: string) => void) => Promise<MatrixRows>;
